"""Zendesk tickets: the JSON export (one ticket a record, its `comments` embedded) and the
Incremental Export API's pages (`{"tickets": [...], "users": [...], "groups": [...]}` with the
comments side-loaded as `ticket_events` comment child events, a `comments` list carrying
`ticket_id`, or fetched per ticket by the pull connector and embedded).

Authors: a user's `role` from the users side-load (end-user -> customer, agent/admin -> agent);
without it, the requester is the customer, the assignee and the writers of private comments are
agents, and any other public author is taken as the customer (a CC). Channel from `via.channel`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .jsonstream import BadRecord
from .model import Message, Ticket, TicketError, obj, parse_time, tag_list, users_by_id
from .text import html_to_text

__all__ = ["CHANNELS", "parse_ticket", "tickets"]

CHANNELS = {
    "email": "email", "web": "email", "mail": "email", "api": "email", "web_form": "email",
    "chat": "chat", "chat_transcript": "chat", "native_messaging": "chat", "messaging": "chat",
    "mobile_sdk": "chat", "sdk": "chat", "web_widget": "chat", "mobile": "chat",
    "voice": "call", "phone": "call", "phone_call_inbound": "call", "phone_call_outbound": "call",
    "twitter": "social", "facebook": "social", "instagram_dm": "social", "whatsapp": "social",
    "any_channel": "social", "line": "social", "wechat": "social", "telegram": "social",
}  # fmt: skip
SOLVED = {"solved", "closed"}
CSAT = {"good": 5, "bad": 1}


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _email(users: dict[str, dict[str, Any]], user_id: Any, embedded: Any = None) -> str | None:
    if isinstance(embedded, dict) and embedded.get("email"):
        return str(embedded["email"]).strip().lower()
    user = users.get(str(user_id)) if user_id is not None else None
    return user["email"] if user else None


def _role(comment: dict[str, Any], raw: dict[str, Any], users: dict[str, dict[str, Any]]) -> str:
    author = _id(comment.get("author_id"))
    role = (users.get(author) or {}).get("role") if author else None
    if role in ("agent", "admin"):
        return "agent"
    if role == "end-user" or author == _id(raw.get("requester_id")):
        return "customer"
    if author == _id(raw.get("assignee_id")) or comment.get("public") is False:
        return "agent"
    return "customer"


def _body(comment: dict[str, Any]) -> str:
    html = comment.get("html_body")
    if isinstance(html, str) and html.strip():
        return html_to_text(html)
    for key in ("plain_body", "body"):
        if isinstance(comment.get(key), str):
            return str(comment[key])
    return ""


def _csat(rating: Any) -> int | None:
    score = rating.get("score") if isinstance(rating, dict) else rating
    if isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= 5:
        return score
    return CSAT.get(str(score).lower()) if isinstance(score, str) else None


def parse_ticket(
    raw: Any,
    users: dict[str, dict[str, Any]] | None = None,
    groups: dict[str, str] | None = None,
    comments: list[dict[str, Any]] | None = None,
    source: str = "zendesk",
) -> Ticket:
    """One ticket (with `comments` embedded, or given apart) as a Ticket; TicketError if it is
    not a ticket."""
    if not isinstance(raw, dict) or raw.get("id") in (None, ""):
        raise TicketError("not a ticket (an object with an id)")
    users = users or {}
    via = obj(raw.get("via"))
    listed = comments if comments is not None else raw.get("comments")
    if not isinstance(listed, list):
        listed = []
    messages = [
        Message(
            role=_role(c, raw, users),
            public=c.get("public") is not False,
            text=_body(c),
            author_email=_email(users, c.get("author_id"), c.get("author")),
            created_at=parse_time(c.get("created_at")),
        )
        for c in listed
        if isinstance(c, dict)
    ]
    return Ticket(
        source=source,
        external_id=str(raw["id"]),
        channel=CHANNELS.get(str(via.get("channel", "email")).lower(), "email"),
        created_at=parse_time(raw.get("created_at")),
        messages=messages,
        subject=raw.get("subject") or raw.get("raw_subject"),
        assignee_email=_email(users, raw.get("assignee_id"), raw.get("assignee")),
        group=(groups or {}).get(str(raw.get("group_id"))),
        csat=_csat(raw.get("satisfaction_rating")),
        tags=tag_list(raw.get("tags")),
        solved=str(raw.get("status", "solved")).lower() in SOLVED,
    )


def _side_comments(page: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Comments side-loaded on a page, by ticket id: `ticket_events` (their Comment child
    events, written by the audit's updater unless they say otherwise) or `comments`."""
    found: dict[str, list[dict[str, Any]]] = {}
    for event in page.get("ticket_events") or []:
        if not isinstance(event, dict):
            continue
        for child in event.get("child_events") or []:
            if isinstance(child, dict) and child.get("event_type") == "Comment":
                comment = {"author_id": event.get("updater_id"),
                           "created_at": event.get("created_at") or event.get("timestamp"),
                           **child}  # fmt: skip
                found.setdefault(str(event.get("ticket_id")), []).append(comment)
    for comment in page.get("comments") or []:
        if isinstance(comment, dict) and comment.get("ticket_id") is not None:
            found.setdefault(str(comment["ticket_id"]), []).append(comment)
    return found


def tickets(
    records: Iterable[Any], users: dict[str, dict[str, Any]] | None = None, source: str = "zendesk"
) -> Iterator[tuple[int, Ticket | str]]:
    """(position, Ticket) or (position, reason) for every ticket of the export's records (a
    record is a ticket, or a page of tickets with side-loads); position is the ticket's 1-based
    ordinal in the export, and each reason names the ticket id when there is one."""
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
        known.update(users_by_id(page.get("users")) if page else {})
        groups = {str(g.get("id")): str(g.get("name")) for g in (page or {}).get("groups") or []
                  if isinstance(g, dict)}  # fmt: skip
        side = _side_comments(page) if page else {}
        for raw in page["tickets"] if page else [record]:
            position += 1
            ticket_id = raw.get("id") if isinstance(raw, dict) else None
            try:
                comments = side.get(str(ticket_id)) if side else None
                yield position, parse_ticket(raw, known, groups, comments, source)
            except TicketError as exc:
                yield position, f"ticket {ticket_id}: {exc}" if ticket_id else str(exc)
