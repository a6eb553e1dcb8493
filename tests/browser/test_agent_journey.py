"""The agent's journey and the demo in Chromium (issue 18 items 1, 4, 5, 12): acknowledge
and dispute from /feedback, the agent's weekly score trend beside the team's, and a demo
in which a reviewer's queue starts with a call, some reviews can still be disputed and
notifications carry the date of what they announce."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import qa.demo
from qa.demo import DEMO_PASSWORD
from qa.extensions import db
from qa.models import Notification, Review, Role, utcnow
from qa.services.ingest import ingest_rows
from tests.browser.conftest import seed_team, sign_in
from tests.browser.test_disputes import SHOTS, reviewed
from tests.conftest import make_user


def test_feedback_list_acknowledges_disputes_and_charts_the_trend(live_app, page: Page):
    """/feedback has an Acknowledge button per unread row (it stays on the list), a Dispute
    link to the review's form while the window is open, and an SVG chart of the agent's
    weekly IQS with the team average."""
    app, base = live_app
    with app.app_context():
        team, people, version = seed_team()
        other = make_user(Role.AGENT, team=team)
        mine = [reviewed(people[Role.AGENT], people[Role.REVIEWER], version, d) for d in (2, 9, 16)]
        reviewed(other, people[Role.REVIEWER], version, 9)
        db.session.commit()
        first = mine[0].id
        agent_email = people[Role.AGENT].email
    sign_in(page, base, agent_email)
    page.goto(f"{base}/feedback")
    chart = page.locator("#trend svg.chart")
    expect(chart).to_have_attribute("aria-label", "My weekly IQS and the team average")
    expect(chart.locator("polyline")).to_have_count(2)
    expect(chart).to_contain_text("Team average")
    rows = page.locator("#feedback tbody tr")
    expect(rows.get_by_role("button", name="Acknowledge")).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("Dispute window closed on")
    page.screenshot(path=f"{SHOTS}/feedback.png", full_page=True)
    rows.nth(0).get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Feedback acknowledged.")).to_be_visible()
    expect(page).to_have_url(f"{base}/feedback")
    expect(rows.nth(0)).to_contain_text("acknowledged")
    expect(rows.get_by_role("button", name="Acknowledge")).to_have_count(2)
    rows.nth(0).get_by_role("link", name="Dispute").click()
    expect(page).to_have_url(f"{base}/reviews/{first}#dispute-form")
    expect(page.locator("#dispute-form")).to_be_visible()


def fake_recording(row: dict[str, Any], handle: Any, filename: str, **kw: Any) -> None:
    """Stands in for Whisper: the demo call stored as a call with a short transcript."""
    turns = [
        {"speaker": "customer", "text": "Hello, my internet has been down since this morning."},
        {"speaker": "agent", "text": "Sorry about that, I've reset the line and it is back."},
    ]
    report = ingest_rows(
        enumerate([{**row, "channel": "call", "turns": turns}]),
        settings=kw["settings"], actor=None, default_source="demo", process="inline",
    )  # fmt: skip
    assert report.ok, report.errors


def demo_sign_in(page: Page, base: str, email: str) -> None:
    """Sign in with the demo password."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.slow
def test_demo_shows_calls_first_open_disputes_and_dated_notifications(
    live_app, page: Page, monkeypatch: pytest.MonkeyPatch
):
    """In the demo (calls stored without Whisper) every call is in a reviewer's queue and the
    queue starts with one; an agent finds a review still open to dispute; notifications about
    back-dated reviews carry the review's date, not the load time."""
    app, base = live_app
    monkeypatch.setattr(qa.demo, "ingest_recording", fake_recording)
    with app.app_context():
        qa.demo.load_demo(echo=lambda _: None)
        loaded = utcnow()
        # the English teams' calls (the French team's call waits for a French reviewer)
        calls = (
            db.session.query(qa.demo.Interaction)
            .join(qa.demo.Team, qa.demo.Team.id == qa.demo.Interaction.team_id)
            .filter(qa.demo.Interaction.channel == "call", qa.demo.Team.language == "en")
            .count()
        )
        assert calls >= 1
        notes = db.session.query(Notification).filter(Notification.link.like("/reviews/%")).all()
        assert notes and all(n.created_at < loaded - timedelta(minutes=5) for n in notes)
        open_review = (
            db.session.query(Review)
            .filter(Review.submitted_at > loaded - timedelta(days=6))
            .filter(~Review.disputes.any())
            .first()
        )
        assert open_review is not None
        agent_email = open_review.interaction.agent.email
        open_id = open_review.id
    assigned_calls = 0
    for reviewer in ("reviewer.one", "reviewer.two"):
        demo_sign_in(page, base, f"{reviewer}@{qa.demo.DOMAIN}")
        page.goto(f"{base}/queue")
        rows = page.locator("#assigned tbody tr")
        expect(rows.first.locator("td").nth(1)).to_have_text("call")
        channels = rows.locator("td:nth-child(2)").all_inner_texts()
        assigned_calls += sum(c.strip() == "call" for c in channels)
        page.screenshot(path=f"{SHOTS}/queue-{reviewer}.png", full_page=True)
        page.get_by_role("button", name="Sign out").click()
    assert assigned_calls == calls
    demo_sign_in(page, base, agent_email)
    page.goto(f"{base}/reviews/{open_id}")
    expect(page.locator("#dispute-window")).to_contain_text("You can dispute until")
    page.goto(f"{base}/notifications")
    page.screenshot(path=f"{SHOTS}/notifications.png", full_page=True)


def test_agent_and_reviewer_talk_in_the_review_thread(live_app, page: Page):
    """The agent asks in the review's comment thread, the reviewer is notified, follows the
    notification and answers; the agent sees both messages in order."""
    app, base = live_app
    with app.app_context():
        _, people, version = seed_team()
        review_id = reviewed(people[Role.AGENT], people[Role.REVIEWER], version, 1).id
        db.session.commit()
        agent_email, reviewer_email = people[Role.AGENT].email, people[Role.REVIEWER].email
    sign_in(page, base, agent_email)
    page.goto(f"{base}/reviews/{review_id}")
    thread = page.locator("#comments")
    thread.get_by_label("Your comment").fill("Why is resolution a fail? Billing fixed it.")
    thread.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Comment posted.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, reviewer_email)
    page.goto(f"{base}/notifications")
    page.get_by_role("link", name="Aisha Agent commented on the review").click()
    thread = page.locator("#comments")
    expect(thread).to_contain_text("Why is resolution a fail? Billing fixed it.")
    thread.get_by_label("Your comment").fill("The customer never confirmed the fix.")
    thread.get_by_role("button", name="Post comment").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, agent_email)
    page.goto(f"{base}/reviews/{review_id}")
    messages = page.locator("#comments .comment-msg")
    expect(messages).to_have_count(2)
    expect(messages.nth(1)).to_contain_text("Rita Reviewer (reviewer)")
    page.screenshot(path=f"{SHOTS}/thread.png", full_page=True)
