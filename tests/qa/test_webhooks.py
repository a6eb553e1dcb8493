"""Outgoing webhooks against a real HTTP server on loopback: signed JSON per notification,
failures recorded with the reason and retried with backoff a bounded number of times, sent only
after the commit of the change that made them, http(s) only."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from qa.extensions import db
from qa.models import Role, WebhookDelivery, utcnow
from qa.services import audit, webhooks
from tests.conftest import make_user

SECRET = "s3cret-s3cret-s3cret"


class _Receiver(BaseHTTPRequestHandler):
    """Checks the signature and freshness like a receiver should; answers `status`."""

    got: list[dict] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        stamp = self.headers["X-Coachline-Timestamp"]
        expected = (
            "sha256="
            + hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        )
        valid = hmac.compare_digest(expected, self.headers["X-Coachline-Signature"])
        fresh = abs(time.time() - int(stamp)) < 300
        self.got.append({"body": json.loads(body), "valid": valid and fresh})
        self.send_response(self.status if valid and fresh else 401)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[str]:
    """A loopback HTTP server; yields its URL."""
    _Receiver.got, _Receiver.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_notification_is_posted_signed_to_subscribed_webhooks(app, receiver):
    """A calibration notification reaches the calibration webhook, signed; others skip it."""
    user = make_user(Role.REVIEWER)
    webhooks.create_webhook(receiver, SECRET, ["calibration"], actor=None)
    webhooks.create_webhook(receiver, SECRET, ["dispute"], actor=None)
    audit.notify(user.id, "Calibration to do: Week 49", "/calibration/3")
    db.session.commit()
    assert len(_Receiver.got) == 1 and _Receiver.got[0]["valid"]
    body = _Receiver.got[0]["body"]
    assert body["event"] == "notification.calibration" and body["user_id"] == user.id
    assert body["message"] == "Calibration to do: Week 49" and body["link"] == "/calibration/3"
    (delivery,) = db.session.scalars(db.select(WebhookDelivery)).all()
    assert delivery.status == "delivered" and delivery.attempts == 1


def test_failures_are_recorded_and_retried_with_backoff_up_to_the_cap(app, receiver):
    """A 500 and a refused connection are recorded with the reason; a retry waits for the
    backoff (1, 4, 16, 64 minutes after the last try) and stops at MAX_ATTEMPTS."""
    user = make_user(Role.REVIEWER)
    webhooks.create_webhook(receiver, SECRET, ["other"], actor=None)
    _Receiver.status = 500
    audit.notify(user.id, "Hello", None)
    db.session.commit()
    (delivery,) = db.session.scalars(db.select(WebhookDelivery)).all()
    assert delivery.status == "failed" and delivery.last_error == "HTTP 500"
    assert webhooks.retry_failed() == 0 and delivery.attempts == 1  # backoff not passed yet
    waits = []
    while (when := webhooks.next_try(delivery)) is not None:
        waits.append(round((when - delivery.attempted_at).total_seconds() / 60))
        webhooks.retry_failed(now=when)
    assert waits == [1, 4, 16, 64]
    assert delivery.attempts == webhooks.MAX_ATTEMPTS == len(_Receiver.got)
    _Receiver.status = 200
    assert webhooks.retry_failed(now=utcnow() + timedelta(days=1)) == 0  # out of attempts
    dead = webhooks.create_webhook("http://127.0.0.1:9/none", SECRET, ["review"], actor=None)
    audit.notify(user.id, "Reviewed", "/reviews/1")
    started = time.monotonic()
    db.session.commit()
    assert time.monotonic() - started < webhooks.TIMEOUT_SECONDS + 1
    refused = db.session.scalars(
        db.select(WebhookDelivery).where(WebhookDelivery.webhook_id == dead.id)
    ).one()
    assert refused.status == "failed" and "Error" in (refused.last_error or "")


def test_nothing_is_sent_before_the_commit_nor_for_a_rolled_back_change(app, receiver):
    """A notification's webhook waits for its transaction: nothing is POSTed before the commit,
    the commit sends it once; a rolled-back notification sends nothing and leaves no delivery
    (and is not sent by a later commit either)."""
    user = make_user(Role.REVIEWER)
    webhooks.create_webhook(receiver, SECRET, ["other"], actor=None)
    db.session.commit()
    audit.notify(user.id, "Rolled back", None)
    db.session.flush()
    assert _Receiver.got == []
    db.session.rollback()
    assert db.session.scalars(db.select(WebhookDelivery)).all() == []
    audit.notify(user.id, "Kept", None)
    assert _Receiver.got == []
    db.session.commit()
    assert [g["body"]["message"] for g in _Receiver.got] == ["Kept"]
    db.session.commit()  # a later commit sends nothing again
    assert len(_Receiver.got) == 1


def test_celery_gets_the_ids_only_after_the_commit(app, receiver):
    """With a broker configured, the committed delivery ids go to qa.deliver_webhooks after
    the commit, never before, and never for a rollback."""

    class Recorder:
        """Records send_task calls like a Celery app would receive them."""

        sent: list[tuple[str, list]] = []

        def send_task(self, name: str, args: list) -> None:
            self.sent.append((name, args))

    user = make_user(Role.REVIEWER)
    webhooks.create_webhook(receiver, SECRET, ["other"], actor=None)
    db.session.commit()
    app.extensions["celery"] = recorder = Recorder()
    try:
        audit.notify(user.id, "dropped", None)
        db.session.rollback()
        audit.notify(user.id, "kept", None)
        db.session.flush()
        assert recorder.sent == []
        db.session.commit()
    finally:
        del app.extensions["celery"]
    (delivery,) = db.session.scalars(db.select(WebhookDelivery)).all()
    assert recorder.sent == [("qa.deliver_webhooks", [[delivery.id]])]
    assert delivery.status == "pending" and _Receiver.got == []


def test_retry_command_and_beat_entry(app, receiver):
    """`flask webhooks retry` sends the due failed deliveries and says what is left; beat runs
    the same job every five minutes."""
    from qa.jobs.schedule import WEBHOOK_RETRY_TASK_NAME, beat_schedule

    user = make_user(Role.REVIEWER)
    webhooks.create_webhook(receiver, SECRET, ["other"], actor=None)
    _Receiver.status = 500
    audit.notify(user.id, "Hello", None)
    db.session.commit()
    (delivery,) = db.session.scalars(db.select(WebhookDelivery)).all()
    delivery.attempted_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    _Receiver.status = 200
    result = app.test_cli_runner().invoke(args=["webhooks", "retry"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 delivered; 0 failed deliveries left")
    db.session.refresh(delivery)
    assert delivery.status == "delivered" and delivery.attempts == 2
    entry = beat_schedule()["webhook-retry"]
    assert entry["task"] == WEBHOOK_RETRY_TASK_NAME and entry["schedule"].minute == set(range(0, 60, 5))


def test_only_http_urls_known_events_and_long_secrets():
    """file:, javascript: and hostless URLs are refused, as are unknown events and short secrets."""
    for bad in ("file:///etc/passwd", "javascript:alert(1)", "ftp://example.com/x", "http://"):
        with pytest.raises(webhooks.WebhookError):
            webhooks.check_url(bad)
    assert webhooks.check_url(" https://hooks.example.com/x ") == "https://hooks.example.com/x"
    with pytest.raises(webhooks.WebhookError):
        webhooks.create_webhook("https://hooks.example.com/x", SECRET, ["nope"], actor=None)
    with pytest.raises(webhooks.WebhookError):
        webhooks.create_webhook("https://hooks.example.com/x", "short", ["review"], actor=None)
    assert webhooks.kind_of("/disputes/4") == "dispute" and webhooks.kind_of(None) == "other"
