"""The review workspace: evidence and anchors, review time, no N+1 queries, disputes with
arbitrators and per-criterion changes, and in-app plus email notifications."""

from __future__ import annotations

import re
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from qa.extensions import db
from qa.models import (
    Answer,
    Assignment,
    AutoScore,
    Criterion,
    DisputeStatus,
    Notification,
    ReviewStatus,
    Role,
    Sample,
    SamplingPolicy,
    utcnow,
)
from qa.services.reviews import (
    AnswerInput,
    ReviewError,
    assign_arbitrator,
    open_dispute,
    pacing,
    resolve_dispute,
    save_answers,
    scale_anchors,
    start_review,
    suggested_answer,
)
from tests.conftest import make_interaction, make_user
from tests.qa.test_access import submitted_review
from tests.qa.test_dispute_flow import to_the_lead


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block."""
    counter = {"n": 0}

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _chat(agent, n_segments: int):  # type: ignore[no-untyped-def]
    turns = [
        ("customer" if k % 2 == 0 else "agent", f"Turn {k}: I'm so sorry about the charge {k}.")
        for k in range(n_segments)
    ]
    interaction = make_interaction(agent, turns=turns)
    for key, value in (("empathy", 80.0), ("resolution", 30.0)):
        db.session.add(
            AutoScore(
                interaction=interaction,
                criterion=key,
                value=value,
                model_version="t",
                evidence=[
                    {"turn": 1, "speaker": "agent", "text": "Turn 1: I'm so sorry", "weight": 0.5}
                ],
            )
        )
    db.session.flush()
    return interaction


def _review_with_answers(world, n_segments: int, n_answers: int):  # type: ignore[no-untyped-def]
    interaction = _chat(world["agent_red"], n_segments)
    review = start_review(interaction, world["reviewer"], world["scorecard"].current)
    criteria = world["scorecard"].current.criteria[:n_answers]
    save_answers(
        review,
        {c.id: AnswerInput(c.scale_max, comment="fine", segment=0) for c in criteria},
        "ok",
        submit=False,
        actor=world["reviewer"],
    )
    db.session.commit()
    return review


def test_review_page_query_count_does_not_grow(login, world):
    """The review page runs the same number of queries for 20 or 200 segments, 1 or 5 answers."""
    small = _review_with_answers(world, 20, 1)
    big = _review_with_answers(world, 200, 5)
    c = login(world["reviewer"])
    counts = []
    for review in (small, big):
        db.session.expire_all()
        with count_queries() as n:
            response = c.get(f"/reviews/{review.id}/edit")
        assert response.status_code == 200
        counts.append(n["n"])
    assert counts[0] == counts[1], counts
    assert counts[1] < 30


def test_show_page_query_count_does_not_grow(login, world):
    """The read-only review page does not grow with segments or answers either."""
    small, big = _review_with_answers(world, 20, 1), _review_with_answers(world, 200, 5)
    counts = []
    c = login(world["lead_red"])
    for review in (small, big):
        db.session.expire_all()
        with count_queries() as n:
            assert c.get(f"/reviews/{review.id}").status_code == 200
        counts.append(n["n"])
    assert counts[0] == counts[1], counts


def test_workspace_shows_evidence_per_criterion_and_keyboard_script(login, world):
    """AutoQA evidence links to its transcript segment, which is marked with the AutoQA key."""
    review = _review_with_answers(world, 20, 1)
    page = login(world["reviewer"]).get(f"/reviews/{review.id}/edit").get_data(as_text=True)
    assert 'href="#seg-1" class="ev-link"' in page
    assert re.search(r'id="seg-1" data-pos="2" data-evidence="empathy resolution"', page)
    assert "review.js" in page and "<script>" not in page  # CSP: no inline scripts
    assert re.search(r'<input [^>]*name="elapsed"', page)  # review.js fills in the time spent
    assert 'data-criterion="Empathy"' in page and "Keys:" in page


def test_anchor_and_elapsed_time_are_saved_from_the_form(login, world):
    """A comment anchored to segment #2 is stored at position 1; page time adds up."""
    interaction = _chat(world["agent_red"], 5)
    review = start_review(interaction, world["reviewer"], world["scorecard"].current)
    db.session.commit()
    first = review.scorecard_version.criteria[0]
    c = login(world["reviewer"])
    data = {
        f"c_{first.id}": "1",
        f"cm_{first.id}": "greets",
        f"sg_{first.id}": "2",
        "elapsed": "42.5",
        "save": "1",
    }
    assert c.post(f"/reviews/{review.id}/edit", data).status_code == 302
    answer = db.session.query(Answer).filter_by(review_id=review.id).one()
    assert answer.segment_position == 1 and answer.comment == "greets"
    db.session.refresh(review)
    assert review.duration_seconds == pytest.approx(42.5)
    # an anchor past the end of the transcript is refused with a clear 400
    data[f"sg_{first.id}"] = "99"
    response = c.post(f"/reviews/{review.id}/edit", data)
    assert response.status_code == 400 and "no transcript segment #99" in response.get_data(
        as_text=True
    )
    shown = c.get(f"/reviews/{review.id}/edit").get_data(as_text=True)
    assert 'value="2"' in shown


