"""The audit trail: who did what to which object."""

from __future__ import annotations

from typing import Any

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


def notify(user_id: int, message: str, link: str | None = None) -> Notification:
    """Queue an in-app notification for a user."""
    note = Notification(user_id=user_id, message=message[:255], link=link)
    db.session.add(note)
    webhooks.on_notification(note)
    return note
