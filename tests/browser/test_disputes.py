"""Dispute decisions in Chromium (issue 18 items 4 and 8): the decision page shows the
transcript, Uphold and Overturn are explicit, the flash names the score under the one
rounding rule the audit trail uses, and the agent is told when the dispute window closes."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import AuditEvent, Dispute, DisputeStatus, Review, Role, User, utcnow
from qa.services import reviews as service
from qa.templating import review_score_text
from tests.browser.conftest import seed_team, sign_in
from tests.conftest import make_interaction

SHOTS = "/tmp/agent_shots"
# answers by criterion name: resolution failed, empathy 3 of 5 (a score with a half point)
ANSWERS = {
    "Greeting and verification": 1,
    "Empathy": 3,
    "Tone and professionalism": 4,
    "Resolution": 0,
    "Accurate information": 1,
    "Data protection": 1,
    "Next steps and closing": 2,
}


def reviewed(agent: User, reviewer: User, version, days_ago: float) -> Review:  # type: ignore[no-untyped-def]
    """Inside an app context: a chat of the agent, reviewed and submitted `days_ago` days ago."""
    interaction = make_interaction(agent, started_at=utcnow() - timedelta(days=days_ago + 1))
    review = service.start_review(interaction, reviewer, version)
    answers = {c.id: service.AnswerInput(value=ANSWERS[c.name]) for c in version.criteria}
    service.save_answers(review, answers, None, submit=True, actor=reviewer)
    review.submitted_at = utcnow() - timedelta(days=days_ago)
    return review


def disputed(app) -> tuple[int, float, dict[Role, str]]:  # type: ignore[no-untyped-def]
    """A reviewed chat of the seeded team's agent with an open dispute: (dispute id, score,
    email per role)."""
    with app.app_context():
        team, people, version = seed_team()
        review = reviewed(people[Role.AGENT], people[Role.REVIEWER], version, 1)
        dispute = service.open_dispute(
            review, people[Role.AGENT], "Resolution was done by billing.", [], 7,
            lead_ids=[people[Role.LEAD].id],
        )  # fmt: skip
        db.session.commit()
        score = review.score
        assert score is not None
        return dispute.id, score, {r: u.email for r, u in people.items()}


def test_decision_page_shows_transcript_and_overturn_names_the_new_score(live_app, page: Page):
    """The lead decides beside the transcript; Overturn recomputes the score and the flash,
    the review page and the audit log give the same one-decimal numbers."""
    app, base = live_app
    dispute_id, before, emails = disputed(app)
    sign_in(page, base, emails[Role.LEAD])
    page.goto(f"{base}/disputes/{dispute_id}")
    expect(page.locator(".segments")).to_contain_text("I was charged twice this month")
    expect(page.get_by_role("button", name="Uphold")).to_be_visible()
    decide = page.locator("#decide-form")
    decide.locator('fieldset[data-criterion="Resolution"]').get_by_label("Yes").check()
    decide.get_by_label("Decision comment").fill("Billing did fix it during the chat.")
    page.screenshot(path=f"{SHOTS}/resolve.png", full_page=True)
    page.get_by_role("button", name="Overturn").click()
    expect(page.locator("p.flash")).to_contain_text("Overturned: score")
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        assert dispute is not None and dispute.status == DisputeStatus.CHANGED
        assert dispute.score_before == before
        after = dispute.score_after
        event = db.session.query(AuditEvent).filter_by(action="dispute.resolved").one()
    assert after is not None and after > before
    expected = f"score {review_score_text(before)} → {review_score_text(after)}"
    expect(page.locator("p.flash")).to_contain_text(f"Overturned: {expected}")
    assert event.details["before"] == float(review_score_text(before))
    assert event.details["after"] == float(review_score_text(after))
    page.goto(f"{base}/reviews/{dispute.review_id}")
    expect(page.locator(".bigscore")).to_have_text(f"Score {review_score_text(after)}")
    expect(page.locator("#disputes")).to_contain_text(f"({expected})")


def test_uphold_keeps_the_score_whatever_the_radios_say(live_app, page: Page):
    """Uphold keeps the score and the answers even when an answer was changed on the form."""
    app, base = live_app
    dispute_id, before, emails = disputed(app)
    sign_in(page, base, emails[Role.LEAD])
    page.goto(f"{base}/disputes/{dispute_id}")
    decide = page.locator("#decide-form")
    decide.locator('fieldset[data-criterion="Resolution"]').get_by_label("Yes").check()
    decide.get_by_label("Decision comment").fill("The review stands: nothing was fixed.")
    page.get_by_role("button", name="Uphold").click()
    expect(
        page.get_by_text(f"Dispute upheld: score {review_score_text(before)} kept.")
    ).to_be_visible()
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        assert dispute is not None and dispute.status == DisputeStatus.UPHELD
        assert dispute.review.score == before


def test_overturn_without_a_change_is_refused(live_app, page: Page):
    """Overturn with the answers and score as they are says what is missing and decides
    nothing."""
    app, base = live_app
    dispute_id, _, emails = disputed(app)
    sign_in(page, base, emails[Role.LEAD])
    page.goto(f"{base}/disputes/{dispute_id}")
    page.locator("#decide-form").get_by_label("Decision comment").fill("Changed my mind.")
    page.get_by_role("button", name="Overturn").click()
    expect(page.get_by_text("to overturn, change an answer or give a new score")).to_be_visible()
    with app.app_context():
        assert db.session.get(Dispute, dispute_id).status == DisputeStatus.OPEN  # type: ignore[union-attr]


def test_agent_is_told_until_when_a_review_can_be_disputed(live_app, page: Page):
    """A review inside the window says "You can dispute until <date>" beside the form; one
    outside says "Dispute window closed on <date>" instead of showing nothing."""
    app, base = live_app
    with app.app_context():
        _, people, version = seed_team()
        fresh = reviewed(people[Role.AGENT], people[Role.REVIEWER], version, 2)
        old = reviewed(people[Role.AGENT], people[Role.REVIEWER], version, 20)
        db.session.commit()
        until_fresh = fresh.submitted_at + timedelta(days=7)  # type: ignore[operator]
        closed_on = old.submitted_at + timedelta(days=7)  # type: ignore[operator]
        ids, agent = (fresh.id, old.id), people[Role.AGENT].email
    sign_in(page, base, agent)
    page.goto(f"{base}/reviews/{ids[0]}")
    expect(page.locator("#dispute-window")).to_contain_text(
        f"You can dispute until {until_fresh:%Y-%m-%d %H:%M}"
    )
    expect(page.locator("#dispute-form")).to_be_visible()
    page.goto(f"{base}/reviews/{ids[1]}")
    expect(page.locator("#dispute-window")).to_contain_text(
        f"Dispute window closed on {closed_on:%Y-%m-%d}"
    )
    expect(page.locator("#dispute-form")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/closed.png", full_page=True)
