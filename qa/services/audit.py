"""The audit trail: who did what to which object."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from flask_babel import force_locale

from ..extensions import db
from ..models import AuditEvent, Notification, User
from . import webhooks


def record(actor: User | None, action: str, obj: Any = None, **details: Any) -> AuditEvent:
    """Add an audit event (committed with the caller's transaction)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else None,
        object_id=getattr(obj, "id", None),
        details=details,
    )
    db.session.add(event)
    return event


def notify(user_id: int, message: str | Callable[[], str], link: str | None = None) -> Notification:
    """Queue an in-app notification for a user. A callable message is rendered (gettext) in the
    recipient's own language when they chose one, else in the current one: the stored text is
    read later by them, not by whoever caused it."""
    if callable(message):
        user = db.session.get(User, user_id)
        chosen = user.locale if user is not None else None
        with force_locale(chosen) if chosen else nullcontext():
            message = message()
    note = Notification(user_id=user_id, message=message[:255], link=link)
    db.session.add(note)
    webhooks.on_notification(note)
    return note
