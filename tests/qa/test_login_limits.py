"""The sign-in limit holds per account and per address across worker processes (issue 19, item 7):
attempts are counted in the database, which every process shares, not in a per-process memory."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from qa import create_app
from qa.extensions import db
from qa.models import LoginAttempt, Role
from tests.conftest import ON_POSTGRES, PASSWORD, Client, make_user

ROOT = Path(__file__).resolve().parents[2]
LOCKED = "Too many attempts for this account or from this address."


def attempts(app, tries: list[tuple[str, str, str]]) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """Sign-in attempts (email, password, client address) in a fresh client of `app`: status codes
    and the page's flash message."""
    client = Client(app.test_client())  # clears the per-context caches between requests
    results = []
    for email, password, address in tries:
        env = {"REMOTE_ADDR": address}
        page = client.get("/login", environ_base=env).get_data(as_text=True)
        client.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/login", {"email": email, "password": password}, environ_base=env)
        flash = re.search(r'<p class="flash [a-z]+" role="status">([^<]*)</p>', response.text)
        results.append((response.status_code, flash.group(1) if flash else ""))
        client.c.delete_cookie("session")  # the next attempt comes from a new browser
    return results


def _app(url: str, limit: str):  # type: ignore[no-untyped-def]
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "LOGIN_RATE_LIMIT": limit})


def in_other_process(url: str, limit: str, tries: list[tuple[str, str, str]]) -> list[list]:
    """Run `attempts` in a separate Python process (a second worker) on the same database."""
    code = (
        "import json, sys\n"
        "from tests.qa.test_login_limits import _app, attempts\n"
        "app = _app(sys.argv[1], sys.argv[2])\n"
        "with app.app_context():\n"
        "    print(json.dumps(attempts(app, json.loads(sys.argv[3]))))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code, url, limit, json.dumps(tries)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def shared(database_url):  # type: ignore[no-untyped-def]
    """An app on a database file (or PostgreSQL database) that another process can open, with one
    agent; yields (app, url, agent email)."""
    app = _app(database_url, "4 per minute")
    with app.app_context():
        if not ON_POSTGRES:
            db.create_all()
        email = make_user(Role.AGENT).email
        db.session.commit()
        yield app, database_url, email
        db.session.remove()
        db.engine.dispose()


def test_account_limit_holds_across_processes_and_addresses(shared):
    """Four failures for one account, spread over two processes and four addresses, lock it: the
    fifth attempt is a 429 even with the right password, in either process."""
    app, url, email = shared
    here = attempts(app, [(email, "wrong 1", "10.0.0.1"), (email, "wrong 2", "10.0.0.2")])
    there = in_other_process(
        url,
        "4 per minute",
        [
            (email, "wrong 3", "10.0.0.3"),
            (email, "wrong 4", "10.0.0.4"),
            (email, PASSWORD, "10.0.0.5"),
        ],
    )
    assert [code for code, _ in here + there] == [401, 401, 401, 401, 429]
    assert LOCKED in there[-1][1]
    assert [code for code, _ in attempts(app, [(email, PASSWORD, "10.0.0.6")])] == [429]


def test_address_limit_holds_across_processes(shared):
    """Attempts from one address on different accounts, in two processes, share one count: with the
    memory:// storage each process allowed the limit again."""
    app, url, _ = shared
    here = attempts(app, [(f"a{i}@example.com", "x", "10.9.9.9") for i in range(3)])
    there = in_other_process(
        url, "4 per minute", [(f"b{i}@example.com", "x", "10.9.9.9") for i in range(3)]
    )
    assert [code for code, _ in here + there] == [401, 401, 401, 401, 429, 429]
    other_address = attempts(app, [("c@example.com", "x", "10.9.9.8")])
    assert [code for code, _ in other_address] == [401]


def test_locked_answer_does_not_tell_whether_the_account_exists(shared):
    """A locked known account and a locked unknown address get the same 429 page and message."""
    app, _, email = shared
    known = attempts(app, [(email, f"wrong {i}", f"10.1.0.{i}") for i in range(5)])
    unknown = attempts(app, [("ghost@example.com", f"wrong {i}", f"10.2.0.{i}") for i in range(5)])
    assert [c for c, _ in known] == [c for c, _ in unknown] == [401, 401, 401, 401, 429]
    assert known[-1][1] == unknown[-1][1]
    assert LOCKED in known[-1][1] and "Try again in 1 minute." in known[-1][1]


def test_lock_ends_with_the_window_and_success_clears_failures(shared):
    """Failures older than the window stop counting; a successful sign-in clears the account's
    earlier failures (its address's attempts still count)."""
    app, _, email = shared
    assert [c for c, _ in attempts(app, [(email, "w", f"10.3.0.{i}") for i in range(4)])] == [
        401
    ] * 4
    assert [c for c, _ in attempts(app, [(email, PASSWORD, "10.3.1.1")])] == [429]
    db.session.query(LoginAttempt).update(
        {LoginAttempt.created_at: LoginAttempt.created_at - timedelta(minutes=2)}
    )
    db.session.commit()
    tries = [(email, "w", "10.3.2.1"), (email, PASSWORD, "10.3.2.2")] + [
        (email, "w", f"10.3.3.{i}") for i in range(4)
    ]
    assert [c for c, _ in attempts(app, tries)] == [401, 302, 401, 401, 401, 401]


def test_locked_page_sends_retry_after(shared):
    """The 429 carries Retry-After in seconds, at most the window."""
    app, _, email = shared
    attempts(app, [(email, "w", f"10.4.0.{i}") for i in range(4)])
    client = Client(app.test_client())
    response = client.login(email, "w")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_several_limits_in_one_setting_all_hold(shared):
    """QA_LOGIN_RATE_LIMIT may name several limits, as Flask-Limiter took them: each one holds."""
    app, _, email = shared
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute; 3 per hour"
    codes = [c for c, _ in attempts(app, [(email, "w", f"10.5.0.{i}") for i in range(4)])]
    assert codes == [401, 401, 401, 429]
