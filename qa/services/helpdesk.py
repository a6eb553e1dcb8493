"""Importing helpdesk exports (Zendesk, Freshdesk, Intercom; issue 17): the records are read as
a stream (qa.importers), made into ingest rows and stored in batches through
`ingest.ingest_rows`, with the same validation, redaction, audit and processing as any import.

Decisions (README, "Helpdesk exports"):
- an interaction is `(source, ticket id)`, source = the format's name unless given: re-importing
  the same export creates nothing. It never rewrites a stored transcript (reviews are anchored
  to its segments); it updates what the helpdesk may change later: the tags, and a CSAT that
  arrived after the first import. Those count as `updated`, the rest as `duplicates`;
- tickets not solved/closed yet are skipped (`open_skipped`), unless `include_open`: an open
  ticket's conversation is not finished and would be scored half-way; it is imported once
  solved (the next export or pull);
- the agent is matched by email, case-insensitively, among Coachline's agents; an unknown one is
  never created: the ticket is a bad record and the email is listed in `unknown_agents`;
- a bad record is reported with its position (the ticket's 1-based ordinal in the export) and
  the ticket id; every other ticket is imported.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..importers import FORMATS, Ticket, TicketError, iter_records, users_by_id
from ..models import Interaction, Role, User
from . import audit
from .ingest import IngestError, IngestSettings, Process, ingest_rows
from .interactions import ImportReport
from .tags import ExtrasError, parse_tags

BATCH_SIZE = 500


@dataclass
class HelpdeskReport(ImportReport):
    """An import's counts: created/duplicates/errors as any import, and the helpdesk's own."""

    tickets: int = 0
    comments: int = 0
    updated: int = 0
    open_skipped: int = 0
    unknown_agents: dict[str, int] = field(default_factory=dict)  # email -> tickets


def read_users(stream: IO[str]) -> dict[str, dict[str, Any]]:
    """A users/agents/contacts export (JSON array, JSON lines or pages {"users": [...]}) by id."""
    found: dict[str, dict[str, Any]] = {}
    for record in iter_records(stream):
        if isinstance(record, dict):
            for key in ("users", "agents", "contacts", "admins"):
                if isinstance(record.get(key), list):
                    found.update(users_by_id(record[key]))
            found.update(users_by_id([record]))
    return found


@dataclass
class HelpdeskImport:
    """One import: feed it (position, Ticket | reason) pairs, it stores them in batches."""

    settings: IngestSettings
    actor: User | None
    source: str
    team_ids: set[int] | None = None
    include_open: bool = False
    process: Process = "none"
    batch_size: int = BATCH_SIZE
    details: dict[str, Any] = field(default_factory=dict)
    report: HelpdeskReport = field(default_factory=HelpdeskReport)
    _batch: list[tuple[int, Ticket]] = field(default_factory=list)
    _agents: dict[str, str] | None = None

    def add(self, position: int, item: Ticket | str) -> None:
        """One ticket of the export (or the reason it could not be read)."""
        self.report.tickets += 1
        if isinstance(item, str):
            self.report.errors.append((position, item))
            return
        self.report.comments += len(item.messages)
        if not item.solved and not self.include_open:
            self.report.open_skipped += 1
            return
        self._batch.append((position, item))
        if len(self._batch) >= self.batch_size:
            self.flush()

    def agents(self) -> dict[str, str]:
        """Coachline's agents, lower-case email -> stored email (read once per import)."""
        if self._agents is None:
            rows = db.session.execute(
                select(func.lower(User.email), User.email).where(User.role == Role.AGENT)
            )
            self._agents = {lower: email for lower, email in rows}
        return self._agents

    def flush(self) -> None:
        """Store the tickets gathered so far (one ingest_rows call, one commit)."""
        batch, self._batch = self._batch, []
        if not batch:
            return
        rows = self._rows(batch)
        existing = self._existing([str(row["external_id"]) for _, row in rows])
        new = [(pos, row) for pos, row in rows if str(row["external_id"]) not in existing]
        updated = self.report.updated
        for _, row in rows:
            if str(row["external_id"]) in existing:
                self._update(existing[str(row["external_id"])], row)
        if self.report.updated > updated:  # committed below, with the batch
            audit.record(self.actor, "interactions.import_updated", None,
                         updated=self.report.updated - updated, **self.details)  # fmt: skip
        if not new:
            db.session.commit()
            return
        ids = {pos: row["external_id"] for pos, row in new}
        done = ingest_rows(
            new, settings=self.settings, actor=self.actor, action="interactions.imported",
            team_ids=self.team_ids, default_source=self.source, process=self.process,
            **self.details,
        )  # fmt: skip
        self.report.created.extend(done.created)
        self.report.duplicates += done.duplicates
        self.report.errors.extend((pos, f"ticket {ids[pos]}: {why}") for pos, why in done.errors)

    def _rows(self, batch: list[tuple[int, Ticket]]) -> list[tuple[int, dict[str, Any]]]:
        """The batch's ingest rows; tickets without a known agent are reported here."""
        rows = []
        agents = self.agents()
        for position, ticket in batch:
            try:
                row = ticket.to_row()
            except TicketError as exc:
                self.report.errors.append((position, f"ticket {ticket.external_id}: {exc}"))
                continue
            email = row["agent_email"]
            if email is None:
                reason = (
                    "no agent email (no assignee or agent reply with a known email: "
                    "is the users export given, `--users`?)"
                )
            elif email not in agents:
                self.report.unknown_agents[email] = self.report.unknown_agents.get(email, 0) + 1
                reason = f"unknown agent {email} (not a Coachline agent)"
            else:
                rows.append((position, {**row, "agent_email": agents[email]}))
                continue
            self.report.errors.append((position, f"ticket {ticket.external_id}: {reason}"))
        return rows

    def _existing(self, external_ids: list[str]) -> dict[str, Interaction]:
        found = db.session.scalars(
            select(Interaction)
            .where(Interaction.source == self.source, Interaction.external_id.in_(external_ids))
            .options(selectinload(Interaction.tag_rows))
        )
        return {i.external_id: i for i in found}

    def _update(self, interaction: Interaction, row: Mapping[str, Any]) -> None:
        """A re-imported ticket: its tags and a later CSAT, never its transcript."""
        try:
            tags = parse_tags(row.get("tags"))
        except ExtrasError:
            tags = list(interaction.tags)
        csat = row.get("csat")
        changed = False
        if sorted(tags) != sorted(interaction.tags):
            interaction.tags = tags
            changed = True
        if csat is not None and csat != interaction.csat:
            interaction.csat = int(csat)
            changed = True
        if changed:
            self.report.updated += 1
        else:
            self.report.duplicates += 1


