"""`flask helpdesk import FORMAT FILE` (Zendesk, Freshdesk, Intercom exports, streamed, with a
progress bar) and `flask zendesk pull` / `flask zendesk status` (the pull connector)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from ..importers import FORMATS
from ..importers.zendesk_api import ZendeskError, base_url_for
from ..services.helpdesk import HelpdeskReport, import_export, read_users
from ..services.ingest import IngestError, IngestSettings
from ..services.zendesk_pull import ConnectorError, client_from_config, pull, source_state
from .interactions import _process

manager = AppGroup("helpdesk", help="Import helpdesk exports (Zendesk, Freshdesk, Intercom).")
zendesk = AppGroup("zendesk", help="Pull tickets from Zendesk's Incremental Export API.")


def _summary(report: HelpdeskReport, name: str) -> None:
    for position, reason in report.errors:
        click.echo(f"{name}:{position}: {reason}", err=True)
    if report.unknown_agents:
        listed = ", ".join(f"{e} ({n})" for e, n in sorted(report.unknown_agents.items()))
        click.echo(f"unknown agents (create them, then import again): {listed}", err=True)
    click.echo(
        f"{report.tickets} tickets ({report.comments} comments): imported {len(report.created)}, "
        f"updated {report.updated}, unchanged {report.duplicates}, "
        f"open skipped {report.open_skipped}, {len(report.errors)} bad"
    )


@manager.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(FORMATS)))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--users", "users_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Users/agents export (JSON) to match comment authors and assignees by id.")  # fmt: skip
@click.option("--source", default=None, help="Source name (default: the format).")
@click.option("--include-open", is_flag=True, help="Also import tickets not solved yet.")
@click.option("--no-process", is_flag=True, help="Store only; score later (`flask score`).")
def import_cmd(
    fmt: str, file: Path, users_file: Path | None, source: str | None, include_open: bool,
    no_process: bool,
) -> None:  # fmt: skip
    """Import a helpdesk export (JSON array or JSON lines), streamed in batches."""
    for path in (file, users_file):
        if path is not None and not path.is_file():
            raise click.ClickException(f"no such file: {path}")
    try:
        users = read_users(users_file.open(encoding="utf-8-sig")) if users_file else None
        with file.open(encoding="utf-8-sig") as stream, tqdm(
            total=os.path.getsize(file), unit="B", unit_scale=True, desc="importing",
            disable=None, leave=False,
        ) as bar:  # fmt: skip
            report = import_export(
                stream, fmt, settings=IngestSettings.from_config(current_app.config),
                actor=None, users=users, source=source, include_open=include_open,
                progress=lambda done, _: bar.update(done - bar.n), file=file.name,
            )  # fmt: skip
    except (IngestError, UnicodeDecodeError) as exc:
        reason = f"{file.name} is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc
        raise click.ClickException(str(reason)) from None
    _summary(report, file.name)
    if report.created and not no_process:
        _process(report.created)
    if report.errors:
        raise SystemExit(1)


def _start_time(value: str | None) -> int | None:
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"--start-time: {value!r} is not a date or Unix time") from None
    return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp())


@zendesk.command("pull")
@click.option("--start-time", default=None,
              help="First run only: tickets changed since (ISO date or Unix time; default: all).")  # fmt: skip
@click.option("--include-open", is_flag=True, help="Also import tickets not solved yet.")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Stop after N pages.")
@click.option("--no-process", is_flag=True, help="Store only; score later (`flask score`).")
def pull_cmd(
    start_time: str | None, include_open: bool, max_pages: int | None, no_process: bool
) -> None:
    """Pull tickets changed since the stored cursor (resumes where the last run stopped)."""
    try:
        client = client_from_config(
            current_app.config,
            on_wait=lambda s, why: click.echo(f"{why}: waiting {s:g} s", err=True),
        )
        with tqdm(unit=" pages", desc="pulling", disable=None, leave=False) as bar:
            run = pull(
                client, settings=IngestSettings.from_config(current_app.config),
                start_time=_start_time(start_time), include_open=include_open,
                max_pages=max_pages, on_page=lambda _: bar.update(1),
            )  # fmt: skip
    except ConnectorError as exc:
        raise click.ClickException(
            f"{exc} (the pages stored so far are kept; run it again)"
        ) from None
    _summary(run.report, "zendesk")
    click.echo(f"{run.pages} page(s); cursor stored: {run.source.cursor or '(none)'}")
    if run.report.created and not no_process:
        _process(run.report.created)


@zendesk.command("status")
def status_cmd() -> None:
    """The connector's stored state: cursor, pages, tickets, last error."""
    config = current_app.config
    try:
        name = base_url_for(config.get("ZENDESK_SUBDOMAIN"), config.get("ZENDESK_BASE_URL"))
    except ZendeskError as exc:
        raise click.ClickException(str(exc)) from None
    state = source_state(name)
    click.echo(f"{name}: {state.status}, {state.pages} page(s), {state.tickets} ticket(s), "
               f"cursor {state.cursor or '(none)'}")  # fmt: skip
    if state.last_error:
        click.echo(f"last error: {state.last_error}")
