"""Ingestion: CSV/JSONL import of interactions and storage of call recordings."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from transcription import AudioError, probe_audio, redact_text
from transcription.language import LanguageCodeError, detect_language, normalise_code

from ..extensions import db
from ..models import (
    Channel,
    Interaction,
    Recording,
    Role,
    Segment,
    Status,
    Team,
    Transcript,
    User,
)
from . import audit
from .tags import ExtrasError, attach_extras


class IngestError(ValueError):
    """An interaction or recording was refused; the message is the reason shown to the user."""


IMPORT_COLUMNS = {
    "external_id": "unique id in the source system (required; re-imports skip it)",
    "channel": "call, chat, email or social (required)",
    "agent_email": "email of the agent who handled it (required; must be an agent)",
    "started_at": "ISO 8601 date-time, UTC (required), e.g. 2026-11-16T09:30:00",
    "source": "name of the source system (default: 'import')",
    "team": "team name (default: the agent's team)",
    "queue": "queue or skill name",
    "subject": "ticket subject",
    "duration_seconds": "handle time in seconds",
    "wait_seconds": "customer wait before an agent answered, in seconds",
    "first_response_seconds": "time to the agent's first reply, in seconds",
    "csat": "customer satisfaction 1-5",
    "escalated": "true/false",
    "resolved_first_contact": "true/false",
    "turns": "JSONL: a list of {speaker: agent|customer, text}; CSV column 'transcript' instead",
    "transcript": "CSV: one turn per line, 'agent: text' or 'customer: text'",
    "recording": "calls: path of an audio file, relative to the import file",
    "tags": "tag names: comma-separated in CSV, a list in JSONL (stored lower-case)",
    "notes": "JSONL: internal notes kept beside the transcript, [{kind: private|bot, text}]",
    "language": "ISO 639-1 code, e.g. en or fr (default: detected from the text, or by Whisper)",
}
REQUIRED = ("external_id", "channel", "agent_email", "started_at")
TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f", ""}


@dataclass
class ImportReport:
    """What an import did: created ids, duplicates skipped, and each bad row with its line."""

    created: list[int] = field(default_factory=list)
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class AudioLimits:
    """How large and how long a recording may be."""

    max_bytes: int
    max_seconds: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AudioLimits:
        """The limits of an app's configuration (MAX_CONTENT_LENGTH, MAX_AUDIO_SECONDS)."""
        return cls(int(config["MAX_CONTENT_LENGTH"]), float(config["MAX_AUDIO_SECONDS"]))


Row = dict[str, Any]
NumberedRows = list[tuple[int, Row | str]]  # (line or index, row) or (line, reason it is bad)

# --- parsing -------------------------------------------------------------------------------

# A CSV cell may hold a whole email thread: up to 16 MB. The reader itself has no practical
# limit (the file is in memory already), so an over-long cell is that row's error and the rows
# after it are still read; csv's own limit would end the file there and lose them.
MAX_FIELD_CHARS = 16 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
EXTERNAL_ID_LENGTH = 120  # Interaction.external_id
SOURCE_LENGTH = 60  # Interaction.source


def _rows(path: Path) -> NumberedRows:
    """(line number, row) or (line number, error) for a CSV or JSONL file."""
    _suffix(path.name)
    return rows_from_bytes(path.name, path.read_bytes())


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in {".csv", ".jsonl", ".ndjson", ".json"}:
        raise IngestError(gettext("unsupported file type %(suffix)s: use .csv or .jsonl", suffix=suffix or '(none)'))
    return suffix