def test_overall_comment_is_anchored_and_shown_with_its_segment(login, world):
    """The overall comment can point at a segment too: saved, re-shown, refused past the end,
    linked on the submitted review and in the API."""
    interaction = _chat(world["agent_red"], 5)
    review = start_review(interaction, world["reviewer"], world["scorecard"].current)
    db.session.commit()
    c = login(world["reviewer"])
    data = {"comment": "Great save at the end", "comment_segment": "4", "save": "1"}
    response = c.post(f"/reviews/{review.id}/edit", data)
    assert response.status_code == 302
    db.session.refresh(review)
    assert (review.comment, review.comment_segment_position) == ("Great save at the end", 3)
    assert 'name="comment_segment" id="comment_segment" class="segno" min="1" size="3" value="4"' in (
        c.get(f"/reviews/{review.id}/edit").get_data(as_text=True)
    )
    response = c.post(f"/reviews/{review.id}/edit", {**data, "comment_segment": "6"})
    assert response.status_code == 400
    assert "Overall comment: no transcript segment #6" in response.get_data(as_text=True)
    data = {"comment": "Great save at the end", "comment_segment": "4", "submit": "1"}
    for criterion in review.scorecard_version.criteria:
        data[f"c_{criterion.id}"] = str(criterion.scale_max)
    assert c.post(f"/reviews/{review.id}/edit", data).status_code == 302
    agent = login(world["agent_red"])
    page = agent.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert '<a class="anchor" href="#seg-3">at #4</a>' in page
    # cleared by saving without it (draft of another review: the anchor is optional)
    other = start_review(_chat(world["agent_red"], 2), world["reviewer"], world["scorecard"].current)
    db.session.commit()
    assert c.post(f"/reviews/{other.id}/edit", {"comment": "x", "save": "1"}).status_code == 302
    db.session.refresh(other)
    assert other.comment_segment_position is None


def test_bad_answer_value_is_a_400(login, world):
    """An answer outside the scale's choices is rejected by the form."""
    review = start_review(world["i_agent_red"], world["reviewer"], world["scorecard"].current)
    db.session.commit()
    first = review.scorecard_version.criteria[0]
    c = login(world["reviewer"])
    assert (
        c.post(f"/reviews/{review.id}/edit", {f"c_{first.id}": "7", "submit": "1"}).status_code
        == 400
    )
    assert c.post(f"/reviews/{review.id}/edit", {"elapsed": "-3", "save": "1"}).status_code == 400


def test_other_reviewer_cannot_edit_a_draft(login, world):
    """Another reviewer's draft answers 404; a lead cannot use the reviewer's workspace."""
    review = start_review(world["i_agent_red"], world["reviewer"], world["scorecard"].current)
    db.session.commit()
    assert login(world["reviewer2"]).get(f"/reviews/{review.id}/edit").status_code == 404
    assert login(world["lead_red"]).get(f"/reviews/{review.id}/edit").status_code == 404
    assert login(world["agent_red"]).get(f"/reviews/{review.id}/edit").status_code == 403


def test_reviewer_cannot_change_review_after_dispute_is_decided(login, world):
    """After a decided dispute, neither the service nor the edit page changes the review."""
    review = submitted_review(world)
    dispute = to_the_lead(open_dispute(review, world["agent_red"], "unfair", [], 7))
    resolve_dispute(dispute, world["lead_red"], new_score=None, comment="stands")
    db.session.commit()
    with pytest.raises(ReviewError, match="already submitted"):
        save_answers(review, {}, "new", submit=False, actor=world["reviewer"])
    first = review.scorecard_version.criteria[0]
    c = login(world["reviewer"])
    assert (
        c.post(f"/reviews/{review.id}/edit", {f"c_{first.id}": "0", "submit": "1"}).status_code
        == 302
    )
    db.session.refresh(review)
    assert review.score == 100 and review.comment == "good"


def test_reviewer_cannot_decide_a_dispute_on_their_own_review(world):
    """The original reviewer and the agent are neither arbitrators nor deciders."""
    review = submitted_review(world)
    dispute = to_the_lead(open_dispute(review, world["agent_red"], "unfair", [], 7))
    with pytest.raises(ReviewError):
        assign_arbitrator(dispute, world["reviewer"], world["lead_red"])
    with pytest.raises(ReviewError):
        resolve_dispute(dispute, world["reviewer"], new_score=None, comment="mine")


