"""Outgoing webhooks against a real HTTP server on loopback: signed JSON per notification,
failures recorded with the reason and retried a bounded number of times, http(s) only."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from qa.extensions import db
from qa.models import Role, WebhookDelivery
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


def test_failures_are_recorded_and_retried_a_bounded_number_of_times(app, receiver):
    """A 500 and a refused connection are recorded with the reason; retries stop at the limit."""
    user = make_user(Role.REVIEWER)
    webhooks.create_webhook(receiver, SECRET, ["other"], actor=None)
    _Receiver.status = 500
    audit.notify(user.id, "Hello", None)
    (delivery,) = db.session.scalars(db.select(WebhookDelivery)).all()
    assert delivery.status == "failed" and delivery.last_error == "HTTP 500"
    for _ in range(5):
        webhooks.retry_failed()
    assert delivery.attempts == webhooks.MAX_ATTEMPTS and len(_Receiver.got) == 3
    _Receiver.status = 200
    assert webhooks.retry_failed() == 0  # out of attempts
    dead = webhooks.create_webhook("http://127.0.0.1:9/none", SECRET, ["review"], actor=None)
    started = time.monotonic()
    audit.notify(user.id, "Reviewed", "/reviews/1")
    assert time.monotonic() - started < webhooks.TIMEOUT_SECONDS + 1
    refused = db.session.scalars(
        db.select(WebhookDelivery).where(WebhookDelivery.webhook_id == dead.id)
    ).one()
    assert refused.status == "failed" and "Error" in (refused.last_error or "")


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
