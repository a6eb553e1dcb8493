"""Outgoing webhooks (Slack/Teams-style generic ones): every in-app notification of a kind a
webhook subscribes to is POSTed to it as JSON, signed so the receiver can check it came from
here and is fresh.

Signature: ``X-Coachline-Signature: sha256=<hex>``, the HMAC-SHA256 with the webhook's secret of
``<timestamp>.<body>``, where ``X-Coachline-Timestamp`` is the Unix time of sending; a receiver
refuses a timestamp more than a few minutes old (replay). Deliveries are recorded with their
attempts and the last failure, and retried up to MAX_ATTEMPTS times.

Nothing is sent before the change that made the notification commits: the deliveries are
queued in the session and sent from its after_commit hook (inline, or as a Celery task); a
rolled-back transaction takes its deliveries with it and sends nothing. Failed deliveries are
tried again by `retry_failed`, with a backoff of BACKOFF_SECONDS x 4^(attempts - 1) between
tries: Celery beat runs it every few minutes (qa.jobs.schedule), `flask webhooks retry` does it
for the inline deployment (cron).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from flask_babel import gettext
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from ..extensions import db
from ..models import Notification, User, Webhook, WebhookDelivery, utcnow

# Notification kinds, by the page a notification links to.
KINDS = {
    "review": "Reviews submitted and acknowledged",
    "dispute": "Disputes opened and decided",
    "calibration": "Calibration sessions to do",
    "coaching": "Coaching sessions and training",
    "other": "Everything else",
}
_PREFIXES = {
    "/reviews": "review",
    "/feedback": "review",
    "/disputes": "dispute",
    "/calibration": "calibration",
    "/coaching": "coaching",
    "/training": "coaching",
}
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 60  # before the 2nd try; then 4, 16 and 64 minutes
TIMEOUT_SECONDS = 2.0  # inline delivery: the user's request waits at most this long
_PENDING = "qa.webhook_deliveries"  # Session.info key: delivery ids to send after the commit


class WebhookError(ValueError):
    """A webhook the admin page refuses."""


def check_url(url: str) -> str:
    """The URL, stripped; only http(s) with a host."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(gettext("a webhook URL must be http:// or https:// with a host"))
    if len(url) > 500:
        raise WebhookError(gettext("the webhook URL is too long"))
    return url


def create_webhook(url: str, secret: str, kinds: Iterable[str], actor: User | None) -> Webhook:
    """A new active webhook for the given notification kinds."""
    chosen = sorted(set(kinds))
    if not chosen or set(chosen) - set(KINDS):
        raise WebhookError(gettext("pick at least one known event"))
    if len(secret or "") < 16:
        raise WebhookError(gettext("the secret needs at least 16 characters"))
    hook = Webhook(url=check_url(url), secret=secret, events=",".join(chosen), active=True)
    db.session.add(hook)
    db.session.flush()
    return hook


def kind_of(link: str | None) -> str:
    """The notification kind, from the page it links to."""
    for prefix, kind in _PREFIXES.items():
        if (link or "").startswith(prefix):
            return kind
    return "other"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, "<timestamp>." + body)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def queue_for(note: Notification) -> list[WebhookDelivery]:
    """A pending delivery to every active webhook subscribed to the notification's kind."""
    kind = kind_of(note.link)
    hooks = [
        h
        for h in db.session.scalars(select(Webhook).where(Webhook.active.is_(True)))
        if kind in h.events.split(",")
    ]
    if not hooks:
        return []
    body = json.dumps(
        {
            "event": f"notification.{kind}",
            "user_id": note.user_id,
            "message": note.message,
            "link": note.link,
            "created_at": (note.created_at or utcnow()).isoformat(timespec="seconds") + "Z",
        },
        sort_keys=True,
    )
    made = [WebhookDelivery(webhook=h, event=f"notification.{kind}", payload=body) for h in hooks]
    db.session.add_all(made)
    db.session.flush()
    return made


def on_notification(note: Notification) -> None:
    """The hook where notifications are made: queue the deliveries, to be sent once the
    caller's transaction commits."""
    deliveries = queue_for(note)
    if deliveries:
        db.session.info.setdefault(_PENDING, []).extend(d.id for d in deliveries)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    """The transaction that queued deliveries committed: send them now."""
    ids = session.info.pop(_PENDING, None)
    if ids and has_app_context():
        send_committed(ids)


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ends without its after_commit (rolled back, or closed) left its
    deliveries queued: their rows are gone, forget them (a savepoint's end is not the end)."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def send_committed(ids: list[int]) -> None:
    """Send committed deliveries: as one Celery task when a broker is configured, else inline
    with a short timeout, in a session of their own (the committing session cannot run SQL in
    its after_commit hook)."""
    celery = current_app.extensions.get("celery")
    if celery is not None:
        celery.send_task("qa.deliver_webhooks", args=[ids])
        return
    with Session(db.engine) as session:
        deliver_ids(ids, session=session)
        session.commit()


def deliver(delivery: WebhookDelivery, timeout: float = TIMEOUT_SECONDS) -> bool:
    """POST the delivery once; record the outcome. Never raises for a network failure."""
    if delivery.status == "delivered" or delivery.attempts >= MAX_ATTEMPTS:
        return delivery.status == "delivered"
    body = delivery.payload.encode()
    stamp = int(time.time())
    request = urllib.request.Request(
        check_url(delivery.webhook.url),
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Coachline-Webhook/1",
            "X-Coachline-Event": delivery.event,
            "X-Coachline-Timestamp": str(stamp),
            "X-Coachline-Signature": sign(delivery.webhook.secret, stamp, body),
        },
    )
    delivery.attempts += 1
    delivery.attempted_at = utcnow()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) checked)
            ok = 200 <= response.status < 300
            error = None if ok else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        ok, error = False, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:  # refused, timed out, bad host
        ok, error = False, f"{type(exc).__name__}: {exc}"[:500]
    delivery.status = "delivered" if ok else "failed"
    delivery.last_error = error
    delivery.delivered_at = utcnow() if ok else None
    return ok


def deliver_ids(
    ids: Iterable[int], timeout: float = TIMEOUT_SECONDS, session: Session | None = None
) -> int:
    """Deliver the named deliveries once each (a job); how many got through."""
    get = session.get if session is not None else db.session.get
    done = 0
    for delivery_id in ids:
        delivery = get(WebhookDelivery, delivery_id)
        if delivery is not None and deliver(delivery, timeout):
            done += 1
    return done


def next_try(delivery: WebhookDelivery) -> datetime | None:
    """When a failed delivery may be tried again (None: delivered, or out of attempts)."""
    if delivery.status != "failed" or delivery.attempts >= MAX_ATTEMPTS:
        return None
    last = delivery.attempted_at or delivery.created_at
    return last + timedelta(seconds=BACKOFF_SECONDS * 4 ** max(delivery.attempts - 1, 0))


def retry_failed(timeout: float = TIMEOUT_SECONDS, now: datetime | None = None) -> int:
    """Try once more the failed deliveries with attempts left whose backoff has passed; how
    many got through (the caller commits)."""
    now = now or utcnow()
    due = [
        d.id
        for d in db.session.scalars(
            select(WebhookDelivery).where(
                WebhookDelivery.status == "failed", WebhookDelivery.attempts < MAX_ATTEMPTS
            )
        )
        if (when := next_try(d)) is not None and when <= now
    ]
    return deliver_ids(due, timeout)
