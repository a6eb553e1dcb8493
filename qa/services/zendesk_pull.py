"""The Zendesk pull connector (issue 17): the Incremental Export API page by page, each page's
tickets with their comments stored through the helpdesk import, and the page's `after_cursor`
stored in `import_source` in the same commit as its tickets.

So a run that stops mid-way (crash, kill, the API failing past its retries) resumes at the page
after the last one stored; a page stored and then fetched again (a crash between the commit and
the next request cannot lose one, only repeat one) is idempotent, as every helpdesk import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..importers import TicketError, users_by_id
from ..importers.zendesk import parse_ticket
from ..importers.zendesk_api import ZendeskClient, ZendeskError, base_url_for
from ..models import ImportSource, User
from .helpdesk import HelpdeskImport, HelpdeskReport
from .ingest import IngestSettings, Process

KIND = "zendesk"
PAGE_BATCH = 10_000  # larger than a page (Zendesk: at most 1000 tickets): one commit per page


class ConnectorError(RuntimeError):
    """The connector cannot run (configuration) or the API kept failing; says what to check."""


@dataclass
class PullReport:
    """What a run did: pages stored, the cursor it ended at, and the import's counts."""

    source: ImportSource
    report: HelpdeskReport
    pages: int = 0


def client_from_config(config: Mapping[str, Any], **kwargs: Any) -> ZendeskClient:
    """A client with the app's QA_ZENDESK_* settings (`kwargs`: sleep, max_retries, on_wait);
    ConnectorError when one is missing."""
    email, token = config.get("ZENDESK_EMAIL"), config.get("ZENDESK_TOKEN")
    if not email or not token:
        raise ConnectorError("set QA_ZENDESK_EMAIL and QA_ZENDESK_TOKEN (an API token)")
    try:
        base = base_url_for(config.get("ZENDESK_SUBDOMAIN"), config.get("ZENDESK_BASE_URL"))
    except ZendeskError as exc:
        raise ConnectorError(str(exc)) from None
    return ZendeskClient(base, str(email), str(token), **kwargs)


def source_state(name: str) -> ImportSource:
    """The connector's stored state for an account (created on first use, not committed)."""
    state = db.session.scalar(
        select(ImportSource).where(ImportSource.kind == KIND, ImportSource.name == name)
    )
    if state is None:
        state = ImportSource(kind=KIND, name=name[:120], status="idle", pages=0, tickets=0)
        db.session.add(state)
        db.session.flush()
    return state


def pull(
    client: ZendeskClient,
    *,
    settings: IngestSettings,
    actor: User | None = None,
    start_time: int | None = None,
    source: str = KIND,
    include_open: bool = False,
    process: Process = "none",
    max_pages: int | None = None,
    on_page: Callable[[PullReport], None] | None = None,
) -> PullReport:
    """Pull tickets changed since the stored cursor (or `start_time`, Unix seconds, on the
    first run), storing each page and its cursor together. ConnectorError when the API fails
    past its retries: the pages stored so far stay, with their cursor, and the state says why."""
    state = source_state(client.base_url)
    if state.cursor is None and state.start_time is None:
        state.start_time = int(start_time or 0)
    state.status, state.last_error = "running", None
    db.session.commit()
    job = HelpdeskImport(settings, actor, source, include_open=include_open, process=process,
                         batch_size=PAGE_BATCH, details={"format": "zendesk", "via": "pull"})  # fmt: skip
    run = PullReport(state, job.report)
    users: dict[str, dict[str, Any]] = {}  # every user seen in this run, by id
    try:
        pages = client.ticket_pages(cursor=state.cursor, start_time=state.start_time or 0)
        for page in pages:
            users.update(users_by_id(page.get("users")))
            _store_page(client, job, page, state, users)
            run.pages += 1
            if on_page is not None:
                on_page(run)
            if max_pages is not None and run.pages >= max_pages:
                break
    except ZendeskError as exc:
        db.session.rollback()
        state.status, state.last_error = "failed", str(exc)[:500]
        db.session.commit()
        raise ConnectorError(str(exc)) from None
    state.status = "done"
    db.session.commit()
    return run


def _store_page(
    client: ZendeskClient,
    job: HelpdeskImport,
    page: dict[str, Any],
    state: ImportSource,
    users: dict[str, dict[str, Any]],
) -> None:
    groups = {str(g.get("id")): str(g.get("name")) for g in page.get("groups") or []
              if isinstance(g, dict)}  # fmt: skip
    tickets = [t for t in page.get("tickets") or [] if isinstance(t, dict)]
    for raw in tickets:
        position = state.tickets + 1
        state.tickets += 1
        if raw.get("status") == "deleted":
            continue
        comments, comment_users = client.comments(raw.get("id"))
        users.update(users_by_id(comment_users))
        try:
            job.add(position, parse_ticket(raw, users, groups, comments, job.source))
        except TicketError as exc:
            job.add(position, f"ticket {raw.get('id')}: {exc}")
    # the cursor goes into the same commit as the page's tickets (HelpdeskImport.flush)
    state.cursor = page.get("after_cursor") or state.cursor
    state.pages += 1
    job.flush()
    db.session.commit()


__all__ = ["ConnectorError", "PullReport", "client_from_config", "pull", "source_state"]