def rows_from_bytes(name: str, data: bytes) -> NumberedRows:
    """(line number, row) or (line number, error) for the content of a CSV or JSONL file named
    `name` (an uploaded file or one read from disk). The whole file is read before anything is
    stored: a wrong type or encoding, or a CSV the reader cannot go on in, refuses the file."""
    suffix = _suffix(name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError(gettext("%(name)s is not UTF-8 text", name=name)) from None
    return _csv_rows(name, text) if suffix == ".csv" else _jsonl_rows(text)


def _csv_rows(name: str, text: str) -> NumberedRows:
    reader = csv.DictReader(io.StringIO(text))
    try:
        if not reader.fieldnames:
            raise IngestError(gettext("%(name)s is empty", name=name))
        missing = [c for c in REQUIRED if c not in reader.fieldnames]
        if missing:
            raise IngestError(gettext("%(name)s: missing column(s) %(missing)s", name=name, missing=', '.join(missing)))
        return [
            (reader.line_num, {k: v for k, v in row.items() if k is not None}) for row in reader
        ]
    except csv.Error as exc:  # e.g. a broken quote: the rows after it cannot be found
        raise IngestError(
            gettext("%(name)s:%(line_num)s: unreadable CSV (%(exc)s); nothing was imported", name=name, line_num=reader.line_num, exc=exc)
        ) from None


def _jsonl_rows(text: str) -> NumberedRows:
    rows: NumberedRows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            rows.append((number, f"invalid JSON ({reason})"))
            continue
        rows.append((number, row if isinstance(row, dict) else "each line must be a JSON object"))
    return rows


def _number(
    row: Mapping[str, Any], key: str, *, low: float = 0, high: float | None = None
) -> float | None:
    value = row.get(key)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise IngestError(gettext("%(key)s must be a number, got %(value)s", key=key, value=_short(value))) from None
    if not math.isfinite(number):
        raise IngestError(gettext("%(key)s must be a finite number, got %(value)s", key=key, value=_short(value)))
    if number < low or (high is not None and number > high):
        raise IngestError(
            f"{key} must be between {low:g} and {high:g}" if high else f"{key} must be >= {low:g}"
        )
    return number


def _flag(row: Mapping[str, Any], key: str) -> bool | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False if text else None
    raise IngestError(gettext("%(key)s must be true or false, got %(value)s", key=key, value=_short(value)))


def _started_at(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(_text(value, "started_at").replace("Z", "+00:00"))
        except ValueError:
            raise IngestError(gettext("started_at is not an ISO 8601 date-time: %(value)s", value=_short(value))) from None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 is before year 1 in UTC
            raise IngestError(gettext("started_at is out of range in UTC: %(value)s", value=_short(value))) from None
    return parsed


def _short(value: Any, limit: int = 80) -> str:
    """A value as a reason quotes it: repr, cut to `limit` characters (a cell may hold MBs)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-1]}"


def _text(value: Any, key: str, max_length: int | None = None, *, strip: bool = True) -> str:
    """A text or whole-number value as text; lists, objects, booleans and over-long values are
    refused (never cut, never stored as their repr)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise IngestError(gettext("%(key)s must be text, got %(type)s", key=key, type=type(value).__name__))
    text = str(value).strip() if strip else str(value)
    if max_length is not None and len(text) > max_length:
        raise IngestError(gettext("%(key)s is longer than %(max_length)s characters", key=key, max_length=max_length))
    return text


def check_values(row: Mapping[str, Any]) -> None:
    """The one check of every ingest path for what no column can store: NUL characters (text in
    PostgreSQL cannot hold one), lone surrogates (not encodable text) and cells over 16 MB, in
    any value of the row, however deeply nested (a JSON turn's text too)."""
    todo: list[tuple[str, Any]] = [(str(key), value) for key, value in row.items()]
    while todo:  # a loop, not recursion: a row nested a thousand deep is just a bad row
        where, value = todo.pop()
        if isinstance(value, dict):
            todo.extend((where, v) for v in [*value.keys(), *value.values()])
        elif isinstance(value, list):
            todo.extend((where, v) for v in value)
        elif isinstance(value, str):
            _check_text(value, where)
    for key in row:
        _check_text(str(key), "a column name")


def _check_text(value: str, where: str) -> None:
    if "\x00" in value:
        raise IngestError(gettext("%(where)s must not contain NUL characters", where=where))
    if len(value) > MAX_FIELD_CHARS:
        raise IngestError(gettext("%(where)s is larger than %(MAX_FIELD_CHARS)s MB", where=where, MAX_FIELD_CHARS=MAX_FIELD_CHARS // (1024 * 1024)))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise IngestError(gettext("%(where)s is not valid Unicode text", where=where)) from None


def parse_turns(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Turns from JSONL `turns` or a CSV `transcript` column of 'speaker: text' lines."""
    turns: list[tuple[str, str]] = []
    if row.get("turns") not in (None, ""):
        raw = row["turns"]
        if not isinstance(raw, list):
            raise IngestError(gettext("turns must be a list of {speaker, text}"))
        for i, turn in enumerate(raw, start=1):
            if not isinstance(turn, dict) or not isinstance(turn.get("text"), str):
                raise IngestError(gettext("turn %(value)s must be an object with speaker and text", value=i))
            turns.append((str(turn.get("speaker", "")).lower(), turn["text"]))
    elif row.get("transcript"):
        for i, line in enumerate(str(row["transcript"]).splitlines(), start=1):
            if not line.strip():
                continue
            speaker, sep, text = line.partition(":")
            if not sep:
                raise IngestError(gettext("transcript line %(value)s must look like 'agent: text'", value=i))
            turns.append((speaker.strip().lower(), text.strip()))
    for i, (speaker, text) in enumerate(turns, start=1):
        if speaker not in {"agent", "customer"}:
            raise IngestError(gettext("turn %(value)s: speaker must be agent or customer, got %(speaker)s", value=i, speaker=repr(speaker)))
        if not text.strip():
            raise IngestError(gettext("turn %(value)s has no text", value=i))
    return turns


# --- storing -------------------------------------------------------------------------------


def _agent(email: str) -> User:
    agent = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if agent is None:
        raise IngestError(gettext("unknown agent %(email)s", email=_short(email)))
    if agent.role != Role.AGENT:
        raise IngestError(gettext("%(email)s is not an agent", email=email))
    return agent


def _team(name: object, agent: User) -> Team:
    if name not in (None, ""):
        team = db.session.scalar(select(Team).where(Team.name == str(name).strip()))
        if team is None:
            raise IngestError(gettext("unknown team %(value)s", value=_short(name)))
        return team
    if agent.team is None:
        raise IngestError(gettext("agent %(email)s has no team; give a team column", email=agent.email))
    return agent.team


def build_interaction(row: Mapping[str, Any], default_source: str = "import") -> Interaction:
    """Validate one row into an unsaved Interaction (IngestError with the reason otherwise)."""
    missing = [key for key in REQUIRED if row.get(key) in (None, "")]
    if missing:
        raise IngestError(gettext("missing %(missing)s", missing=', '.join(missing)))
    check_values(row)
    try:
        channel = Channel(_text(row["channel"], "channel").lower())
    except ValueError:
        raise IngestError(
            gettext("channel must be call, chat, email or social, got %(row)s", row=_short(row['channel']))
        ) from None
    agent = _agent(_text(row["agent_email"], "agent_email"))
    csat = _number(row, "csat", low=1, high=5)
    source = row.get("source") or default_source
    language = _language(row.get("language"))
    return Interaction(
        source=_text(source, "source", SOURCE_LENGTH, strip=False),
        external_id=_external_id(row["external_id"]),
        channel=channel,
        agent=agent,
        team=_team(row.get("team"), agent),
        queue=_optional_text(row, "queue", 120),
        subject=_optional_text(row, "subject", 255),
        started_at=_started_at(row["started_at"]),
        duration_seconds=_number(row, "duration_seconds"),
        wait_seconds=_number(row, "wait_seconds"),
        first_response_seconds=_number(row, "first_response_seconds"),
        csat=int(csat) if csat is not None else None,
        escalated=bool(_flag(row, "escalated")),
        resolved_first_contact=_flag(row, "resolved_first_contact"),
        language=language,
        language_source="import" if language else None,
    )


def _language(value: Any) -> str | None:
    """The row's `language` as an ISO 639-1 code (None when not given)."""
    try:
        return normalise_code(value)
    except LanguageCodeError as exc:
        raise IngestError(str(exc)) from None


def _external_id(value: Any) -> str:
    """The id in the source system: text or a whole number, at most 120 characters (a longer id
    cut to fit would make a different conversation a "duplicate" of this one)."""
    external_id = _text(value, "external_id", EXTERNAL_ID_LENGTH)
    if not external_id:
        raise IngestError(gettext("missing external_id"))
    return external_id


def _optional_text(row: Mapping[str, Any], key: str, length: int) -> str | None:
    """A descriptive text column, cut to its column length (queue names, subjects)."""
    value = row.get(key)
    if value in (None, ""):
        return None
    return _text(value, key, strip=False)[:length]


def exists(source: str, external_id: str) -> bool:
    return (
        db.session.scalar(
            select(Interaction.id).where(
                Interaction.source == source, Interaction.external_id == external_id
            )
        )
        is not None
    )


def attach_text(
    interaction: Interaction, turns: Iterable[tuple[str, str]], redact: bool = True
) -> None:
    """Store chat/email turns as a transcript, PII redacted before anything is stored; the
    language, unless the row gave it, is detected from the text (None when unsure)."""
    turns = list(turns)
    if interaction.language_source is None:
        interaction.language = detect_language(t for _, t in turns).language
        interaction.language_source = "detected"
    transcript = Transcript(
        interaction=interaction, language=interaction.language, model="text", redactions={}
    )
    counts: dict[str, int] = {}
    # spoken numbers and addresses are read in English and in the interaction's language
    pii_languages = ["en", interaction.language] if interaction.language else None
    for position, (speaker, text) in enumerate(turns):
        if redact:
            text, found = redact_text(text, language=pii_languages)
            for kind, n in found.items():
                counts[kind] = counts.get(kind, 0) + n
        transcript.segments.append(
            Segment(position=position, speaker=speaker, start=None, end=None, text=text)
        )
    transcript.redactions = counts
    interaction.status = Status.TRANSCRIBED
    db.session.add(transcript)


CHUNK_SIZE = 100  # rows stored with one flush in one savepoint (import_rows)
ROW_ERRORS = (IngestError, TypeError, ValueError, AttributeError, OverflowError)


def import_rows(
    rows: Iterable[tuple[int, Row | str]],
    *,
    limits: AudioLimits,
    upload_folder: str,
    redact: bool = True,
    base_dir: Path | None = None,
    team_ids: set[int] | None = None,
    default_source: str = "import",
    chunk_size: int = CHUNK_SIZE,
) -> ImportReport:
    """Store validated rows: a bad row is reported with its line, the others land.

    Rows are checked one by one, then stored `chunk_size` at a time in one savepoint with one
    flush (SQLAlchemy inserts each table's rows of the chunk together). When the database
    refuses a chunk (a constraint no check foresaw, a row a concurrent import stored first),
    that chunk is stored again a row at a time, each in its own savepoint, so the row at fault
    is reported with its line and nothing else is lost. Call rows naming a recording are
    stored a row at a time (the file is probed and moved as it is stored).

    `base_dir` lets call rows name a recording file relative to it (file imports only);
    `team_ids` limits which teams the rows may go to (a lead's teams).
    """
    report = ImportReport()
    store = _RowStore(limits, upload_folder, redact, base_dir, team_ids, default_source)
    chunk: list[tuple[int, Row]] = []
    for line, row in rows:
        if isinstance(row, str):
            report.errors.append((line, row))
        elif row.get("recording") not in (None, ""):
            store.chunk(chunk, report)
            chunk = []
            store.one(line, row, report)
        else:
            chunk.append((line, row))
            if len(chunk) >= chunk_size:
                store.chunk(chunk, report)
                chunk = []
    store.chunk(chunk, report)
    report.errors.sort(key=lambda error: error[0])
    return report


def _unreadable(exc: Exception) -> str:
    """The reason of a row error: an IngestError's message, else the unforeseen value's type."""
    if isinstance(exc, IngestError):
        return str(exc)
    # a value of an unexpected type the checks did not foresee: that row's error
    return gettext("unreadable row (%(type)s)", type=type(exc).__name__)


@dataclass
class _RowStore:
    """What `import_rows` does with rows, given the import's settings."""

    limits: AudioLimits
    upload_folder: str
    redact: bool
    base_dir: Path | None
    team_ids: set[int] | None
    default_source: str

    def one(self, line: int, row: Row, report: ImportReport) -> None:
        """Store one row in its own savepoint (a row's error is reported with its line)."""
        try:
            with db.session.begin_nested():
                interaction_id = self.store(row)
        except ROW_ERRORS as exc:
            report.errors.append((line, _unreadable(exc)))
            return
        except DBAPIError as exc:  # a constraint no check foresaw: that row's error
            report.errors.append((line, gettext(
                "refused by the database (%(type)s)", type=type(exc.orig).__name__)))
            return
        if interaction_id is None:
            report.duplicates += 1
        else:
            report.created.append(interaction_id)

    def chunk(self, rows: list[tuple[int, Row]], report: ImportReport) -> None:
        """Store rows with one flush in one savepoint; a row at a time when that fails."""
        if not rows:
            return
        ready: list[Interaction] = []
        errors: list[tuple[int, str]] = []
        duplicates = 0
        seen: set[tuple[str, str]] = set()
        try:
            with db.session.begin_nested(), db.session.no_autoflush:
                for line, row in rows:
                    try:
                        checked = self.prepare(row, seen)
                    except ROW_ERRORS as exc:
                        errors.append((line, _unreadable(exc)))
                        continue
                    if checked is None:
                        duplicates += 1
                        continue
                    interaction, turns = checked
                    db.session.add(interaction)  # an error from here on is the chunk's
                    attach_text(interaction, turns, redact=self.redact)
                    ready.append(interaction)
                db.session.flush()
        except (DBAPIError, *ROW_ERRORS):  # the savepoint is rolled back: row by row
            for line, row in rows:
                self.one(line, row, report)
            return
        report.errors.extend(errors)
        report.duplicates += duplicates
        report.created.extend(interaction.id for interaction in ready)

    def prepare(
        self, row: Row, seen: set[tuple[str, str]]
    ) -> tuple[Interaction, list[tuple[str, str]]] | None:
        """A text row's unsaved interaction (tags and notes set) and turns, or None for a
        duplicate (stored already, or earlier in `seen`); IngestError for a bad row. The
        session is left as it was."""
        interaction = self.check(row)
        key = (interaction.source, interaction.external_id)
        if key in seen or exists(*key):
            return None
        turns = self._turns_and_extras(interaction, row)
        if not turns:
            raise IngestError(gettext("no content: give turns/transcript, or a recording for calls"))
        seen.add(key)
        return interaction, turns

    def check(self, row: Row) -> Interaction:
        """The row's unsaved interaction, its agent and team allowed (IngestError otherwise)."""
        interaction = build_interaction(row, self.default_source)
        if self.team_ids is not None and not (
            interaction.team.id in self.team_ids and interaction.agent.team_id in self.team_ids
        ):
            raise IngestError(gettext("%(email)s is not in a team you lead", email=interaction.agent.email))
        return interaction

    def _turns_and_extras(self, interaction: Interaction, row: Row) -> list[tuple[str, str]]:
        """The row's turns, its tags and notes set on the interaction (IngestError if bad)."""
        turns = parse_turns(row)
        try:
            attach_extras(interaction, row, redact=self.redact)
        except ExtrasError as exc:
            raise IngestError(str(exc)) from None
        return turns

    def store(self, row: Row) -> int | None:
        """The new interaction's id, or None for a duplicate; IngestError for a bad row."""
        interaction = self.check(row)
        if exists(interaction.source, interaction.external_id):
            return None
        turns = self._turns_and_extras(interaction, row)
        db.session.add(interaction)
        if interaction.channel == Channel.CALL and row.get("recording"):
            self._recording(interaction, row["recording"])
        elif turns:
            attach_text(interaction, turns, redact=self.redact)
        else:
            raise IngestError(gettext("no content: give turns/transcript, or a recording for calls"))
        db.session.flush()
        return interaction.id

    def _recording(self, interaction: Interaction, name: Any) -> None:
        if self.base_dir is None:
            raise IngestError(gettext("recordings are uploaded separately, not named in the row"))
        audio = (self.base_dir / _text(name, "recording")).resolve()
        if not audio.is_file():
            raise IngestError(gettext("recording not found: %(value)s", value=_short(name)))
        with audio.open("rb") as handle:
            attach_recording(
                interaction,
                handle,
                audio.name,
                limits=self.limits,
                upload_folder=self.upload_folder,
            )


def record_import(report: ImportReport, actor: User | None, action: str, **details: Any) -> None:
    """Audit an import with its counts and commit it (the caller then queues the scoring)."""
    audit.record(
        actor,
        action,
        None,
        **details,
        created=len(report.created),
        duplicates=report.duplicates,
        errors=len(report.errors),
    )
    db.session.commit()


def import_file(
    path: str | Path,
    *,
    limits: AudioLimits,
    upload_folder: str,
    actor: User | None = None,
    redact: bool = True,
) -> ImportReport:
    """Import interactions from CSV or JSONL; bad rows are reported with their line, good rows land."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(gettext("no such file: %(path)s", path=path))
    report = import_rows(
        _rows(path), limits=limits, upload_folder=upload_folder, redact=redact, base_dir=path.parent
    )
    record_import(report, actor, "interactions.imported", file=path.name)
    return report


def _save_stream(stream: IO[bytes], folder: Path, max_bytes: int) -> tuple[Path, str, int]:
    """Copy an upload to a temporary file in `folder`, hashing it and enforcing the size limit."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".upload-", delete=False)  # noqa: SIM115
    try:
        with handle:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise IngestError(
                        gettext("recording is larger than the %(max_bytes)s MB limit", max_bytes=max_bytes // (1024 * 1024))
                    )
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    if size == 0:
        Path(handle.name).unlink(missing_ok=True)
        raise IngestError(gettext("recording is empty"))
    return Path(handle.name), digest.hexdigest(), size


def find_recording(sha256: str) -> Recording | None:
    return db.session.scalar(select(Recording).where(Recording.sha256 == sha256))


def attach_recording(
    interaction: Interaction,
    stream: IO[bytes],
    filename: str,
    *,
    limits: AudioLimits,
    upload_folder: str,
    agent_channel: str = "right",
) -> Recording:
    """Check a recording by content and size, store it under its sha256 and link it."""
    folder = Path(upload_folder)
    tmp, sha, size = _save_stream(stream, folder, limits.max_bytes)
    try:
        if find_recording(sha) is not None:
            raise IngestError(gettext("this recording was already uploaded"))
        info = probe_audio(tmp, max_bytes=limits.max_bytes, max_seconds=limits.max_seconds)
    except AudioError as exc:
        tmp.unlink(missing_ok=True)
        raise IngestError(exc.reason) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    suffix = Path(filename).suffix.lower()[:8] or f".{info.format}"
    final = folder / sha[:2] / f"{sha}{suffix}"
    final.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(tmp, final)
    recording = Recording(
        interaction=interaction,
        path=str(final),
        original_name=Path(filename).name[:255],
        sha256=sha,
        size=size,
        channels=info.channels,
        sample_rate=info.sample_rate,
        duration_seconds=info.duration,
        format=info.format,
        agent_channel=agent_channel,
    )
    if interaction.duration_seconds is None:
        interaction.duration_seconds = info.duration
    interaction.status = Status.PENDING
    db.session.add(recording)
    return recording
