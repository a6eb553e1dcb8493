"""Parallel requests against a live server (a threaded werkzeug server on loopback, its own
SQLite file or PostgreSQL database): four signed-in sessions post the same form at the same
moment; exactly one object comes out and nobody gets a 5xx."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest
from flask import Flask
from sqlalchemy import func, select

from qa.extensions import db
from qa.models import (
    Assignment,
    Dispute,
    DisputeStatus,
    Interaction,
    Notification,
    Review,
    ReviewStatus,
    Role,
    Sample,
    SamplingPolicy,
    ScorecardVersion,
    User,
)
from qa.services import reviews as review_service
from tests.conftest import PASSWORD, make_interaction, make_scorecard, make_team, make_user

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
PARALLEL = 4


class _KeepRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a 302 is an answer to look at, not to follow


class Session:
    """One browser: its own cookies, signed in, posting forms with its CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _KeepRedirects)
        self.token = ""

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location header, body) of a GET, or of a POST when `form` is given."""
        data = None
        if form is not None:
            data = urlencode({"csrf_token": self.token, **form}).encode()
        try:
            with self.opener.open(Request(self.base + path, data=data), timeout=60) as response:
                return (
                    response.status,
                    response.headers.get("Location", ""),
                    response.read().decode(),
                )
        except HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def sign_in(self, email: str) -> Session:
        _, _, page = self.request("/login")
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert match, "login page has a CSRF token"
        self.token = match.group(1)
        status, _, _ = self.request("/login", {"email": email, "password": PASSWORD})
        assert status == 302
        return self


@pytest.fixture
def people(live_app: tuple[Flask, str]) -> dict[str, int]:
    """A team's agent, lead and reviewer, a published scorecard and one scored chat (ids)."""
    app, _ = live_app
    with app.app_context():
        team = make_team()
        agent = make_user(Role.AGENT, team=team)
        lead = make_user(Role.LEAD, leads=[team])
        reviewer = make_user(Role.REVIEWER)
        version = make_scorecard().current
        chat = make_interaction(agent)
        policy = SamplingPolicy(team=team, name="Weekly", percentage=10)
        sample = Sample(policy=policy, week="2026-W48", interaction=chat, stratum="random")
        db.session.add(Assignment(sample=sample, interaction=chat, reviewer=reviewer))
        db.session.commit()
        ids = {"agent": agent.id, "lead": lead.id, "reviewer": reviewer.id, "chat": chat.id}
        ids["version"] = version.id  # type: ignore[union-attr]
        db.session.remove()
    return ids


def _email(app: Flask, user_id: int) -> str:
    with app.app_context():
        email = db.session.get(User, user_id).email  # type: ignore[union-attr]
        db.session.remove()
        return email


def _draft(app: Flask, ids: dict[str, int]) -> int:
    """The reviewer's draft of the chat, opened through the service (committed)."""
    with app.app_context():
        review = review_service.start_review(
            db.session.get(Interaction, ids["chat"]),  # type: ignore[arg-type]
            db.session.get(User, ids["reviewer"]),  # type: ignore[arg-type]
            db.session.get(ScorecardVersion, ids["version"]),  # type: ignore[arg-type]
        )
        db.session.commit()
        review_id = review.id
        db.session.remove()
        return review_id


def _answers(app: Flask, review_id: int) -> dict[str, str]:
    """A complete answer form for the review (every criterion at its top value), submitted."""
    with app.app_context():
        review = db.session.get(Review, review_id)
        form = {f"c_{c.id}": str(c.scale_max) for c in review.scorecard_version.criteria}  # type: ignore[union-attr]
        db.session.remove()
    return {**form, "comment": "Well handled.", "submit": "Submit review"}


def _at_once(sessions: list[Session], path: str, form: dict[str, str]) -> list[tuple[int, str]]:
    """Every session posts the form at the same moment; their (status, Location)."""
    barrier = threading.Barrier(len(sessions))
    results: list[tuple[int, str]] = [(0, "")] * len(sessions)

    def post(k: int) -> None:
        barrier.wait()
        status, location, _ = sessions[k].request(path, form)
        results[k] = (status, location)

    threads = [threading.Thread(target=post, args=(k,)) for k in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _count(app: Flask, query: Callable[[], object]) -> int:
    with app.app_context():
        n = int(db.session.scalar(query()) or 0)  # type: ignore[call-overload]
        db.session.remove()
        return n


def test_parallel_start_review_opens_one_draft(live_app, people):
    """Four parallel "start review" posts of one reviewer give one draft, and all four are sent
    to it (no 5xx)."""
    app, base = live_app
    email = _email(app, people["reviewer"])
    sessions = [Session(base).sign_in(email) for _ in range(PARALLEL)]
    results = _at_once(sessions, f"/interactions/{people['chat']}/review", {})
    drafts = _count(
        app,
        lambda: select(func.count(Review.id)).where(
            Review.interaction_id == people["chat"], Review.reviewer_id == people["reviewer"]
        ),
    )
    assert drafts == 1
    with app.app_context():
        review_id = db.session.scalar(
            select(Review.id).where(Review.interaction_id == people["chat"])
        )
        db.session.remove()
    assert results == [(302, f"/reviews/{review_id}/edit")] * PARALLEL


def test_parallel_submits_submit_once(live_app, people):
    """Four parallel submits of one draft: one submits (to the queue), the others are sent to
    the submitted review; the agent is told once, no 5xx."""
    app, base = live_app
    review_id = _draft(app, people)
    email = _email(app, people["reviewer"])
    sessions = [Session(base).sign_in(email) for _ in range(PARALLEL)]
    results = _at_once(sessions, f"/reviews/{review_id}/edit", _answers(app, review_id))
    assert sorted(results) == sorted(
        [(302, "/queue")] + [(302, f"/reviews/{review_id}")] * (PARALLEL - 1)
    )
    with app.app_context():
        review = db.session.get(Review, review_id)
        assert review is not None and review.status == ReviewStatus.SUBMITTED
        assert len(review.answers) == len(review.scorecard_version.criteria)
        db.session.remove()
    told = _count(
        app,
        lambda: select(func.count(Notification.id)).where(Notification.user_id == people["agent"]),
    )
    assert told == 1


def test_parallel_disputes_open_one(live_app, people):
    """Four parallel "open dispute" posts of the agent give one open dispute; every post is
    answered with the review page (no 5xx)."""
    app, base = live_app
    review_id = _draft(app, people)
    reviewer = Session(base).sign_in(_email(app, people["reviewer"]))
    assert reviewer.request(f"/reviews/{review_id}/edit", _answers(app, review_id))[:2] == (
        302,
        "/queue",
    )
    email = _email(app, people["agent"])
    sessions = [Session(base).sign_in(email) for _ in range(PARALLEL)]
    results = _at_once(sessions, f"/reviews/{review_id}/dispute", {"reason": "I did resolve it."})
    assert results == [(302, f"/reviews/{review_id}")] * PARALLEL
    disputes = _count(
        app,
        lambda: select(func.count(Dispute.id)).where(
            Dispute.review_id == review_id, Dispute.status == DisputeStatus.OPEN
        ),
    )
    assert disputes == 1
