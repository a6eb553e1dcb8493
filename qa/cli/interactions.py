"""`flask interactions import`, `flask transcribe` and `flask score`: the ingest pipeline by hand."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .. import jobs
from ..extensions import db
from ..models import Interaction, Status
from ..services.ingest import IngestError, IngestSettings, ingest_file

manager = AppGroup("interactions", help="Import interactions.")


@manager.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-process", is_flag=True, help="Store only; transcribe and score later.")
def import_cmd(file: Path, no_process: bool) -> None:
    """Import interactions from CSV or JSONL (see README for the columns)."""
    try:
        # stored only: the progress bars below run the jobs here, whatever the configuration
        report = ingest_file(
            file, settings=IngestSettings.from_config(current_app.config), process="none"
        )
    except IngestError as exc:
        raise click.ClickException(str(exc)) from None
    for line, reason in report.errors:
        click.echo(f"{file.name}:{line}: {reason}", err=True)
    click.echo(
        f"imported {len(report.created)}, skipped {report.duplicates} already imported, "
        f"{len(report.errors)} bad row(s)"
    )
    if report.created and not no_process:
        _process(report.created)
    if report.errors:
        raise SystemExit(1)


def _process(ids: list[int]) -> None:
    """Transcribe calls and score everything among `ids`, with a progress bar."""
    rows = db.session.execute(
        select(Interaction.id, Interaction.status).where(Interaction.id.in_(ids))
    ).all()
    calls = [i for i, status in rows if status in jobs.NEEDS_TRANSCRIPTION]
    texts = [i for i, status in rows if status == Status.TRANSCRIBED]
    if calls:
        with click.progressbar(calls, label="transcribing") as bar:
            for interaction_id in bar:
                jobs.transcribe_interaction(interaction_id)
    if texts:
        with click.progressbar(length=len(texts), label="scoring") as bar:
            for start in range(0, len(texts), jobs.BATCH_SIZE):
                batch = texts[start : start + jobs.BATCH_SIZE]
                jobs.score_interactions(batch)
                bar.update(len(batch))
    failed = db.session.scalars(
        select(Interaction).where(Interaction.id.in_(ids), Interaction.status == Status.FAILED)
    ).all()
    for interaction in failed:
        click.echo(
            f"interaction {interaction.id} ({interaction.external_id}) failed: {interaction.failure_reason}",
            err=True,
        )


@click.command("transcribe")
@click.argument("ids", nargs=-1, type=int)
@click.option("--pending", is_flag=True, help="Every call waiting for transcription.")
@click.option("--retry-failed", is_flag=True, help="Every failed interaction.")
def transcribe_cmd(ids: tuple[int, ...], pending: bool, retry_failed: bool) -> None:
    """Transcribe calls (then score them): by id, --pending or --retry-failed."""
    chosen = list(ids)
    if pending:
        chosen += db.session.scalars(
            select(Interaction.id).where(Interaction.status == Status.PENDING)
        ).all()
    if retry_failed:
        chosen += db.session.scalars(
            select(Interaction.id).where(Interaction.status == Status.FAILED)
        ).all()
    if not chosen:
        raise click.ClickException(
            "nothing to do: give interaction ids, --pending or --retry-failed"
        )
    missing = set(chosen) - set(
        db.session.scalars(select(Interaction.id).where(Interaction.id.in_(chosen)))
    )
    if missing:
        raise click.ClickException(f"no interaction with id {', '.join(map(str, sorted(missing)))}")
    _process(sorted(set(chosen)))


@click.command("score")
@click.argument("ids", nargs=-1, type=int)
@click.option("--pending", is_flag=True, help="Every interaction with text that is not scored yet.")
@click.option("--all", "rescore", is_flag=True, help="Re-score every interaction with text.")
def score_cmd(ids: tuple[int, ...], pending: bool, rescore: bool) -> None:
    """Run AutoQA on interactions: by id, --pending or --all."""
    query = select(Interaction.id)
    if rescore:
        chosen = db.session.scalars(
            query.where(Interaction.status.in_([Status.TRANSCRIBED, Status.SCORED]))
        ).all()
    elif pending:
        chosen = db.session.scalars(query.where(Interaction.status == Status.TRANSCRIBED)).all()
    else:
        chosen = list(ids)
    if not chosen:
        raise click.ClickException("nothing to score: give interaction ids, --pending or --all")
    done = 0
    with click.progressbar(length=len(chosen), label="scoring") as bar:
        for start in range(0, len(chosen), jobs.BATCH_SIZE):
            batch = list(chosen[start : start + jobs.BATCH_SIZE])
            done += jobs.score_interactions(batch)
            bar.update(len(batch))
    click.echo(f"scored {done} of {len(chosen)}")
