"""Calibration pages in Chromium, as a lead meets them in the demo."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from qa.demo.calibration import load_calibration
from qa.extensions import db
from qa.models import CalibrationSession, Role, Scorecard, utcnow
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


def test_lead_schedules_a_blind_session_and_sees_it_overdue(live_app, page: Page):
    """A lead opens a blind session with a due date; a reviewer who submitted sees the others'
    answers while one who has not sees the blind note; past its date it is flagged overdue."""
    app, base = live_app
    with app.app_context():
        team = make_team("Billing")
        lead = make_user(Role.LEAD, leads=[team], name="Lena Lead")
        rita = make_user(Role.REVIEWER, name="Rita Reviewer")
        raj = make_user(Role.REVIEWER, name="Raj Reviewer")
        agent = make_user(Role.AGENT, team=team, name="Aisha Agent")
        make_scorecard()
        chat = make_interaction(agent)
        db.session.commit()
        emails = (lead.email, rita.email, raj.email)
        chat_label = chat.external_id
    sign_in(page, base, emails[0])
    page.goto(f"{base}/calibration/new")
    page.get_by_label("Session name").fill("Week 49")
    page.get_by_label("Interactions").select_option(label=f"{chat_label} · chat · Aisha Agent")
    page.get_by_label("Reviewers").select_option(
        label=["Raj Reviewer (reviewer)", "Rita Reviewer (reviewer)"]
    )
    due = utcnow().date() + timedelta(days=3)
    page.get_by_label("Due on").fill(due.isoformat())
    page.get_by_label("Mode").select_option("blind")
    page.get_by_role("button", name="Start calibration").click()
    expect(page.locator("#mode")).to_have_text("blind")
    expect(page.get_by_text(f"due {due:%d %b %Y}")).to_be_visible()
    with app.app_context():
        made = db.session.scalars(db.select(CalibrationSession)).one()
        review = next(r for r in made.reviews if r.reviewer.name == "Raj Reviewer")
        answers = {c.id: AnswerInput(value=c.scale_max) for c in review.scorecard_version.criteria}
        save_answers(review, answers, None, submit=True, actor=review.reviewer)
        session_id = made.id
        db.session.commit()
    page.context.clear_cookies()
    sign_in(page, base, emails[2])
    page.goto(f"{base}/calibration/{session_id}")
    expect(page.locator(".side-by-side")).to_be_visible()
    page.context.clear_cookies()
    sign_in(page, base, emails[1])
    page.goto(f"{base}/calibration/{session_id}")
    expect(page.locator("#visibility")).to_contain_text("Blind")
    expect(page.locator(".side-by-side")).to_have_count(0)
    with app.app_context():
        made = db.session.get(CalibrationSession, session_id)
        made.due_on = utcnow().date() - timedelta(days=1)
        db.session.commit()
    page.goto(f"{base}/calibration/")
    expect(page.locator("#sessions tr", has_text="Week 49").locator(".overdue")).to_have_text(
        "overdue"
    )
    page.screenshot(path="/tmp/calib-index.png", full_page=True)


def test_lead_assigns_a_scorecard_to_a_channel(live_app, page: Page):
    """The builder's "Applies to" form stores the channels and the index shows them."""
    app, base = live_app
    with app.app_context():
        team = make_team("Billing")
        lead = make_user(Role.LEAD, leads=[team], name="Lena Lead")
        scorecard = make_scorecard()
        db.session.commit()
        email, scorecard_id = lead.email, scorecard.id
    sign_in(page, base, email)
    page.goto(f"{base}/scorecards/{scorecard_id}/edit")
    form = page.locator("#assignment-form")
    form.get_by_label("Email").check()
    form.get_by_label("Teams", exact=True).select_option(label="Billing (English)")
    form.get_by_label("Only these teams on these channels").check()
    form.get_by_role("button", name="Save assignment").click()
    expect(page.get_by_text("assignment saved")).to_be_visible()
    expect(page.locator("#assignment-form").get_by_label("Email")).to_be_checked()
    page.screenshot(path="/tmp/calib-assign.png", full_page=True)
    page.goto(f"{base}/scorecards")
    expect(page.locator("#scorecards .applies")).to_have_text("Billing · email")


def test_admin_adds_a_webhook_and_http_only(live_app, page: Page):
    """An admin reaches /admin/webhooks from the admin page; it refuses a file: URL with the
    reason and lists an https one once added."""
    app, base = live_app
    with app.app_context():
        email = make_user(Role.ADMIN, name="Ada Admin").email
        db.session.commit()
    sign_in(page, base, email)
    page.goto(f"{base}/admin/users")
    page.get_by_role("link", name="Webhooks").click()
    form = page.locator("#webhook-form")
    form.get_by_label("URL").fill("file:///etc/passwd")
    form.get_by_label("Secret", exact=True).fill("a-long-enough-secret")
    form.get_by_label("Calibration sessions to do").check()
    form.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_text("must be http:// or https://")).to_be_visible()
    form = page.locator("#webhook-form")
    form.get_by_label("URL").fill("https://hooks.example.com/coachline")
    form.get_by_label("Secret", exact=True).fill("a-long-enough-secret")
    form.get_by_label("Calibration sessions to do").check()
    form.get_by_role("button", name="Add webhook").click()
    expect(page.locator("#webhooks")).to_contain_text("https://hooks.example.com/coachline")
    expect(page.locator("#webhooks")).to_contain_text("calibration")
    page.screenshot(path="/tmp/calib-webhooks.png", full_page=True)
