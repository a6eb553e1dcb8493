"""Shared fixtures: an app on an in-memory database (or, with QA_TEST_DATABASE_URL, a database of
its own on that PostgreSQL server), clients signed in per role, and factories."""

from __future__ import annotations

import itertools
import os
import re
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from qa import create_app  # noqa: E402
from qa.extensions import db  # noqa: E402
from qa.models import (  # noqa: E402
    Channel,
    Interaction,
    Role,
    Scorecard,
    Segment,
    Status,
    Team,
    Transcript,
    User,
    utcnow,
)

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"
TEST_DATABASE_URL = os.environ.get("QA_TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
PASSWORD = "correct horse battery"
_ids = itertools.count(1)
# Hashing is deliberately slow (scrypt); hash the shared test password once, not per user.
PASSWORD_HASH = generate_password_hash(PASSWORD)


class PostgresDatabases:
    """Throwaway databases on the test server. Each test gets its own copy of a template migrated to
    head once per session (CREATE DATABASE ... TEMPLATE takes ~40 ms), so tests, live servers and
    worker processes never see each other's rows, ids or sequences."""

    def __init__(self, url: str) -> None:
        self.url = sa.make_url(url)
        self.admin = sa.create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.prefix = f"{self.url.database}_{os.getpid()}"
        self.names = itertools.count(1)
        self.template: str | None = None

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(sa.text(sql))

    def _url(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _template(self) -> str:
        if self.template is None:
            name = f"{self.prefix}_template"
            self._execute(f'DROP DATABASE IF EXISTS "{name}"')
            self._execute(f'CREATE DATABASE "{name}"')
            app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": self._url(name)})
            with app.app_context():
                upgrade(directory=str(MIGRATIONS))
                db.engine.dispose()  # a template must have no connections while it is copied
            self.template = name
        return self.template

    def create(self, *, empty: bool = False) -> str:
        """A new database: empty, or with the schema at head (no rows); returns its URL."""
        name = f"{self.prefix}_{next(self.names)}"
        template = "template0" if empty else self._template()
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        # FORCE closes what a failed test, a live server or a killed worker left connected.
        self._execute(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        if self.template is not None:
            self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases | None]:
    """The PostgreSQL test server named by QA_TEST_DATABASE_URL, or None (SQLite)."""
    if not ON_POSTGRES:
        yield None
        return
    databases = PostgresDatabases(TEST_DATABASE_URL)
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture
def database_url(postgres: PostgresDatabases | None, tmp_path: Path) -> Iterator[str]:
    """A database for this test alone, shareable with other processes: a fresh PostgreSQL database
    with the schema at head, or an empty SQLite file (run the migrations or create_all on it)."""
    if postgres is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    url = postgres.create()
    try:
        yield url
    finally:
        postgres.drop(url)


@pytest.fixture
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator:
    url = request.getfixturevalue("database_url") if ON_POSTGRES else "sqlite://"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(tmp_path / "recordings"),
            "SCORING_MODEL_DIR": str(tmp_path / "models"),
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    with app.app_context():
        db.create_all()  # (a no-op on PostgreSQL: the copied template is at head already)
        yield app
        db.session.remove()
        if ON_POSTGRES:
            db.engine.dispose()  # the database itself is dropped by `database_url`
        else:
            db.drop_all()


class Client:
    """A test client that knows its CSRF token, so forms are posted the way a browser posts them."""

    def __init__(self, flask_client) -> None:  # type: ignore[no-untyped-def]
        self.c = flask_client
        self.token = ""

    @staticmethod
    def _fresh() -> None:
        # Tests hold an app context open for the factories, and Flask reuses it for requests, so
        # the per-context caches (Flask-Login's user, Flask-WTF's token) must be cleared between clients.
        from flask import g

        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        g.pop("_flask_babel", None)  # Flask-Babel's locale, chosen once per context

    def get(self, url: str, **kw):  # type: ignore[no-untyped-def]
        self._fresh()
        return self.c.get(url, **kw)

    def post(self, url: str, data=None, *, csrf: bool = True, **kw):  # type: ignore[no-untyped-def]
        if "json" not in kw and isinstance(data, dict | None):
            data = dict(data or {})
            if csrf:
                data.setdefault("csrf_token", self.token)
        self._fresh()
        return self.c.post(url, data=data, **kw)

    def login(self, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        page = self.get("/login").get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert match, "login page has a CSRF token"
        self.token = match.group(1)
        return self.post("/login", {"email": email, "password": password})


@pytest.fixture
def client(app) -> Client:  # type: ignore[no-untyped-def]
    return Client(app.test_client())


@pytest.fixture
def login(app):  # type: ignore[no-untyped-def]
    """login(user) -> a Client signed in as that user."""

    def _login(user: User) -> Client:
        c = Client(app.test_client())
        response = c.login(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return c

    return _login


# --- factories (CTFd gen_* style) ---------------------------------------------------------


def make_team(name: str | None = None) -> Team:
    team = Team(name=name or f"Team {next(_ids)}")
    db.session.add(team)
    db.session.flush()
    return team


def make_user(
    role: Role, team: Team | None = None, leads: list[Team] | None = None, name: str | None = None
) -> User:
    n = next(_ids)
    user = User(
        email=f"{role.value}{n}@example.com",
        name=name or f"{role.value.title()} {n}",
        role=role,
        team=team,
    )
    user.password_hash = PASSWORD_HASH
    if leads:
        user.led_teams = leads
    db.session.add(user)
    db.session.flush()
    return user


DEFAULT_TURNS = [
    ("customer", "Hi, I was charged twice this month."),
    ("agent", "I'm so sorry, that's stressful. I've refunded the duplicate charge now."),
    ("customer", "Thank you, I can see the refund."),
]


def make_interaction(
    agent: User,
    *,
    team: Team | None = None,
    started_at=None,
    channel: Channel = Channel.CHAT,
    status: Status = Status.SCORED,
    turns=None,
    csat: int | None = None,
    escalated: bool = False,
) -> Interaction:
    interaction = Interaction(
        source="test",
        external_id=f"T-{next(_ids)}",
        channel=channel,
        agent=agent,
        team=team or agent.team,
        started_at=started_at or utcnow() - timedelta(days=1),
        status=status,
        csat=csat,
        escalated=escalated,
        duration_seconds=300,
    )
    transcript = Transcript(interaction=interaction, model="text", redactions={})
    for i, (speaker, text) in enumerate(turns or DEFAULT_TURNS):
        transcript.segments.append(Segment(position=i, speaker=speaker, text=text))
    db.session.add_all([interaction, transcript])
    db.session.flush()
    return interaction


def make_scorecard() -> Scorecard:
    from qa.demo import SCORECARD
    from qa.services.reviews import publish_version

    scorecard = Scorecard(name=f"Scorecard {next(_ids)}")
    db.session.add(scorecard)
    db.session.flush()
    publish_version(scorecard, [dict(c) for c in SCORECARD])
    return scorecard


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    """Two teams with a lead and two agents each, two reviewers, an admin, a scorecard, one chat per agent."""
    red, blue = make_team("Red"), make_team("Blue")
    w = {
        "red": red,
        "blue": blue,
        "admin": make_user(Role.ADMIN),
        "lead_red": make_user(Role.LEAD, leads=[red]),
        "lead_blue": make_user(Role.LEAD, leads=[blue]),
        "reviewer": make_user(Role.REVIEWER),
        "reviewer2": make_user(Role.REVIEWER),
        "agent_red": make_user(Role.AGENT, team=red),
        "agent_red2": make_user(Role.AGENT, team=red),
        "agent_blue": make_user(Role.AGENT, team=blue),
    }
    w["scorecard"] = make_scorecard()
    for key in ("agent_red", "agent_red2", "agent_blue"):
        w[f"i_{key}"] = make_interaction(w[key])
    db.session.commit()
    return w


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_app(tmp_path: Path, database_url: str) -> Iterator:
    """The app at migration head, served by a threaded HTTP server on loopback, with its own
    database (browser tests, parallel-request tests); yields (app, base_url)."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": str(tmp_path / "recordings"),
            "SCORING_MODEL_DIR": str(tmp_path / "models"),
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
