"""Swapping a diarized mono call's speakers (issue 16): the labels change in bulk, the call
analytics are recomputed, an audit event is written and AutoQA is asked to score again; agents
cannot swap, reviewers only on calls in their scope, and the page marks unsure labels."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qa.extensions import db
from qa.models import (
    Assignment,
    AuditEvent,
    Channel,
    Interaction,
    Role,
    Sample,
    SamplingPolicy,
    Segment,
    Status,
    Transcript,
)
from qa.services import speakers
from tests.conftest import make_team, make_user

# the diarizer's labels, the wrong way round: the agent's greeting labelled customer
TURNS = [
    ("customer", 0.0, 4.0, "thank you for calling how can I help", 0.31),
    ("agent", 4.5, 12.0, "I was charged twice for my order", 0.82),
    ("customer", 12.5, 20.0, "I am sorry let me check that for you", 0.77),
]


def make_mono_call(agent) -> Interaction:
    """A diarized mono call of `agent` (segments with speaker confidences), committed."""
    call = Interaction(source="test", external_id=f"MONO-{agent.id}", channel=Channel.CALL,
                       agent=agent, team=agent.team, started_at=_monday(), status=Status.SCORED,
                       duration_seconds=21.0)  # fmt: skip
    transcript = Transcript(interaction=call, duration_seconds=21.0, redactions={},
                            diarization_note="diarized: 2 speakers")  # fmt: skip
    for n, (who, start, end, text, conf) in enumerate(TURNS):
        transcript.segments.append(Segment(position=n, speaker=who, start=start, end=end,
                                           text=text, speaker_confidence=conf))  # fmt: skip
    db.session.add_all([call, transcript])
    db.session.commit()
    return call


def _monday():  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime(2026, 11, 9, 9)


def assign(call: Interaction, reviewer) -> None:  # type: ignore[no-untyped-def]
    policy = SamplingPolicy(team=call.team, name="Weekly")
    sample = Sample(policy=policy, week="2026-W46", interaction=call, stratum="random")
    db.session.add_all([policy, sample, Assignment(sample=sample, interaction=call,
                                                   reviewer=reviewer)])  # fmt: skip
    db.session.commit()


@pytest.fixture
def rescored(monkeypatch):  # type: ignore[no-untyped-def]
    """The ids AutoQA was asked to score (the real job loads the encoder: not needed here)."""
    calls: list[list[int]] = []
    monkeypatch.setattr("qa.jobs.enqueue_scoring", lambda ids: calls.append(list(ids)) or 1)
    return calls


def _labels(call: Interaction) -> list[str]:
    return list(db.session.scalars(select(Segment.speaker).where(
        Segment.transcript_id == call.transcript.id).order_by(Segment.position)))  # fmt: skip


def test_swap_changes_every_label_and_recomputes_analytics(app):
    """The whole-transcript swap turns agent into customer and back on all segments, and the
    stored talk seconds follow (agent 4 s, customer 15 s before; the reverse after)."""
    team = make_team("Phones")
    call = make_mono_call(make_user(Role.AGENT, team=team))
    lead = make_user(Role.LEAD, leads=[team])
    before = (call.analysis.agent_talk_seconds, call.analysis.customer_talk_seconds)
    assert before == (7.5, 11.5)
    result = speakers.swap_speakers(call, lead)
    db.session.commit()
    assert result.segments == 3
    assert _labels(call) == ["agent", "customer", "agent"]
    assert (call.analysis.agent_talk_seconds, call.analysis.customer_talk_seconds) == (11.5, 7.5)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "transcript.speakers_swapped")).one()  # fmt: skip
    assert (event.actor_id, event.object_id, event.details["segments"]) == (lead.id, call.id, 3)


def test_swap_one_segment_marks_it_decided(app):
    """A per-segment swap changes that segment only and sets its confidence to 1."""
    team = make_team("Phones")
    call = make_mono_call(make_user(Role.AGENT, team=team))
    speakers.swap_speakers(call, make_user(Role.ADMIN), position=0)
    db.session.commit()
    assert _labels(call) == ["agent", "agent", "customer"]
    assert call.transcript.segments[0].speaker_confidence == 1.0
    with pytest.raises(speakers.SwapError):
        speakers.swap_speakers(call, make_user(Role.ADMIN), position=7)


def test_reviewer_swaps_in_scope_agent_cannot_others_get_404(app, login, rescored):
    """POST with CSRF: the assigned reviewer's swap works and asks AutoQA to score the call
    again; the call's agent gets 403, an unassigned reviewer 404, a post without the CSRF
    token 400, and nothing changed on the refused posts."""
    team = make_team("Phones")
    agent = make_user(Role.AGENT, team=team)
    call = make_mono_call(agent)
    reviewer, stranger = make_user(Role.REVIEWER), make_user(Role.REVIEWER)
    assign(call, reviewer)
    url = f"/interactions/{call.id}/speakers/swap"

    assert login(agent).post(url).status_code == 403
    assert login(stranger).post(url).status_code == 404
    c = login(reviewer)
    assert c.post(url, csrf=False).status_code == 400
    assert _labels(call) == ["customer", "agent", "customer"] and rescored == []

    response = c.post(url, {"next": f"/interactions/{call.id}"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/interactions/{call.id}")
    assert _labels(call) == ["agent", "customer", "agent"]
    assert rescored == [[call.id]]
    # an outside "next" is not followed
    response = c.post(url, {"next": "//evil.example/x", "position": "1"})
    assert response.headers["Location"].endswith(f"/interactions/{call.id}")
    assert _labels(call) == ["agent", "agent", "agent"]
    assert c.post(url, {"position": "x"}).status_code == 400


def test_page_marks_unsure_labels_with_a_legend_and_swap_buttons(app, login):
    """Below the 0.5 threshold a label gets the "?" mark, the legend gives the threshold, and the
    reviewer sees the swap buttons; the agent sees the mark but no button."""
    team = make_team("Phones")
    agent = make_user(Role.AGENT, team=team)
    call = make_mono_call(agent)
    reviewer = make_user(Role.REVIEWER)
    assign(call, reviewer)
    page = login(reviewer).get(f"/interactions/{call.id}").get_data(as_text=True)
    assert 'id="unsure-legend"' in page and "confidence below 0.50" in page
    assert page.count('class="unsure" title=') == 1
    assert "Swap agent and customer" in page and page.count('class="swap-one small"') == 1
    page = login(agent).get(f"/interactions/{call.id}").get_data(as_text=True)
    assert 'id="unsure-legend"' in page and "Swap agent and customer" not in page