def import_export(
    stream: IO[str],
    fmt: str,
    *,
    settings: IngestSettings,
    actor: User | None,
    users: dict[str, dict[str, Any]] | None = None,
    source: str | None = None,
    team_ids: set[int] | None = None,
    include_open: bool = False,
    process: Process = "none",
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, HelpdeskReport], None] | None = None,
    **details: Any,
) -> HelpdeskReport:
    """Import a helpdesk export read from `stream`, in batches (bounded memory). `progress` is
    called after each ticket with the characters read so far and the report."""
    if fmt not in FORMATS:
        raise IngestError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    job = HelpdeskImport(settings, actor, source or fmt, team_ids, include_open, process,
                         batch_size, {"format": fmt, **details})  # fmt: skip
    read = [0]
    for position, item in FORMATS[fmt](iter_records(stream, progress=read), users, job.source):
        job.add(position, item)
        if progress is not None:
            progress(read[0], job.report)
    job.flush()
    job.report.errors.sort()
    return job.report


def import_upload(
    name: str,
    data: bytes,
    fmt: str,
    *,
    settings: IngestSettings,
    actor: User | None,
    team_ids: set[int] | None = None,
    max_tickets: int | None = None,
    process: Process = "queue",
    **details: Any,
) -> HelpdeskReport:
    """An uploaded export (web import): refused whole when it is not UTF-8 or holds more than
    `max_tickets` tickets, before anything is stored."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError(f"{name} is not UTF-8 text") from None
    if fmt not in FORMATS:
        raise IngestError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    items = list(FORMATS[fmt](iter_records(io.StringIO(text)), None, fmt))
    if max_tickets is not None and len(items) > max_tickets:
        raise IngestError(
            f"{name} has {len(items)} tickets; the web import takes at most {max_tickets} per "
            "file: split it, or use `flask helpdesk import`"
        )
    return _store(items, settings, actor, fmt, team_ids, process, file=name, **details)


def _store(
    items: Iterable[tuple[int, Ticket | str]],
    settings: IngestSettings,
    actor: User | None,
    fmt: str,
    team_ids: set[int] | None,
    process: Process,
    **details: Any,
) -> HelpdeskReport:
    job = HelpdeskImport(settings, actor, fmt, team_ids, process=process,
                         details={"format": fmt, **details})  # fmt: skip
    for position, item in items:
        job.add(position, item)
    job.flush()
    job.report.errors.sort()
    return job.report


__all__ = ["BATCH_SIZE", "HelpdeskImport", "HelpdeskReport", "import_export", "import_upload",
           "read_users"]  # fmt: skip
