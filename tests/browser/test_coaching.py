"""Coaching in a real browser: a lead assigns training from the dashboard (where a weak criterion
is recommended), and the agent completes it by passing a quiz graded on the server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from qa.coaching.models import TrainingModule
from qa.extensions import db
from qa.models import Answer, Interaction, Review, ReviewStatus, Role, User, utcnow
from tests.browser.conftest import seed_team, sign_in

pytestmark = [pytest.mark.browser]

QUIZ = [
    {
        "question": "What comes first?",
        "options": ["The policy", "The customer's feeling"],
        "answer": 1,
    },
    {"question": "Then?", "options": ["What you will do next", "Nothing"], "answer": 0},
]


def seed(app) -> None:  # type: ignore[no-untyped-def]
    """A team whose agent scored low on Empathy in three reviews, and an Empathy module with a quiz."""
    with app.app_context():
        team, people, version = seed_team()
        for n in range(3):
            started = utcnow() - timedelta(days=1 + n)
            interaction = Interaction(
                source="t",
                external_id=f"CHAT-{n}",
                channel="chat",
                agent=people[Role.AGENT],
                team=team,
                started_at=started,
                csat=4,
            )
            review = Review(
                interaction=interaction,
                reviewer=people[Role.REVIEWER],
                scorecard_version=version,
                status=ReviewStatus.SUBMITTED,
                score=60,
                submitted_at=started,
            )
            for c in version.criteria:
                low = c.name == "Empathy"
                review.answers.append(
                    Answer(criterion=c, value=c.scale_min if low else c.scale_max)
                )
            db.session.add(review)
        db.session.add(
            TrainingModule(
                title="Empathy that sounds human",
                criterion_key="Empathy",
                content="## Name the feeling\nSay what you heard.",
                quiz=QUIZ,
                pass_mark=100,
            )
        )
        db.session.commit()


def test_lead_assigns_from_dashboard_and_agent_passes_quiz(live_app, page: Page):
    """Dashboard -> recommended module assigned -> agent fails, then passes the quiz -> completed."""
    app, base = live_app
    seed(app)
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, base, "lead@example.com")
    expect(page.get_by_role("heading", name="Team dashboard · Billing")).to_be_visible()
    expect(page.locator("#chart-weekly svg.chart")).to_be_visible()
    recs = page.locator("#recommendations")
    expect(recs).to_contain_text("Empathy")
    recs.get_by_role("link", name="Assign “Empathy that sounds human”").click()
    expect(page.get_by_role("heading", name="Assign training")).to_be_visible()
    expect(page.get_by_label("Agents")).to_have_values([str(_agent_id(app))])
    page.get_by_label("Due date").fill((utcnow() + timedelta(days=7)).strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Assign training").click()
    expect(page.get_by_text("Assigned “Empathy that sounds human” to Aisha Agent.")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, "agent@example.com")
    page.get_by_role("link", name="My training").click()
    page.get_by_role("link", name="Empathy that sounds human").click()
    expect(page.get_by_role("heading", name="Name the feeling")).to_be_visible()
    page.get_by_label("The policy").check()
    page.get_by_label("What you will do next").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("You scored 50% (1 of 2); the pass mark is 100%.")).to_be_visible()
    page.get_by_label("The customer's feeling").check()
    page.get_by_label("What you will do next").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Training completed. Quiz score 100%.")).to_be_visible()
    expect(page.locator("#assignments")).to_contain_text("completed")
    expect(page.locator("#assignments")).to_contain_text("100%")


def _agent_id(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.role == Role.AGENT))
