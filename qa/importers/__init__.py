"""Helpdesk exports read as they come (issue 17): Zendesk, Freshdesk and Intercom records made
into Tickets, then into the ingest rows `qa.services.ingest.ingest_rows` stores. Framework-free:
no Flask, no database (qa/services/helpdesk.py is the workflow that stores them).

    iter_records(stream)                 JSON array / JSON lines, streamed (jsonstream)
    FORMATS[name](records, users, source) -> (position, Ticket | reason) per ticket
    Ticket.to_row()                      the ingest row: turns, notes, tags, CSAT, first response
    html_to_text, clean_email            bodies (text)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import freshdesk, intercom, zendesk
from .jsonstream import BadRecord, iter_records
from .model import Message, Ticket, TicketError, users_by_id
from .text import clean_email, html_to_text, strip_quoted, strip_signature

Reader = Callable[
    [Iterable[Any], "dict[str, dict[str, Any]] | None", str], Iterator[tuple[int, Ticket | str]]
]
FORMATS: dict[str, Reader] = {
    "zendesk": zendesk.tickets,
    "freshdesk": freshdesk.tickets,
    "intercom": intercom.tickets,
}

__all__ = [
    "FORMATS",
    "BadRecord",
    "Message",
    "Ticket",
    "TicketError",
    "clean_email",
    "html_to_text",
    "iter_records",
    "strip_quoted",
    "strip_signature",
    "users_by_id",
]
