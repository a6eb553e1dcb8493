"""The score formula (weights, N/A, critical items), scorecard versions, submission and disputes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qa.extensions import db
from qa.models import AuditEvent, Criterion, DisputeStatus, Notification, utcnow
from qa.services.reviews import (
    AnswerInput,
    ReviewError,
    compute_score,
    dispute_deadline,
    lock_review,
    open_dispute,
    publish_version,
    resolve_dispute,
    save_answers,
    score_trend,
    score_value,
    start_review,
)
from qa.templating import review_score_text
from tests.qa.test_access import submitted_review
from tests.qa.test_dispute_flow import to_the_lead


def crit(lo=0, hi=1, weight=1.0, critical=False) -> Criterion:
    return Criterion(
        name="c", scale_min=lo, scale_max=hi, weight=weight, critical=critical, position=0
    )


def test_criterion_and_weighted_review_score():
    """Criterion score is (answer - min)/(max - min) x 100; the review is the weighted mean."""
    pairs = [(crit(1, 5, 2), 4), (crit(0, 1, 3), 1), (crit(1, 3, 1), 1)]
    # (75 x 2 + 100 x 3 + 0 x 1) / 6
    assert compute_score(pairs) == pytest.approx(75.0)


def test_na_is_left_out_of_numerator_and_weights():
    """An N/A answer changes neither the sum nor the weights."""
    assert compute_score([(crit(1, 5, 2), 5), (crit(0, 1, 10), None)]) == 100.0
    assert compute_score([(crit(0, 1), None)]) is None


def test_failed_critical_item_zeroes_the_review():
    """A critical criterion below 50% of its scale sets the score to 0; at 50% it passes."""
    assert compute_score([(crit(1, 5, 5), 5), (crit(0, 1, critical=True), 0)]) == 0.0
    assert compute_score([(crit(1, 5, 1), 5), (crit(1, 5, critical=True), 3)]) == pytest.approx(
        75.0
    )
    assert compute_score([(crit(1, 5, 1), 5), (crit(1, 5, critical=True), 2)]) == 0.0


def test_submit_computes_score_and_notifies_agent(world):
    """Submitting stores the formula's score, audits it and tells the agent."""
    review = submitted_review(world)
    assert review.score == 100.0
    assert db.session.query(AuditEvent).filter_by(action="review.submitted").count() == 1
    note = db.session.query(Notification).filter_by(user_id=world["agent_red"].id).one()
    assert f"/reviews/{review.id}" == note.link


def test_submit_requires_every_criterion(world):
    """A review cannot be submitted with unanswered criteria, and N/A only where allowed."""
    version = world["scorecard"].current
    review = start_review(world["i_agent_blue"], world["reviewer"], version)
    first = version.criteria[0]
    with pytest.raises(ReviewError, match="answer every criterion"):
        save_answers(review, {first.id: AnswerInput(1)}, None, submit=True, actor=world["reviewer"])
    no_na = next(c for c in version.criteria if not c.allows_na)
    with pytest.raises(ReviewError, match="N/A is not allowed"):
        save_answers(
            review,
            {no_na.id: AnswerInput(None, na=True)},
            None,
            submit=False,
            actor=world["reviewer"],
        )
    with pytest.raises(ReviewError, match="answer must be"):
        save_answers(
            review, {first.id: AnswerInput(7)}, None, submit=False, actor=world["reviewer"]
        )


def test_new_version_keeps_old_reviews(world):
    """Publishing a new scorecard version leaves earlier reviews on their version."""
    review = submitted_review(world)
    old = review.scorecard_version
    new = publish_version(
        world["scorecard"], [{"name": "Only one", "scale_min": 0, "scale_max": 1}]
    )
    db.session.commit()
    assert new.number == old.number + 1
    assert world["scorecard"].current.id == new.id
    assert review.scorecard_version_id == old.id and len(review.answers) == len(old.criteria)


def test_dispute_window_and_resolution(world):
    """Agents dispute within the window; a lead's decision changes the score and is kept in history."""
    review = submitted_review(world)
    agent, lead = world["agent_red"], world["lead_red"]
    with pytest.raises(ReviewError, match="give a reason"):
        open_dispute(review, agent, "  ", [], window_days=7)
    dispute = open_dispute(
        review, agent, "I did resolve it", [review.scorecard_version.criteria[3].id], 7
    )
    with pytest.raises(ReviewError, match="already has an open dispute"):
        open_dispute(review, agent, "again", [], 7)
    to_the_lead(dispute)
    with pytest.raises(ReviewError, match="already has an open dispute"):
        open_dispute(review, agent, "again", [], 7)
    resolve_dispute(dispute, lead, new_score=80, comment="Agreed, partly")
    assert (
        dispute.status == DisputeStatus.CHANGED
        and review.score == 80
        and dispute.score_before == 100
    )
    with pytest.raises(ReviewError, match="already decided"):
        resolve_dispute(dispute, lead, new_score=None, comment="x")
    review.submitted_at = utcnow() - timedelta(days=8)
    with pytest.raises(ReviewError, match="window has closed"):
        open_dispute(review, agent, "late", [], 7)


def test_locking_a_review_keeps_its_unflushed_changes(world):
    """lock_review re-reads the row under a lock without discarding changes made in the same
    transaction and not yet flushed (PostgreSQL lost a just-submitted review's status this way)."""
    review = submitted_review(world)
    review.comment = "changed before the lock"
    review.score = 42.5
    lock_review(review)
    assert review.comment == "changed before the lock" and review.score == 42.5
    db.session.commit()
    db.session.expire_all()
    assert review.comment == "changed before the lock" and review.score == 42.5


