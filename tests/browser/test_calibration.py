"""Calibration pages in Chromium, as a lead meets them in the demo."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import Page, expect

from qa.demo.calibration import load_calibration
from qa.extensions import db
from qa.models import Role, Scorecard
from qa.services.reviews import AnswerInput, save_answers, start_review
from tests.browser.conftest import sign_in
from tests.conftest import make_interaction, make_scorecard, make_team, make_user

pytestmark = [pytest.mark.browser]


def _seed(app) -> str:  # type: ignore[no-untyped-def]
    """The demo's shape: a lead of Billing, two reviewers, scored chats, one review made and
    submitted in one go (no time measured) and the demo's closed calibration session."""
    with app.app_context():
        team = make_team("Billing")
        lead = make_user(Role.LEAD, leads=[team], name="Lena Lead")
        rita = make_user(Role.REVIEWER, name="Rita Reviewer")
        make_user(Role.REVIEWER, name="Raj Reviewer")
        agent = make_user(Role.AGENT, team=team, name="Aisha Agent")
        make_scorecard()
        chats = [make_interaction(agent) for _ in range(4)]
        version = db.session.scalars(db.select(Scorecard)).one().current
        review = start_review(chats[-1], rita, version)
        answers = {c.id: AnswerInput(value=c.scale_max) for c in version.criteria}
        save_answers(review, answers, None, submit=True, actor=rita)
        db.session.commit()
        assert load_calibration(version, random.Random(7), interactions=3) is not None
        return lead.email


def test_quality_shows_the_demo_session_and_no_zero_review_time(live_app, page: Page):
    """/calibration/quality shows deviation from the demo's closed session, measured minutes,
    and "— min" (never "0.0 min") for a review whose time was not measured (submitted in the same instant it started)."""
    app, base = live_app
    sign_in(page, base, _seed(app))
    page.goto(f"{base}/calibration/quality")
    table = page.locator("#quality")
    rita = table.locator("tr", has_text="Rita Reviewer")
    expect(rita).to_contain_text("dev ")
    expect(rita).to_contain_text(re.compile(r"[1-9]\d*\.\d min"))
    expect(rita).to_contain_text("— min")
    expect(table).not_to_contain_text("0.0 min")
    expect(table.locator("tr", has_text="Raj Reviewer")).to_contain_text("dev ")
    page.screenshot(path="/tmp/calib-quality.png", full_page=True)
    page.goto(f"{base}/calibration/")
    expect(page.get_by_text("Billing calibration: refunds and tone")).to_be_visible()
