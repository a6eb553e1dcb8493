"""Dispute decisions in Chromium (issue 18 items 4 and 8, and the dispute in steps): the
decision page shows the transcript, Uphold and Overturn are explicit, the flash names the score
under the one rounding rule the audit trail uses, the agent is told when the dispute window
closes; the reviewer answers first, the agent escalates a rejection, the lead decides."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.models import AuditEvent, Dispute, DisputeStatus, Review, Role, User, utcnow
from qa.services import disputes as steps
from qa.services import reviews as service
from qa.templating import review_score_text
from tests.browser.conftest import seed_team, sign_in, sign_out
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
    """A reviewed chat of the seeded team's agent with a dispute the reviewer rejected and the
    agent escalated, for the lead to decide: (dispute id, score, email per role)."""
    with app.app_context():
        team, people, version = seed_team()
        review = reviewed(people[Role.AGENT], people[Role.REVIEWER], version, 1)
        dispute = service.open_dispute(
            review, people[Role.AGENT], "Resolution was done by billing.", [], 7
        )
        steps.answer(dispute, people[Role.REVIEWER], accept=False, comment="Nothing was fixed.")
        steps.escalate(dispute, people[Role.AGENT], "", 3)
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
        assert db.session.get(Dispute, dispute_id).status == DisputeStatus.ESCALATED  # type: ignore[union-attr]


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


def _agent_disputes(page: Page, base: str, review_id: int, email: str) -> None:
    """The agent opens a dispute from the review page (Resolution ticked)."""
    sign_in(page, base, email)
    page.goto(f"{base}/reviews/{review_id}")
    form = page.locator("#dispute-form")
    form.get_by_label("Resolution").check()
    form.get_by_label("Why do you disagree?").fill("Billing refunded it during the chat.")
    form.get_by_role("button", name="Open dispute").click()
    expect(page.locator("p.flash")).to_contain_text("The reviewer answers first.")
    expect(page.locator("#disputes")).to_contain_text("Waiting for the reviewer, Rita Reviewer")
    sign_out(page)


def test_three_steps_reviewer_rejects_agent_escalates_lead_upholds(live_app, page: Page):
    """Agent opens → the reviewer (told by a notification) rejects with a reason on the
    decision page → the agent sees the answer and escalates → the lead, told in turn, upholds;
    the review page's timeline lists the four steps with who and what they wrote."""
    app, base = live_app
    with app.app_context():
        _, people, version = seed_team()
        review = reviewed(people[Role.AGENT], people[Role.REVIEWER], version, 1)
        db.session.commit()
        review_id, score = review.id, review_score_text(review.score)
        emails = {r: u.email for r, u in people.items()}
    _agent_disputes(page, base, review_id, emails[Role.AGENT])

    sign_in(page, base, emails[Role.REVIEWER])
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name="disputed your review").first.click()
    expect(page.locator("#step-hint")).to_contain_text("you answer first")
    expect(page.get_by_role("button", name="Uphold")).to_have_count(0)
    decide = page.locator("#decide-form")
    decide.get_by_label("Your answer to the agent").fill("No refund appears in the chat.")
    page.screenshot(path=f"{SHOTS}/dispute_reviewer.png", full_page=True)
    decide.get_by_role("button", name="Reject").click()
    expect(page.locator("p.flash")).to_contain_text(f"Dispute rejected: score {score} kept.")
    sign_out(page)

    sign_in(page, base, emails[Role.AGENT])
    page.goto(f"{base}/reviews/{review_id}")
    disputes = page.locator("#disputes")
    expect(disputes).to_contain_text("No refund appears in the chat.")
    expect(page.locator("#escalate-window")).to_contain_text("You can escalate this")
    page.get_by_label("Anything to add for your lead?").fill("See the billing ticket.")
    page.get_by_role("button", name="Escalate to my lead").click()
    expect(page.locator("p.flash")).to_contain_text("Dispute escalated. Your lead will decide.")
    sign_out(page)

    sign_in(page, base, emails[Role.LEAD])
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name="escalated a dispute").first.click()
    expect(page.locator("#dispute-steps")).to_contain_text("See the billing ticket.")
    page.locator("#decide-form").get_by_label("Decision comment").fill("The review stands.")
    page.get_by_role("button", name="Uphold").click()
    expect(page.locator("p.flash")).to_contain_text(f"Dispute upheld: score {score} kept.")
    sign_out(page)

    sign_in(page, base, emails[Role.AGENT])
    page.goto(f"{base}/reviews/{review_id}")
    timeline = page.locator("#disputes .timeline li")
    expect(timeline).to_have_count(4)
    for n, (label, who) in enumerate([
        ("Opened by the agent", "Aisha Agent"),
        ("Rejected by the reviewer", "Rita Reviewer"),
        ("Escalated to the lead", "Aisha Agent"),
        ("Lead upheld the score", "Lena Lead"),
    ]):  # fmt: skip
        expect(timeline.nth(n)).to_contain_text(label)
        expect(timeline.nth(n)).to_contain_text(who)
    expect(page.locator("#escalate-form")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/dispute_timeline.png", full_page=True)
    with app.app_context():
        dispute = db.session.query(Dispute).filter_by(review_id=review_id).one()
        assert dispute.status == DisputeStatus.UPHELD and dispute.escalation_note
        actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert [a for a in actions if a.startswith("dispute.")] == [
        "dispute.opened", "dispute.reviewer_rejected", "dispute.escalated", "dispute.resolved"
    ]  # fmt: skip


def test_reviewer_accepts_and_adjusts_the_score(live_app, page: Page):
    """The reviewer accepts the dispute by changing Resolution to Yes: the score is recomputed,
    the flash names it, the agent sees the new score and a two-step timeline, and the lead has
    nothing to decide."""
    app, base = live_app
    with app.app_context():
        _, people, version = seed_team()
        review = reviewed(people[Role.AGENT], people[Role.REVIEWER], version, 1)
        db.session.commit()
        review_id, before = review.id, review.score
        emails = {r: u.email for r, u in people.items()}
    _agent_disputes(page, base, review_id, emails[Role.AGENT])

    sign_in(page, base, emails[Role.REVIEWER])
    page.get_by_role("link", name="Disputes").click()
    page.locator("#disputes").get_by_role("link", name="Answer").click()
    decide = page.locator("#decide-form")
    decide.locator('fieldset[data-criterion="Resolution"]').get_by_label("Yes").check()
    decide.get_by_label("Your answer to the agent").fill("You are right, billing fixed it.")
    decide.get_by_role("button", name="Accept and adjust the score").click()
    with app.app_context():
        dispute = db.session.query(Dispute).filter_by(review_id=review_id).one()
        after = dispute.score_after
        assert dispute.status == DisputeStatus.ADJUSTED
    assert after is not None and before is not None and after > before
    expect(page.locator("p.flash")).to_contain_text(
        f"Dispute accepted: score {review_score_text(before)} → {review_score_text(after)}."
    )
    sign_out(page)

    sign_in(page, base, emails[Role.AGENT])
    page.goto(f"{base}/reviews/{review_id}")
    expect(page.locator(".bigscore")).to_have_text(f"Score {review_score_text(after)}")
    timeline = page.locator("#disputes .timeline li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(1)).to_contain_text("Accepted by the reviewer, score adjusted")
    expect(timeline.nth(1)).to_contain_text("You are right, billing fixed it.")
    sign_out(page)

    sign_in(page, base, emails[Role.LEAD])
    page.get_by_role("link", name="Disputes").click()
    expect(page.locator("#disputes").get_by_role("link", name="Decide")).to_have_count(0)
