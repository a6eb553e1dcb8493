"""Tags and internal notes on interactions (issue 17): the `tags` and `notes` import columns
that every ingest path reads (qa/services/interactions.py stores them with the row), and the
tag filter's normalisation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from transcription import redact_text

from ..models import Interaction, InteractionNote

TAG_LENGTH = 80  # InteractionTag.name
MAX_TAGS = 100
NOTE_KINDS = ("private", "bot")
AUTHOR_LENGTH = 255


class ExtrasError(ValueError):
    """The row's tags or notes cannot be stored; the message says why (an IngestError there)."""


def tag_name(text: str) -> str:
    """A tag as stored and searched: blanks squeezed, lower-case."""
    return " ".join(text.split()).lower()


def parse_tags(value: Any) -> list[str]:
    """Tag names from a CSV cell ("billing, vip") or a JSON list, lower-case, each once, in
    order; ExtrasError for anything else."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        raise ExtrasError("tags must be a list of names or comma-separated text")
    names: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise ExtrasError("each tag must be text")
        name = tag_name(item)
        if len(name) > TAG_LENGTH:
            raise ExtrasError(f"tag {name[:20]!r}... is longer than {TAG_LENGTH} characters")
        if name:
            names[name] = None
    if len(names) > MAX_TAGS:
        raise ExtrasError(f"at most {MAX_TAGS} tags per interaction")
    return list(names)


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ExtrasError(f"note created_at is not an ISO 8601 date-time: {value!r:.40}") from None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def parse_notes(value: Any, redact: bool = True) -> list[InteractionNote]:
    """Internal notes from a JSON list of {kind: private|bot, text, author?, created_at?}, PII
    redacted like the transcript's turns."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ExtrasError("notes must be a list of {kind, text}")
    notes = []
    for i, note in enumerate(value, start=1):
        if not isinstance(note, dict) or not isinstance(note.get("text"), str):
            raise ExtrasError(f"note {i} must be an object with a text")
        kind = note.get("kind") or "private"
        if kind not in NOTE_KINDS:
            raise ExtrasError(f"note {i}: kind must be private or bot")
        author = note.get("author")
        notes.append(
            InteractionNote(
                position=i - 1,
                kind=kind,
                author=str(author)[:AUTHOR_LENGTH] if author else None,
                text=redact_text(note["text"])[0] if redact else note["text"],
                created_at=_when(note.get("created_at")),
            )
        )
    return notes


def attach_extras(interaction: Interaction, row: Mapping[str, Any], redact: bool = True) -> None:
    """Set the row's tags and notes on a new interaction (ExtrasError when they are bad)."""
    names = parse_tags(row.get("tags"))
    notes = parse_notes(row.get("notes"), redact)
    if names:  # (an empty assignment still costs the bulk import its collection events)
        interaction.tags = names
    if notes:
        interaction.notes = notes