def test_dispute_upheld_through_the_web(login, world):
    """The lead upholds a dispute the reviewer rejected and the agent escalated, from the
    dispute page; the agent is notified."""
    review = submitted_review(world)
    agent = login(world["agent_red"])
    assert agent.post(f"/reviews/{review.id}/dispute", {"reason": "Unfair"}).status_code == 302
    lead = login(world["lead_red"])
    dispute = review.disputes[0]
    to_the_lead(dispute)
    db.session.commit()
    assert lead.post(f"/disputes/{dispute.id}", {"comment": ""}).status_code == 400  # form re-shown
    assert lead.post(f"/disputes/{dispute.id}", {"comment": "Score stands"}).status_code == 302
    db.session.refresh(dispute)
    assert dispute.status == DisputeStatus.UPHELD and review.score == 100
    assert "upheld" in agent.get("/notifications").get_data(as_text=True)


def test_formula_edge_cases():
    """A critical item answered N/A does not fail; 2 on 1-3 is exactly 50% and passes; weights
    need not be integers."""
    assert compute_score([(crit(1, 5, 1), 5), (crit(0, 1, critical=True), None)]) == 100.0
    assert compute_score([(crit(1, 3, 1, critical=True), 2), (crit(0, 1, 1), 1)]) == pytest.approx(75.0)
    assert compute_score([(crit(1, 3, 1, critical=True), 1), (crit(0, 1, 1), 1)]) == 0.0
    # (100 x 0.5 + 0 x 1.5) / 2
    assert compute_score([(crit(0, 1, 0.5), 1), (crit(1, 5, 1.5), 1)]) == pytest.approx(25.0)


def test_score_uses_the_reviews_own_version(world):
    """A draft started on v1 is scored on v1's weights even after v2 is published."""
    version = world["scorecard"].current
    review = start_review(world["i_agent_red"], world["reviewer"], version)
    publish_version(world["scorecard"], [{"name": "New", "scale_min": 0, "scale_max": 1, "weight": 9}])
    answers = {c.id: AnswerInput(c.scale_min if c.name == "Resolution" else c.scale_max) for c in version.criteria}
    save_answers(review, answers, None, submit=True, actor=world["reviewer"])
    total = sum(c.weight for c in version.criteria)
    resolution = next(c for c in version.criteria if c.name == "Resolution")
    assert review.score == pytest.approx(round((total - resolution.weight) * 100 / total, 2))


def test_one_rounding_rule_for_review_scores():
    """Review scores round to one decimal, half away from zero, everywhere: 72.5 stays 72.5
    (not 72 as '%.0f' gave), 82.25 is 82.3, a whole score has no ".0"."""
    assert score_value(72.5) == 72.5 and score_value(82.25) == 82.3 and score_value(None) is None
    assert review_score_text(72.5) == "72.5" and review_score_text(82.0) == "82"
    assert review_score_text(83.3333) == "83.3" and review_score_text(None) == "–"


def test_uphold_and_overturn_outcomes(world):
    """Uphold ignores answer changes and keeps the score; Overturn without any change is
    refused; the audit records scores under the one rounding rule."""
    review = submitted_review(world)
    agent, lead = world["agent_red"], world["lead_red"]
    resolution = next(c for c in review.scorecard_version.criteria if c.name == "Resolution")
    dispute = to_the_lead(open_dispute(review, agent, "Unfair", [], 7))
    with pytest.raises(ReviewError, match="to overturn, change"):
        resolve_dispute(dispute, lead, new_score=None, comment="x", outcome="overturn")
    resolve_dispute(
        dispute, lead, new_score=None, comment="stands", outcome="uphold",
        answer_changes={resolution.id: AnswerInput(value=0)},
    )  # fmt: skip
    assert dispute.status == DisputeStatus.UPHELD and review.score == 100
    other = submitted_review(world, agent_key="agent_red2")  # one dispute per review
    second = to_the_lead(open_dispute(other, world["agent_red2"], "Still unfair", [], 7))
    resolve_dispute(second, lead, new_score=72.46, comment="partly", outcome="overturn")
    event = db.session.query(AuditEvent).filter_by(action="dispute.resolved").all()[-1]
    assert event.details["before"] == 100 and event.details["after"] == 72.5


def test_dispute_deadline_and_score_trend(world):
    """The deadline is submission + window; the trend gives the agent's weekly mean beside
    the team's (the team's other agent counted only in the team line)."""
    review = submitted_review(world)
    other = submitted_review(world, agent_key="agent_red2")
    other.score = 50.0
    db.session.commit()
    assert dispute_deadline(review, 7) == review.submitted_at + timedelta(days=7)
    trend = score_trend(world["agent_red"])
    assert trend.mine == [100.0] and trend.team == [75.0] and len(trend.weeks) == 1


def test_feedback_acknowledge_from_the_list_returns_to_it(login, world):
    """Acknowledging from /feedback returns to /feedback; the page carries the trend chart."""
    review = submitted_review(world)
    agent = login(world["agent_red"])
    page = agent.get("/feedback").get_data(as_text=True)
    assert 'aria-label="My weekly IQS and the team average"' in page
    response = agent.post(f"/reviews/{review.id}/acknowledge", {"back": "feedback"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/feedback")
    db.session.refresh(review)
    assert review.acknowledged_at is not None
