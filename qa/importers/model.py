"""What every helpdesk export is read into (a Ticket with its Messages), and the ingest row a
Ticket becomes (the columns of qa/services/interactions.py's IMPORT_COLUMNS, plus tags and notes).

Decisions, the same for every format:
- the customer's messages are customer turns, the agents' public replies are agent turns, in
  time order; internal notes (Zendesk private comments, Freshdesk private notes, Intercom notes)
  and bot messages are not turns the customer saw and are kept apart as the interaction's notes
  (stored, shown on the interaction page, never scored);
- email bodies lose their quoted replies and signatures (text.clean_email); chat text is kept;
- the interaction's agent is the ticket's assignee, else the agent who replied most; an agent is
  found by email, case-insensitively, among the Coachline agents: never created;
- first response = the first public agent reply after the ticket was opened;
- CSAT: a 1-5 number as is; Zendesk "good"/"bad" as 5/1.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .text import clean_email

__all__ = ["Message", "Ticket", "TicketError", "parse_time", "users_by_id"]


class TicketError(ValueError):
    """A ticket that cannot become an interaction; the message says why."""


@dataclass(frozen=True)
class Message:
    """One comment / conversation part: who wrote it (customer, agent, bot), whether the
    customer saw it, and its text."""

    role: str  # customer | agent | bot
    public: bool
    text: str
    author_email: str | None = None
    created_at: datetime | None = None


@dataclass
class Ticket:
    """A ticket or conversation as the exports describe it."""

    source: str
    external_id: str
    channel: str  # call | chat | email | social
    created_at: datetime | None
    messages: list[Message] = field(default_factory=list)
    subject: str | None = None
    assignee_email: str | None = None
    group: str | None = None
    csat: int | None = None
    tags: list[str] = field(default_factory=list)
    solved: bool = True

    def agent_email(self) -> str | None:
        """The assignee, else the agent with the most public replies."""
        if self.assignee_email:
            return self.assignee_email.strip().lower()
        replies = Counter(
            m.author_email.strip().lower()
            for m in self.messages
            if m.role == "agent" and m.public and m.author_email
        )
        return replies.most_common(1)[0][0] if replies else None

    def to_row(self) -> dict[str, Any]:
        """The ingest row (validated by ingest_rows like any imported row)."""
        if self.created_at is None:
            raise TicketError("no created_at")
        email = self.channel == "email"
        turns, notes = [], []
        for m in sorted(self.messages, key=_order):
            text = clean_email(m.text) if email else m.text.strip()
            if not text:
                continue
            if m.public and m.role in ("customer", "agent"):
                turns.append({"speaker": m.role, "text": text})
            else:
                notes.append({"kind": "bot" if m.role == "bot" else "private",
                              "author": m.author_email, "text": text,
                              "created_at": m.created_at.isoformat() if m.created_at else None})  # fmt: skip
        return {
            "source": self.source,
            "external_id": self.external_id,
            "channel": self.channel,
            "agent_email": self.agent_email(),
            "started_at": self.created_at,
            "subject": self.subject,
            "queue": self.group,
            "csat": self.csat,
            "first_response_seconds": self._first_response(),
            "tags": self.tags,
            "turns": turns,
            "notes": notes,
        }

    def _first_response(self) -> float | None:
        if self.created_at is None:
            return None
        times = [
            m.created_at
            for m in self.messages
            if m.role == "agent" and m.public and m.created_at and m.created_at >= self.created_at
        ]
        return (min(times) - self.created_at).total_seconds() if times else None


def _order(m: Message) -> tuple[int, datetime]:
    return (0, m.created_at) if m.created_at else (1, datetime.min)


def obj(value: Any) -> dict[str, Any]:
    """The value when it is a JSON object, else an empty one (exports leave fields out)."""
    return value if isinstance(value, dict) else {}


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 string or a Unix timestamp as naive UTC; None when absent or unreadable."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def users_by_id(users: Any) -> dict[str, dict[str, Any]]:
    """Users side-loaded or exported apart (Zendesk users, Freshdesk agents and contacts,
    Intercom admins), by id as text: {"email", "role", "name"}."""
    found: dict[str, dict[str, Any]] = {}
    for user in users if isinstance(users, list) else []:
        if not isinstance(user, dict) or user.get("id") is None:
            continue
        contact = obj(user.get("contact"))
        email = user.get("email") or contact.get("email")
        role = user.get("role") or user.get("type") or ("agent" if contact else None)
        found[str(user["id"])] = {
            "email": str(email).strip().lower() if email else None,
            "role": str(role).lower() if role else None,
            "name": user.get("name") or contact.get("name"),
        }
    return found


def tag_list(value: Any) -> list[str]:
    """Tags as a list of names: a list of strings, a list of {name} objects (Intercom), or an
    object holding such a list under "tags"."""
    if isinstance(value, dict):
        value = value.get("tags")
    names = []
    for tag in value if isinstance(value, list) else []:
        name = tag.get("name") if isinstance(tag, dict) else tag
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names