def test_per_criterion_change_recomputes_score_and_keeps_history(world):
    """Changing one answer in the decision recomputes the score by the formula."""
    review = submitted_review(world)
    version = review.scorecard_version
    empathy = next(c for c in version.criteria if c.name == "Empathy")
    dispute = to_the_lead(
        open_dispute(review, world["agent_red"], "empathy too high?", [empathy.id], 7)
    )
    resolve_dispute(
        dispute,
        world["lead_red"],
        new_score=None,
        comment="Empathy was 3",
        answer_changes={empathy.id: AnswerInput(3)},
    )
    db.session.commit()
    # weights: 1 + 2 + 1 + 3 + 2 + 1 + 1 (data protection allows N/A; answered max here) -> empathy 50
    total = sum(c.weight for c in version.criteria)
    assert review.score == pytest.approx(round((total * 100 - empathy.weight * 50) / total, 2))
    assert dispute.status == DisputeStatus.CHANGED
    assert dispute.changes == {str(empathy.id): {"before": 5, "after": 3}}


def test_arbitrator_decides_through_the_web(login, world):
    """A lead hands a dispute to another reviewer, who can open and decide only that dispute."""
    review = submitted_review(world)
    dispute = to_the_lead(open_dispute(review, world["agent_red"], "unfair", [], 7))
    db.session.commit()
    lead = login(world["lead_red"])
    arb = login(world["reviewer2"])
    assert arb.get(f"/disputes/{dispute.id}").status_code == 404
    page = lead.get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert "Assign arbitrator" in page
    response = lead.post(
        f"/disputes/{dispute.id}/arbitrator", {"arbitrator": world["reviewer2"].id}
    )
    assert response.status_code == 302
    assert (
        lead.post(
            f"/disputes/{dispute.id}/arbitrator", {"arbitrator": world["agent_red"].id}
        ).status_code
        == 400
    )
    assert db.session.query(Notification).filter_by(user_id=world["reviewer2"].id).count() == 1
    assert (
        arb.post(
            f"/disputes/{dispute.id}/arbitrator", {"arbitrator": world["admin"].id}
        ).status_code
        == 403
    )
    assert (
        arb.post(
            f"/disputes/{dispute.id}", {"comment": "Fair enough", "new_score": "70"}
        ).status_code
        == 302
    )
    db.session.refresh(dispute)
    assert dispute.status == DisputeStatus.CHANGED and dispute.resolver_id == world["reviewer2"].id
    assert review.score == 70
    history = login(world["agent_red"]).get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Fair enough" in history and "100 → 70" in history


def test_feedback_lists_criteria_and_comments(login, world):
    """My feedback shows each review's score, criteria answers and comments."""
    review = submitted_review(world)
    first = review.scorecard_version.criteria[0]
    review.answers[0].comment = "Verify before the account talk"
    db.session.commit()
    page = login(world["agent_red"]).get("/feedback").get_data(as_text=True)
    assert "Verify before the account talk" in page and first.name in page and "Overall:" in page


def test_agent_cannot_acknowledge_a_draft_by_service(world):
    """Acknowledging is only for the agent of a submitted review."""
    from qa.services.reviews import acknowledge

    draft = start_review(world["i_agent_red"], world["reviewer"], world["scorecard"].current)
    with pytest.raises(ReviewError):
        acknowledge(draft, world["agent_red"])
    with pytest.raises(ReviewError):
        acknowledge(submitted_review(world), world["agent_red2"])


class FakeSMTP:
    """A tiny SMTP server on loopback that keeps the messages it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.messages: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as rf:
                conn.sendall(b"220 fake ESMTP\r\n")
                while line := rf.readline():
                    cmd = line.decode().strip().upper()
                    if cmd.startswith("DATA"):
                        conn.sendall(b"354 go ahead\r\n")
                        body = []
                        while (data := rf.readline()) not in (b".\r\n", b""):
                            body.append(data.decode())
                        self.messages.append("".join(body))
                        conn.sendall(b"250 queued\r\n")
                    elif cmd.startswith("QUIT"):
                        conn.sendall(b"221 bye\r\n")
                        break
                    else:
                        conn.sendall(b"250 ok\r\n")

    def close(self) -> None:
        self.sock.close()


def test_email_goes_out_when_smtp_is_configured(app, world):
    """With SMTP_HOST set, new feedback is also emailed; without it, only the in-app note."""
    submitted_review(world)
    assert db.session.query(Notification).filter_by(user_id=world["agent_red"].id).count() == 1
    server = FakeSMTP()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_FROM="qa@example.com")
        submitted_review(world, agent_key="agent_blue")
    finally:
        app.config["SMTP_HOST"] = None
        server.close()
    assert len(server.messages) == 1
    assert world["agent_blue"].email in server.messages[0] and "New feedback" in server.messages[0]


def test_unreachable_smtp_does_not_break_submission(app, world):
    """A dead mail server is logged; the review is still submitted and the note stored."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    try:
        review = submitted_review(world)
    finally:
        app.config["SMTP_HOST"] = None
    assert review.status == ReviewStatus.SUBMITTED


