"""Intercom conversations as the API exports them (`GET /conversations/{id}`): the opening
message in `source` and the rest in `conversation_parts`, each with an `author` {type, email}.
Author types: user, lead, contact -> customer; admin -> agent; bot (Fin, operator) -> a note, not
a turn. Part types: comment (a turn), note (an internal note); assignment, open, close and other
events without a body are left out. Channel from `source.type` / `source.delivered_as`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .jsonstream import BadRecord
from .model import Message, Ticket, TicketError, obj, parse_time, tag_list, users_by_id
from .text import html_to_text

__all__ = ["CHANNELS", "parse_conversation", "tickets"]

CHANNELS = {"email": "email", "conversation": "chat", "chat": "chat", "push": "chat",
            "facebook": "social", "twitter": "social", "instagram": "social",
            "whatsapp": "social", "sms": "social", "phone_call": "call", "call": "call"}  # fmt: skip
CUSTOMER = {"user", "lead", "contact"}
AGENT = {"admin", "team"}
BOT = {"bot", "operator"}


def _author(part: dict[str, Any], admins: dict[str, dict[str, Any]]) -> tuple[str, str | None]:
    author = obj(part.get("author"))
    kind = str(author.get("type", "user")).lower()
    role = "agent" if kind in AGENT else "bot" if kind in BOT else "customer"
    email = author.get("email") or (admins.get(str(author.get("id"))) or {}).get("email")
    return role, str(email).strip().lower() if email else None


def _message(part: dict[str, Any], admins: dict[str, dict[str, Any]], note: bool) -> Message:
    role, email = _author(part, admins)
    body = part.get("body")
    return Message(
        role=role,
        public=not note and role != "bot",
        text=html_to_text(body) if isinstance(body, str) else "",
        author_email=email,
        created_at=parse_time(part.get("created_at")),
    )


def _parts(raw: dict[str, Any]) -> list[dict[str, Any]]:
    parts = raw.get("conversation_parts")
    if isinstance(parts, dict):
        parts = parts.get("conversation_parts")
    return [p for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []


def parse_conversation(
    raw: Any, admins: dict[str, dict[str, Any]] | None = None, source: str = "intercom"
) -> Ticket:
    """One Intercom conversation with its parts as a Ticket."""
    if not isinstance(raw, dict) or raw.get("id") in (None, ""):
        raise TicketError("not a conversation (an object with an id)")
    admins = admins or {}
    opening = obj(raw.get("source"))
    # the opening message carries no time of its own: the conversation's
    opening = {"created_at": raw.get("created_at"), **opening}
    messages = [_message(opening, admins, note=False)] if opening.get("body") else []
    for part in _parts(raw):
        if part.get("part_type") in ("comment", "note") and part.get("body"):
            messages.append(_message(part, admins, note=part.get("part_type") == "note"))
    channel = CHANNELS.get(str(opening.get("type") or "conversation").lower(), "chat")
    # the assignee's email: from the admins list, else from a part the assignee wrote
    written = {str(a.get("id")): a.get("email") for p in [opening, *_parts(raw)]
               if isinstance(a := p.get("author"), dict) and a.get("email")}  # fmt: skip
    assignee_id = str(raw.get("admin_assignee_id"))
    assignee = (admins.get(assignee_id) or {}).get("email") or written.get(assignee_id)
    rating = raw.get("conversation_rating")
    csat = rating.get("rating") if isinstance(rating, dict) else None
    return Ticket(
        source=source,
        external_id=str(raw["id"]),
        channel=channel,
        created_at=parse_time(raw.get("created_at")),
        messages=messages,
        subject=opening.get("subject")
        or (raw.get("title") if isinstance(raw.get("title"), str) else None),
        assignee_email=str(assignee).strip().lower() if assignee else None,
        group=None,
        csat=csat
        if isinstance(csat, int) and not isinstance(csat, bool) and 1 <= csat <= 5
        else None,
        tags=tag_list(raw.get("tags")),
        solved=raw.get("state", "closed") == "closed" or raw.get("open") is False,
    )


def tickets(
    records: Iterable[Any], users: dict[str, dict[str, Any]] | None = None, source: str = "intercom"
) -> Iterator[tuple[int, Ticket | str]]:
    """(position, Ticket) or (position, reason) per conversation: a record is a conversation or
    a page {"conversations": [...], "admins": [...]}."""
    known = dict(users or {})
    position = 0
    for record in records:
        if isinstance(record, BadRecord):
            position += 1
            yield position, f"record {record.position}: {record.reason}"
            continue
        page = (record if isinstance(record, dict) and isinstance(record.get("conversations"), list)
                else None)  # fmt: skip
        if page:
            known.update(users_by_id(page.get("admins")))
        for raw in page["conversations"] if page else [record]:
            position += 1
            conv_id = raw.get("id") if isinstance(raw, dict) else None
            try:
                yield position, parse_conversation(raw, known, source)
            except TicketError as exc:
                yield position, f"conversation {conv_id}: {exc}" if conv_id else str(exc)
