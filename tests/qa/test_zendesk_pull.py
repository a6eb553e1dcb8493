"""The Zendesk pull connector against a local fake of the Incremental Export API (http.server
in a thread on loopback, replaying recorded-shape responses from tests/data/helpdesk/zendesk_api):
pages and comments stored with the cursor, 429 Retry-After honoured, bounded retries, a run that
fails mid-way resumed from the stored cursor, and the `flask zendesk pull` command."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from qa.extensions import db
from qa.importers.zendesk_api import MAX_WAIT_SECONDS, ZendeskClient
from qa.models import ImportSource, Interaction, Role
from qa.services.ingest import IngestSettings
from qa.services.zendesk_pull import ConnectorError, pull
from tests.conftest import make_team, make_user

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "helpdesk" / "zendesk_api"
EMAIL, TOKEN = "bot@acme.test", "s3cret"


class FakeZendesk:
    """Serves the fixtures by route; `script[name]` lists failures (status, headers) to answer
    first for that fixture; `requests` records each path and query."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.script: dict[str, list[tuple[int, dict[str, str]]]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802  (http.server's name)
                fake.requests.append(self.path)
                status, headers, body = fake.answer(self.path, self.headers.get("Authorization"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def fixture(self, path: str) -> str | None:
        url = urlsplit(path)
        query = parse_qs(url.query)
        if url.path == "/api/v2/incremental/tickets/cursor.json":
            return f"tickets_{query['cursor'][0]}" if "cursor" in query else "tickets_start"
        parts = url.path.strip("/").split("/")
        if parts[:3] == ["api", "v2", "tickets"] and parts[-1] == "comments.json":
            page = query.get("page", ["1"])[0]
            return f"comments_{parts[3]}" + ("" if page == "1" else f"_p{page}")
        return None

    def answer(self, path: str, auth: str | None) -> tuple[int, dict[str, str], bytes]:
        expected = "Basic " + base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
        if auth != expected:
            return 401, {}, b'{"error": "Couldn\'t authenticate you"}'
        name = self.fixture(path)
        if name is None or not (FIXTURES / f"{name}.json").is_file():
            return 404, {}, b'{"error": "RecordNotFound"}'
        if self.script.get(name):
            status, headers = self.script[name].pop(0)
            return status, headers, json.dumps({"error": status}).encode()
        return 200, {}, (FIXTURES / f"{name}.json").read_bytes()

    def ticket_requests(self) -> list[str]:
        return [r for r in self.requests if "incremental" in r]


@pytest.fixture
def fake() -> Iterator[FakeZendesk]:
    server = FakeZendesk()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture
def agents(app):  # type: ignore[no-untyped-def]
    team = make_team()
    for email in ("ana@acme.test", "bea@acme.test"):
        make_user(Role.AGENT, team=team).email = email
    db.session.commit()


def _client(fake: FakeZendesk, sleeps: list[float], retries: int = 3) -> ZendeskClient:
    return ZendeskClient(fake.url, EMAIL, TOKEN, sleep=sleeps.append, max_retries=retries)


def _ids() -> list[str]:
    return sorted(db.session.scalars(select(Interaction.external_id)))


def test_pull_stores_pages_comments_and_cursor_and_waits_out_a_429(app, agents, fake):
    """The first page answers 429 with Retry-After: 7 once: the client sleeps 7 s and goes on.
    Both pages land (comments of every page, the deleted ticket left out), a ticket seen again
    on page 2 updates its tags and CSAT, and the cursor of the last page is stored."""
    fake.script["tickets_start"] = [(429, {"Retry-After": "7"})]
    sleeps: list[float] = []
    run = pull(_client(fake, sleeps), settings=IngestSettings.from_config(app.config))
    assert sleeps == [7.0]
    assert _ids() == ["3001", "3002", "3003"]
    assert run.pages == 2 and run.report.updated == 1 and run.report.errors == []
    state = db.session.scalars(select(ImportSource)).one()
    assert (state.cursor, state.status, state.pages, state.start_time) == ("c2", "done", 2, 0)
    refund = db.session.scalars(select(Interaction).where(Interaction.external_id == "3001")).one()
    assert refund.tags == ["refund", "vip"] and refund.csat == 5 and refund.queue == "Billing N1"
    assert [s.speaker for s in refund.transcript.segments] == ["customer", "agent"]
    assert refund.transcript.segments[1].text.endswith("within 5 days.")  # quote cut
    assert [n.text for n in refund.notes] == ["Refund was issued on the 20th."]
    # the next_page URL named the real Zendesk host: only its path was asked, of the fake
    assert "/api/v2/tickets/3001/comments.json?page=2" in fake.requests
    assert fake.ticket_requests()[0].startswith(
        "/api/v2/incremental/tickets/cursor.json?start_time=0"
    )


def test_a_run_failing_mid_way_resumes_from_the_stored_cursor(app, agents, fake):
    """Page 2 keeps answering 503: after its bounded retries (backing off 1, 2 s) the run
    fails with the reason stored, page 1 and its cursor kept. The next run asks for the stored
    cursor (not start_time again) and imports the rest; nothing is imported twice."""
    fake.script["tickets_c1"] = [(503, {})] * 3
    sleeps: list[float] = []
    settings = IngestSettings.from_config(app.config)
    with pytest.raises(ConnectorError, match="503"):
        pull(_client(fake, sleeps, retries=2), settings=settings, start_time=1795000000)
    assert sleeps == [1.0, 2.0]
    state = db.session.scalars(select(ImportSource)).one()
    assert (state.cursor, state.status, state.pages) == ("c1", "failed", 1)
    assert "503" in (state.last_error or "")
    assert _ids() == ["3001", "3002"]
    fake.requests.clear()
    run = pull(_client(fake, sleeps), settings=settings)
    assert fake.ticket_requests()[0] == (
        "/api/v2/incremental/tickets/cursor.json?cursor=c1&include=users%2Cgroups"
    )
    assert not any("start_time" in r for r in fake.requests)
    assert _ids() == ["3001", "3002", "3003"] and run.report.created != []
    assert db.session.scalars(select(ImportSource)).one().cursor == "c2"


def test_rate_limit_retries_are_bounded_and_retry_after_is_capped(app, agents, fake):
    """A 429 that never ends: at most max_retries sleeps, each Retry-After capped, then a
    one-line ConnectorError; nothing stored, no cursor."""
    fake.script["tickets_start"] = [(429, {"Retry-After": "100000"})] * 10
    sleeps: list[float] = []
    with pytest.raises(ConnectorError, match="still failing after 2 retries"):
        pull(_client(fake, sleeps, retries=2), settings=IngestSettings.from_config(app.config))
    assert sleeps == [MAX_WAIT_SECONDS, MAX_WAIT_SECONDS]
    assert _ids() == [] and db.session.scalars(select(ImportSource)).one().cursor is None


def test_cli_pull_and_its_one_line_errors(app, agents, fake):
    """`flask zendesk pull` reads the QA_ZENDESK_* settings, imports and prints the cursor;
    wrong credentials and missing settings are one-line errors (exit 1), no traceback."""
    app.config.update(ZENDESK_BASE_URL=fake.url, ZENDESK_EMAIL=EMAIL, ZENDESK_TOKEN="wrong")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["zendesk", "pull", "--no-process"])
    assert refused.exit_code == 1 and "401" in refused.output and "Traceback" not in refused.output
    app.config["ZENDESK_TOKEN"] = TOKEN
    done = runner.invoke(args=["zendesk", "pull", "--no-process"])
    assert done.exit_code == 0, done.output
    assert "imported 3" in done.output and "cursor stored: c2" in done.output
    status = runner.invoke(args=["zendesk", "status"])
    assert "done, 2 page(s)" in status.output
    app.config["ZENDESK_TOKEN"] = None
    missing = runner.invoke(args=["zendesk", "pull"])
    assert missing.exit_code == 1 and "QA_ZENDESK_TOKEN" in missing.output