def test_review_uses_policy_scorecard(login, world):
    """An assigned interaction is scored on its sampling policy's scorecard."""
    from qa.models import Assignment, Sample, SamplingPolicy, Scorecard
    from qa.services.reviews import publish_version

    other = Scorecard(name="Chat card")
    db.session.add(other)
    db.session.flush()
    publish_version(other, [{"name": "Only", "scale_min": 0, "scale_max": 1}])
    policy = SamplingPolicy(team=world["red"], name="p", scorecard_id=other.id)
    sample = Sample(
        policy=policy, week="2026-W47", interaction_id=world["i_agent_red"].id, stratum="random"
    )
    db.session.add_all([policy, sample])
    db.session.flush()
    db.session.add(
        Assignment(
            sample=sample, interaction_id=world["i_agent_red"].id, reviewer_id=world["reviewer"].id
        )
    )
    db.session.commit()
    c = login(world["reviewer"])
    response = c.post(f"/interactions/{world['i_agent_red'].id}/review")
    assert response.status_code == 302
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Scorecard Chat card v1" in page


def test_admin_only_scores_calibration_reviews(login, world):
    """Admins and leads reach the scoring page only for their own calibration reviews."""
    make_user(Role.ADMIN)
    review = start_review(world["i_agent_red"], world["reviewer"], world["scorecard"].current)
    db.session.commit()
    assert login(world["admin"]).get(f"/reviews/{review.id}/edit").status_code == 404


def test_feedback_page_query_count_does_not_grow(login, world):
    """My feedback runs the same number of queries for one review or three."""
    from qa.models import utcnow

    agent = world["agent_red"]
    c = login(agent)
    counts = []
    for n in (1, 3):
        while len(agent_reviews(agent)) < n:
            interaction = make_interaction(agent, started_at=utcnow() - timedelta(days=2))
            world["i_agent_red"] = interaction
            submitted_review(world)
        db.session.expire_all()
        with count_queries() as q:
            assert c.get("/feedback").status_code == 200
        counts.append(q["n"])
    assert counts[0] == counts[1], counts


def agent_reviews(agent):  # type: ignore[no-untyped-def]
    from qa.models import Interaction, Review

    return (
        db.session.query(Review)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .filter(Interaction.agent_id == agent.id, Review.status == ReviewStatus.SUBMITTED)
        .all()
    )


def test_suggested_answer_maps_autoqa_to_the_criterion_scale():
    """0-100 falls into equal bins of a 1-5 scale (edges flagged), yes/no is yes at 50% with
    max(p, 1-p) as confidence; anchors name both ends of any scale (issue 18)."""
    five = Criterion(name="Empathy", scale_min=1, scale_max=5)
    got = [suggested_answer(five, "empathy", v).value for v in (0, 3, 19.9, 20, 55, 80, 100)]
    assert got == ["1", "1", "1", "2", "3", "5", "5"]
    assert "close to the next answer" in suggested_answer(five, "empathy", 78).note
    assert "close" not in suggested_answer(five, "empathy", 50).note
    assert suggested_answer(five, "empathy", 85).label == "5 (Fully)"
    yes_no = Criterion(name="Resolution", scale_min=0, scale_max=1)
    low, high = suggested_answer(yes_no, "resolution", 30), suggested_answer(yes_no, "resolution", 50)
    assert (low.value, low.confidence, high.value, high.confidence) == ("0", 0.7, "1", 0.5)
    assert scale_anchors(yes_no) == {} and scale_anchors(Criterion(scale_min=0, scale_max=10)) == {
        0: "Not at all",
        10: "Fully",
    }


def test_pacing_counts_this_weeks_submits_against_assignments_or_capacity(world):
    """Done counts this week's submitted reviews; quota is this week's assignments, else the
    weekly capacity."""
    from datetime import timedelta

    reviewer = world["reviewer"]
    reviewer.weekly_capacity = 7
    assert (pacing(reviewer).done, pacing(reviewer).quota) == (0, 7)
    review = submitted_review(world)
    policy = SamplingPolicy(team=world["red"], name="Weekly")
    sample = Sample(policy=policy, week="2026-W01", interaction=world["i_agent_red2"], stratum="random")
    db.session.add_all([policy, sample, Assignment(sample=sample, interaction=world["i_agent_red2"], reviewer=reviewer)])
    db.session.commit()
    now = utcnow()
    p = pacing(review.reviewer, now)
    assert (p.done, p.assigned, p.quota) == (1, 1, 1) and p.percent == 100
    assert pacing(review.reviewer, now + timedelta(days=7)).done == 0
