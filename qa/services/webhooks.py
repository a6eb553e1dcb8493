"""Outgoing webhooks (Slack/Teams-style generic ones): every in-app notification of a kind a
webhook subscribes to is POSTed to it as JSON, signed so the receiver can check it came from
here and is fresh.

Signature: ``X-Coachline-Signature: sha256=<hex>``, the HMAC-SHA256 with the webhook's secret of
``<timestamp>.<body>``, where ``X-Coachline-Timestamp`` is the Unix time of sending; a receiver
refuses a timestamp more than a few minutes old (replay). Deliveries are recorded with their
attempts and the last failure, and retried up to MAX_ATTEMPTS times.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from flask_babel import gettext
from sqlalchemy import select

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
MAX_ATTEMPTS = 3
TIMEOUT_SECONDS = 2.0  # inline delivery: the user's request waits at most this long


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
    """The hook where notifications are made: queue the deliveries and send them, inline with
    a short timeout, or on Celery when it is configured (the worker retries them)."""
    deliveries = queue_for(note)
    if not deliveries:
        return
    celery = current_app.extensions.get("celery") if has_app_context() else None
    if celery is None:
        for delivery in deliveries:
            deliver(delivery)
        return
    # the rows commit with the caller's transaction; the task waits a moment and retries
    celery.send_task("qa.deliver_webhooks", args=[[d.id for d in deliveries]], countdown=2)


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


def deliver_ids(ids: Iterable[int], timeout: float = TIMEOUT_SECONDS) -> int:
    """Deliver the named deliveries (a job); how many got through."""
    done = 0
    for delivery_id in ids:
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is not None and deliver(delivery, timeout):
            done += 1
    return done


def retry_failed(timeout: float = TIMEOUT_SECONDS) -> int:
    """Try the failed deliveries with attempts left once more; how many got through."""
    ids = db.session.scalars(
        select(WebhookDelivery.id).where(
            WebhookDelivery.status == "failed", WebhookDelivery.attempts < MAX_ATTEMPTS
        )
    ).all()
    return deliver_ids(ids, timeout)
