"""The ingest workflow every way in calls (web upload and import, API, CLI, demo, the helpdesk
importers): validate, store the recording or the text, audit, commit once, then hand the work to
the jobs (transcription, then AutoQA scoring).

    ingest_recording  one call recording with its metadata row
    ingest_rows       rows already read (API batch, demo, an importer); bad rows are reported
    ingest_upload     the bytes of an uploaded CSV/JSONL file (web import)
    ingest_file       a CSV/JSONL file on disk, recordings named relative to it (CLI)

`process` says what happens after the commit: "queue" (the jobs as configured: Celery when a
broker is set, inline otherwise), "inline" (here and now, whatever is configured) or "none"
(stored only; `flask transcribe` / `flask score` later).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from flask_babel import gettext

from .. import jobs
from ..extensions import db
from ..models import Interaction, User
from . import audit, escalations
from .interactions import (
    AudioLimits,
    ImportReport,
    IngestError,
    Row,
    attach_recording,
    build_interaction,
    exists,
    import_rows,
    record_import,
    rows_from_bytes,
)

Process = Literal["queue", "inline", "none"]


class DuplicateInteraction(IngestError):
    """An interaction with this source and external id is stored already."""


class NotYourTeam(IngestError):
    """The row names an agent or team outside the teams the user may file interactions for."""


@dataclass(frozen=True)
class IngestSettings:
    """What ingest needs from the app's configuration."""

    limits: AudioLimits
    upload_folder: str
    redact: bool
    agent_channel: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> IngestSettings:
        """The settings of an app's configuration (`current_app.config`)."""
        return cls(
            limits=AudioLimits.from_config(config),
            upload_folder=str(config["UPLOAD_FOLDER"]),
            redact=bool(config["REDACT_PII"]),
            agent_channel=str(config.get("AGENT_CHANNEL") or "right"),
        )


def ingest_recording(
    row: Mapping[str, Any],
    stream: IO[bytes],
    filename: str,
    *,
    settings: IngestSettings,
    actor: User | None,
    source: str,
    agent_channel: str | None = None,
    team_ids: set[int] | None = None,
    process: Process = "queue",
    **details: Any,
) -> Interaction:
    """Store one call: its metadata row (the import columns; channel is call) and recording.

    Raises DuplicateInteraction, NotYourTeam (an agent or team outside `team_ids`) or
    IngestError with the reason, having stored nothing. `details` go to the audit event.
    """
    interaction = build_interaction({**row, "channel": "call"}, source)
    interaction.tier = escalations.parse_tier(row.get("tier")) or escalations.effective_tier(
        interaction.agent
    )
    _check_team(interaction, team_ids)
    if exists(interaction.source, interaction.external_id):
        raise DuplicateInteraction(gettext("interaction %(external_id)s already exists",
                                           external_id=interaction.external_id))
    db.session.add(interaction)
    try:
        recording = attach_recording(
            interaction,
            stream,
            filename,
            limits=settings.limits,
            upload_folder=settings.upload_folder,
            agent_channel=agent_channel or settings.agent_channel,
        )
    except BaseException:
        db.session.rollback()
        raise
    audit.record(actor, "recording.uploaded", interaction, sha256=recording.sha256, **details)
    db.session.commit()
    _process([interaction.id], process)
    db.session.refresh(interaction)
    return interaction


def ingest_rows(
    rows: Iterable[tuple[int, Row | str]],
    *,
    settings: IngestSettings,
    actor: User | None,
    action: str = "interactions.imported",
    team_ids: set[int] | None = None,
    default_source: str = "import",
    process: Process = "queue",
    base_dir: Path | None = None,
    **details: Any,
) -> ImportReport:
    """Store chats, emails and calls with text from rows already read (import_rows: in chunks,
    a row at a time where a chunk fails); every bad row is reported with its number, the good
    ones land. One audit event (`action` with `details` and the counts), one commit, then the
    created ones are processed. `base_dir`: call rows of a file on disk may name a recording
    relative to it (`ingest_file`)."""
    tiers = escalations.ImportTiers(default_source)  # tier, customer and escalation columns
    report = import_rows(
        tiers.watch(rows),
        limits=settings.limits,
        upload_folder=settings.upload_folder,
        redact=settings.redact,
        base_dir=base_dir,
        team_ids=team_ids,
        default_source=default_source,
    )
    tiers.apply(report)
    record_import(report, actor, action, **details)
    _process(report.created, process)
    return report


def ingest_upload(
    name: str,
    data: bytes,
    *,
    settings: IngestSettings,
    actor: User | None,
    team_ids: set[int] | None = None,
    max_rows: int | None = None,
    process: Process = "queue",
    **details: Any,
) -> ImportReport:
    """Import an uploaded CSV or JSONL file: the whole file is read first, so a file that cannot
    be read (type, encoding, broken CSV, over `max_rows`) is refused before anything is stored."""
    rows = rows_from_bytes(name, data)
    if max_rows is not None and len(rows) > max_rows:
        raise IngestError(gettext(
            "%(name)s has %(rows)s rows; the web import takes at most %(max_rows)s per file "
            "(each is scored before the page answers): split it, or use `flask interactions import`",
            name=name, rows=len(rows), max_rows=max_rows,
        ))
    return ingest_rows(
        rows,
        settings=settings,
        actor=actor,
        team_ids=team_ids,
        process=process,
        file=name,
        **details,
    )


def ingest_file(
    path: str | Path,
    *,
    settings: IngestSettings,
    actor: User | None = None,
    process: Process = "queue",
) -> ImportReport:
    """Import a CSV or JSONL file on disk (call rows may name a recording next to it): the file
    is read once and its rows go through `ingest_rows`, so a bad tier or escalation value is
    that row's error here too, as on the web and the API."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(gettext("no such file: %(path)s", path=path))
    return ingest_rows(
        rows_from_bytes(path.name, path.read_bytes()),
        settings=settings,
        actor=actor,
        process=process,
        base_dir=path.parent,
        file=path.name,
    )


def _check_team(interaction: Interaction, team_ids: set[int] | None) -> None:
    if team_ids is None:
        return
    if interaction.team.id not in team_ids or interaction.agent.team_id not in team_ids:
        raise NotYourTeam(gettext("%(email)s is not in a team you lead",
                                  email=interaction.agent.email))


def _process(interaction_ids: list[int], process: Process) -> None:
    if interaction_ids and process != "none":
        jobs.process_interactions(interaction_ids, inline=process == "inline")


__all__ = [
    "DuplicateInteraction",
    "IngestError",
    "IngestSettings",
    "NotYourTeam",
    "Process",
    "ingest_file",
    "ingest_recording",
    "ingest_rows",
    "ingest_upload",
]
