"""Disputes in steps: the reviewer answers first (accept and adjust, or reject with a reason),
the agent escalates a rejection to the lead within the window or accepts it, the lead
decides; each step is audited and notifies the next party."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from qa.extensions import db
from qa.models import AuditEvent, Dispute, DisputeStatus, Notification, utcnow
from qa.services import disputes as steps
from qa.services.reviews import AnswerInput, ReviewError, open_dispute, resolve_dispute
from tests.qa.test_access import submitted_review


def to_the_lead(dispute: Dispute, days: int = 3) -> Dispute:
    """Take an open dispute through the reviewer's rejection and the agent's escalation, so the
    lead can decide it (for tests of the lead's step)."""
    steps.answer(dispute, dispute.review.reviewer, accept=False, comment="The review stands.")
    steps.escalate(dispute, dispute.agent, "", days)
    return dispute


def notes_of(user_id: int) -> list[str]:
    """The messages of a user's notifications, oldest first."""
    rows = db.session.query(Notification).filter_by(user_id=user_id).order_by(Notification.id)
    return [n.message for n in rows]


def actions() -> list[str]:
    """The dispute audit actions, in order."""
    rows = db.session.query(AuditEvent).order_by(AuditEvent.id)
    return [e.action for e in rows if e.action.startswith("dispute.")]


def test_three_steps_reviewer_rejects_agent_escalates_lead_decides(world):
    """Opening tells the reviewer (not the lead); the lead cannot decide before the agent
    escalates; a rejection tells the agent, the escalation the lead, the decision both; each
    step is audited and the timeline lists them in order."""
    review = submitted_review(world)
    agent, reviewer, lead = world["agent_red"], world["reviewer"], world["lead_red"]
    dispute = open_dispute(review, agent, "I did resolve it", [], 7)
    assert any("answer first" in m for m in notes_of(reviewer.id))
    assert notes_of(lead.id) == []
    with pytest.raises(ReviewError, match="reviewer answers first"):
        resolve_dispute(dispute, lead, new_score=80, comment="no")
    with pytest.raises(ReviewError, match="only the reviewer"):
        steps.answer(dispute, world["reviewer2"], accept=False, comment="x")
    with pytest.raises(ReviewError, match="give the reason"):
        steps.answer(dispute, reviewer, accept=False, comment=" ")
    steps.answer(dispute, reviewer, accept=False, comment="No refund was confirmed.")
    assert dispute.status == DisputeStatus.ANSWERED and review.score == 100
    assert any("escalate it to your lead" in m for m in notes_of(agent.id))
    with pytest.raises(ReviewError, match="only the agent"):
        steps.escalate(dispute, world["agent_red2"], "", 3)
    steps.escalate(dispute, agent, "Billing confirmed it.", 3)
    assert dispute.status == DisputeStatus.ESCALATED
    assert any("escalated a dispute" in m for m in notes_of(lead.id))
    resolve_dispute(dispute, lead, new_score=80, comment="Partly resolved.", outcome="overturn")
    assert dispute.status == DisputeStatus.CHANGED and review.score == 80
    assert any("decided" in m for m in notes_of(reviewer.id))
    assert actions() == [
        "dispute.opened",
        "dispute.reviewer_rejected",
        "dispute.escalated",
        "dispute.resolved",
    ]
    assert [s.kind for s in steps.timeline(dispute)] == ["opened", "rejected", "escalated", "changed"]
    assert steps.timeline(dispute)[2].text == "Billing confirmed it."


def test_reviewer_accepts_and_adjusts_the_score(world):
    """The reviewer's acceptance must change something; changing an answer recomputes the
    score, ends the dispute (adjusted) and tells the agent; the lead is never involved."""
    review = submitted_review(world)
    empathy = next(c for c in review.scorecard_version.criteria if c.name == "Empathy")
    dispute = open_dispute(review, world["agent_red"], "Empathy?", [empathy.id], 7)
    with pytest.raises(ReviewError, match="to accept, change"):
        steps.answer(dispute, world["reviewer"], accept=True, comment="ok")
    steps.answer(
        dispute, world["reviewer"], accept=True, comment="Fair, empathy was partial.",
        answer_changes={empathy.id: AnswerInput(3)},
    )  # fmt: skip
    assert dispute.status == DisputeStatus.ADJUSTED and dispute.resolver_id == world["reviewer"].id
    assert review.score is not None and review.score < 100 and dispute.score_after == review.score
    assert dispute.changes == {str(empathy.id): {"before": 5, "after": 3}}
    assert any("accepted your dispute" in m for m in notes_of(world["agent_red"].id))
    assert notes_of(world["lead_red"].id) == []
    event = db.session.query(AuditEvent).filter_by(action="dispute.reviewer_accepted").one()
    assert event.details["before"] == 100 and event.details["after"] == round(review.score, 1)
    with pytest.raises(ReviewError, match="already answered"):
        steps.answer(dispute, world["reviewer"], accept=False, comment="again")
    assert [s.kind for s in steps.timeline(dispute)] == ["opened", "adjusted"]


def test_agent_accepts_the_answer_or_lets_the_window_lapse(world):
    """Accepting the reviewer's answer closes the dispute and tells the reviewer; past the
    escalation window the agent can no longer escalate, and a lapsed one is closed (as
    accepted) so it never stays under way."""
    review = submitted_review(world)
    agent, reviewer = world["agent_red"], world["reviewer"]
    dispute = open_dispute(review, agent, "Unfair", [], 7)
    with pytest.raises(ReviewError, match="has not rejected"):
        steps.accept_answer(dispute, agent)
    steps.answer(dispute, reviewer, accept=False, comment="Stands.")
    steps.accept_answer(dispute, agent)
    assert dispute.status == DisputeStatus.ACCEPTED and dispute.score_after == 100
    assert any("accepted your answer" in m for m in notes_of(reviewer.id))
    assert steps.timeline(dispute)[-1].kind == "accepted"
    db.session.commit()

    other, agent2 = submitted_review(world, agent_key="agent_red2"), world["agent_red2"]
    second = open_dispute(other, agent2, "Still unfair", [], 7)  # one dispute per review
    steps.answer(second, reviewer, accept=False, comment="Still stands.")
    second.answered_at = utcnow() - timedelta(days=4)
    with pytest.raises(ReviewError, match="window to escalate closed"):
        steps.escalate(second, agent2, "", 3)
    assert steps.lapse_expired(other.disputes, 3) == [second]
    assert second.status == DisputeStatus.ACCEPTED and steps.timeline(second)[-1].kind == "lapsed"
    assert "dispute.escalation_lapsed" in actions()


def test_steps_through_the_web(login, world):
    """The reviewer answers on /disputes/<id> (the lead's POST waits for it, 409), the agent
    escalates from the review page, the lead decides; the review page shows the timeline."""
    review = submitted_review(world)
    agent = login(world["agent_red"])
    assert agent.post(f"/reviews/{review.id}/dispute", {"reason": "Unfair"}).status_code == 302
    dispute = review.disputes[0]
    url = f"/disputes/{dispute.id}"
    lead, reviewer = login(world["lead_red"]), login(world["reviewer"])
    assert lead.post(url, {"comment": "x", "action": "uphold"}).status_code == 409
    assert "Disputes" in reviewer.get("/disputes").get_data(as_text=True)
    assert reviewer.get(url).status_code == 200
    assert reviewer.post(url, {"comment": "", "action": "reject"}).status_code == 400
    assert reviewer.post(url, {"comment": "It stands.", "action": "reject"}).status_code == 302
    page = agent.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert 'id="escalate-form"' in page and "It stands." in page
    assert login(world["agent_red2"]).post(f"{url}/escalate", {}).status_code == 404
    assert agent.post(f"{url}/escalate", {"action": "escalate", "note": "Please look"}).status_code == 302
    db.session.refresh(dispute)
    assert dispute.status == DisputeStatus.ESCALATED
    assert lead.post(url, {"comment": "Score stands", "action": "uphold"}).status_code == 302
    db.session.refresh(dispute)
    assert dispute.status == DisputeStatus.UPHELD
    page = agent.get(f"/reviews/{review.id}").get_data(as_text=True)
    for kind in ("opened", "rejected", "escalated", "upheld"):
        assert f'data-step="{kind}"' in page, kind


def test_reviewer_queue_lists_disputes_to_answer(login, world):
    """A dispute on the reviewer's review shows on their queue, linking to the answer page, until
    they answer it; another reviewer's queue does not list it."""
    review = submitted_review(world)
    dispute = open_dispute(review, world["agent_red"], "Please look again", [], 7)
    db.session.commit()
    page = login(world["reviewer"]).get("/queue").get_data(as_text=True)
    assert 'id="disputes-to-answer"' in page and f'href="/disputes/{dispute.id}"' in page
    assert "Please look again" in page
    assert 'id="disputes-to-answer"' not in login(world["reviewer2"]).get("/queue").get_data(
        as_text=True
    )
    steps.answer(dispute, world["reviewer"], accept=False, comment="Stands.")
    db.session.commit()
    page = login(world["reviewer"]).get("/queue").get_data(as_text=True)
    assert 'id="disputes-to-answer"' not in page


def test_one_dispute_per_review_once_it_is_final(login, world):
    """After a dispute ends (here the lead upholds it) the agent cannot dispute the same review
    again while the window is open: the service refuses, the page offers no form and says why."""
    review = submitted_review(world)
    agent = world["agent_red"]
    dispute = to_the_lead(open_dispute(review, agent, "Unfair", [], 7))
    resolve_dispute(dispute, world["lead_red"], new_score=None, comment="Stands", outcome="uphold")
    db.session.commit()
    with pytest.raises(ReviewError, match="one dispute per review"):
        open_dispute(review, agent, "Still unfair", [], 7)
    web = login(agent)
    page = web.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert 'id="dispute-form"' not in page and 'id="dispute-closed"' in page
    assert f"/reviews/{review.id}#dispute-form" not in web.get("/feedback").get_data(as_text=True)
    assert web.post(f"/reviews/{review.id}/dispute", {"reason": "again"}).status_code == 302
    assert db.session.query(Dispute).filter_by(review_id=review.id).count() == 1


def unread_of(user_id: int) -> list[str]:
    """The messages of a user's unread notifications."""
    rows = db.session.query(Notification).filter_by(user_id=user_id, read_at=None)
    return [n.message for n in rows]


def test_a_step_taken_marks_its_notification_read(world):
    """The reviewer's "answer first", the agent's "escalate or accept" and the lead's "decide it"
    notifications are marked read once that person takes their step; others stay unread."""
    review = submitted_review(world)
    agent, reviewer, lead = world["agent_red"], world["reviewer"], world["lead_red"]
    dispute = open_dispute(review, agent, "Unfair", [], 7)
    db.session.flush()
    assert any("answer first" in m for m in unread_of(reviewer.id))
    steps.answer(dispute, reviewer, accept=False, comment="Stands.")
    db.session.flush()
    assert not any("answer first" in m for m in unread_of(reviewer.id))
    assert any("escalate it" in m for m in unread_of(agent.id))
    steps.escalate(dispute, agent, "", 3)
    db.session.flush()
    assert not any("escalate it" in m for m in unread_of(agent.id))
    assert any("decide it" in m for m in unread_of(lead.id))
    resolve_dispute(dispute, lead, new_score=None, comment="Stands", outcome="uphold")
    db.session.flush()
    assert not any("decide it" in m for m in unread_of(lead.id))
    assert any("decided" in m for m in unread_of(agent.id))  # news for the agent, still unread


def test_inactive_reviewer_sends_the_dispute_to_the_leads(world):
    """A dispute on a review whose reviewer is deactivated goes straight to the team's leads
    (escalated, audited with the reason, the leads told), and the lead can decide it."""
    review = submitted_review(world)
    reviewer, lead = world["reviewer"], world["lead_red"]
    reviewer.active = False
    dispute = open_dispute(review, world["agent_red"], "Unfair", [], 7)
    assert dispute.status == DisputeStatus.ESCALATED
    assert notes_of(reviewer.id) == [] and any("decide it" in m for m in notes_of(lead.id))
    event = db.session.query(AuditEvent).filter_by(action="dispute.escalated").one()
    assert event.details == {"reason": "reviewer_inactive"}
    assert [s.kind for s in steps.timeline(dispute)] == ["opened", "to_leads"]
    resolve_dispute(dispute, lead, new_score=None, comment="Stands", outcome="uphold")
    assert dispute.status == DisputeStatus.UPHELD


def test_deactivating_the_reviewer_sends_waiting_disputes_to_the_leads(world):
    """A dispute waiting for its reviewer's answer goes to the leads when the admin deactivates
    that reviewer; an answered one stays with the agent."""
    from qa.services.users import set_active

    review = submitted_review(world)
    other = submitted_review(world, agent_key="agent_red2")
    waiting = open_dispute(review, world["agent_red"], "Unfair", [], 7)
    answered = open_dispute(other, world["agent_red2"], "Unfair too", [], 7)
    steps.answer(answered, world["reviewer"], accept=False, comment="Stands.")
    set_active(world["reviewer"], False, world["admin"])
    assert waiting.status == DisputeStatus.ESCALATED
    assert answered.status == DisputeStatus.ANSWERED
    assert any("no active reviewer" in m for m in notes_of(world["lead_red"].id))


def test_disputes_list_keeps_the_opened_date_on_one_line(login, world):
    """The "Opened" cell of /disputes does not wrap (nowrap class, styled in app.css)."""
    review = submitted_review(world)
    open_dispute(review, world["agent_red"], "Unfair", [], 7)
    db.session.commit()
    page = login(world["lead_red"]).get("/disputes").get_data(as_text=True)
    assert '<td class="nowrap">' in page
    css = Path("qa/static/app.css").read_text(encoding="utf-8")
    assert "td.nowrap { white-space:nowrap; }" in css
