"""Freshdesk tickets as the API exports them (`GET /api/v2/tickets/{id}?include=conversations,
requester`): the ticket's `description` (HTML) is the requester's first message, then each
conversation: `incoming` true is the customer's, false an agent's reply, `private` true an
internal note. Bodies are HTML (`body`; `body_text` when there is no HTML).

Agents are found by email through an agents/contacts list (`--users`, or an `agents` side-load
on a page `{"tickets": [...], "agents": [...]}`), the `responder` object when embedded, or the
conversation's `from_email` for agent replies. Channel from the numeric `source`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .jsonstream import BadRecord
from .model import Message, Ticket, TicketError, parse_time, tag_list, users_by_id
from .text import html_to_text

__all__ = ["CHANNELS", "parse_ticket", "tickets"]

# 1 email, 2 portal, 3 phone, 4 forum, 5 Twitter, 6 Facebook, 7 chat, 8 mobihelp,
# 9 feedback widget, 10 outbound email, 11 e-commerce, 12 bot, 13 WhatsApp
CHANNELS = {1: "email", 2: "email", 3: "call", 4: "social", 5: "social", 6: "social", 7: "chat",
            8: "chat", 9: "email", 10: "email", 11: "email", 12: "chat", 13: "social"}  # fmt: skip
OUTBOUND = 10
SOLVED = {4, 5}  # resolved, closed
# satisfaction ratings: 103 extremely happy ... -103 extremely unhappy, on the classic scale
RATINGS = {103: 5, 102: 5, 101: 4, 100: 3, -101: 2, -102: 1, -103: 1}


def _body(item: dict[str, Any], html_key: str, text_key: str) -> str:
    html = item.get(html_key)
    if isinstance(html, str) and html.strip():
        return html_to_text(html)
    text = item.get(text_key)
    return text if isinstance(text, str) else ""


def _csat(rating: Any) -> int | None:
    if isinstance(rating, list):
        rating = rating[0] if rating else None
    if not isinstance(rating, dict):
        return None
    ratings = rating.get("ratings")
    value = ratings.get("default_question") if isinstance(ratings, dict) else rating.get("rating")
    return RATINGS.get(value) if isinstance(value, int) else None


def _user_email(users: dict[str, dict[str, Any]], user_id: Any, embedded: Any = None) -> str | None:
    if isinstance(embedded, dict) and embedded.get("email"):
        return str(embedded["email"]).strip().lower()
    user = users.get(str(user_id)) if user_id is not None else None
    return user["email"] if user else None


def parse_ticket(
    raw: Any, users: dict[str, dict[str, Any]] | None = None, source: str = "freshdesk"
) -> Ticket:
    """One Freshdesk ticket with its conversations as a Ticket."""
    if not isinstance(raw, dict) or raw.get("id") in (None, ""):
        raise TicketError("not a ticket (an object with an id)")
    users = users or {}
    requester = _user_email(users, raw.get("requester_id"), raw.get("requester"))
    created = parse_time(raw.get("created_at"))
    outbound = raw.get("source") == OUTBOUND  # the ticket was opened by an agent's email
    messages = [Message("agent" if outbound else "customer", True,
                        _body(raw, "description", "description_text"),
                        None if outbound else requester, created)]  # fmt: skip
    conversations = raw.get("conversations")
    for c in conversations if isinstance(conversations, list) else []:
        if not isinstance(c, dict):
            continue
        incoming = bool(c.get("incoming"))
        email = _user_email(users, c.get("user_id"))
        if email is None and not incoming and isinstance(c.get("from_email"), str):
            email = c["from_email"].strip().lower()
        messages.append(
            Message(
                role="customer" if incoming else "agent",
                public=not c.get("private"),
                text=_body(c, "body", "body_text"),
                author_email=email,
                created_at=parse_time(c.get("created_at")),
            )
        )
    return Ticket(
        source=source,
        external_id=str(raw["id"]),
        channel=CHANNELS.get(raw["source"] if isinstance(raw.get("source"), int) else 1, "email"),
        created_at=created,
        messages=messages,
        subject=raw.get("subject"),
        assignee_email=_user_email(users, raw.get("responder_id"), raw.get("responder")),
        group=(raw.get("group") or {}).get("name") if isinstance(raw.get("group"), dict) else None,
        csat=_csat(raw.get("satisfaction_rating") or raw.get("satisfaction_ratings")),
        tags=tag_list(raw.get("tags")),
        solved=raw.get("status", 4) in SOLVED,
    )


def tickets(
    records: Iterable[Any],
    users: dict[str, dict[str, Any]] | None = None,
    source: str = "freshdesk",
) -> Iterator[tuple[int, Ticket | str]]:
    """(position, Ticket) or (position, reason) for every ticket of the export, as
    zendesk.tickets: a record is a ticket or a page {"tickets", "agents", "contacts"}."""
    known = dict(users or {})
    position = 0
    for record in records:
        if isinstance(record, BadRecord):
            position += 1
            yield position, f"record {record.position}: {record.reason}"
            continue
        page = (
            record if isinstance(record, dict) and isinstance(record.get("tickets"), list) else None
        )
        if page:
            for key in ("agents", "contacts", "users"):
                known.update(users_by_id(page.get(key)))
        for raw in page["tickets"] if page else [record]:
            position += 1
            ticket_id = raw.get("id") if isinstance(raw, dict) else None
            try:
                yield position, parse_ticket(raw, known, source)
            except TicketError as exc:
                yield position, f"ticket {ticket_id}: {exc}" if ticket_id else str(exc)
