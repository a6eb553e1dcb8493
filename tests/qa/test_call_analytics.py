"""Call analytics in the app (issue 16): stored per call, recomputed when the transcript changes,
shown as a timeline, used by the sampler's risk mix, as scorecard keys and on the dashboards."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from qa.extensions import db
from qa.models import (
    AutoScore,
    CallAnalysis,
    Channel,
    Interaction,
    Role,
    Sample,
    Segment,
    Status,
    Transcript,
)
from qa.services import call_analytics, sampling
from qa.services.dashboard_days import Period
from qa.services.reviews import publish_version, start_review
from tests.conftest import make_interaction, make_scorecard, make_team, make_user

_calls = iter(range(1, 10_000))

MONDAY = datetime(2026, 11, 9, 9)  # 2026-W46
WEEK = "2026-W46"
# customer 0-5 s, agent 4-12 s (cuts in at 4 s: the customer stops at 5 s), 28 s of silence,
# customer 40-45 s, in a 60 s recording
TURNS = [
    ("customer", 0.0, 5.0, "hello I was charged twice"),
    ("agent", 4.0, 12.0, "I am sorry let me look at it"),
    ("customer", 40.0, 45.0, "ok thank you"),
]


def make_call(agent, turns=TURNS, *, started_at=MONDAY, duration=60.0) -> Interaction:
    """A transcribed call of `agent` with timed segments (committed: analytics computed)."""
    interaction = Interaction(
        source="test", external_id=f"CALL-{next(_calls)}",
        channel=Channel.CALL, agent=agent, team=agent.team, started_at=started_at,
        status=Status.SCORED, duration_seconds=duration,
    )  # fmt: skip
    transcript = Transcript(interaction=interaction, duration_seconds=duration, redactions={})
    for n, (speaker, start, end, text) in enumerate(turns):
        transcript.segments.append(
            Segment(position=n, speaker=speaker, start=start, end=end, text=text)
        )
    db.session.add_all([interaction, transcript])
    db.session.commit()
    return interaction


@pytest.fixture
def team(app):
    team = make_team("Phones")
    make_user(Role.REVIEWER)
    return team


def test_figures_are_stored_with_the_transcript(team):
    """The stored figures are the hand-computed ones: talk 8 s vs 10 s, 28 s of dead air that
    is a hold, 1 s of overtalk that is an agent interruption."""
    agent = make_user(Role.AGENT, team=team)
    row = make_call(agent).analysis
    assert row is not None and row.speakers == "labelled" and row.note is None
    assert (row.agent_talk_seconds, row.customer_talk_seconds) == (8.0, 10.0)
    assert row.talk_ratio == pytest.approx(8 / 18, abs=1e-4)
    assert (row.dead_air_seconds, row.longest_silence_seconds, row.long_silences) == (28, 28, 1)
    assert row.dead_air_ratio == pytest.approx(28 / 45, abs=1e-4)
    assert (row.holds, row.hold_seconds) == (1, 28.0)
    assert (row.overtalk_count, row.overtalk_seconds) == (1, 1.0)
    assert (row.agent_interruptions, row.customer_interruptions) == (1, 0)
    assert row.agent_wpm == pytest.approx(8 * 60 / 8)  # 8 words in 8 s
    kinds = [s["kind"] for s in row.figures["timeline"]]
    assert kinds.count("agent") == 1 and kinds.count("customer") == 2


def test_a_speaker_swap_recomputes_and_a_bulk_update_is_caught_on_read(team):
    """Swapping the speakers through the ORM recomputes at commit; a bulk UPDATE that bypasses
    the ORM is noticed by its fingerprint and recomputed by current()."""
    agent = make_user(Role.AGENT, team=team)
    call = make_call(agent)
    for seg in call.transcript.segments:
        seg.speaker = {"agent": "customer", "customer": "agent"}[seg.speaker]
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(CallAnalysis, call.id)
    assert row.talk_ratio == pytest.approx(10 / 18, abs=1e-4)
    assert (row.agent_interruptions, row.customer_interruptions) == (0, 1)
    db.session.execute(
        update(Segment).where(Segment.transcript_id == call.transcript.id).values(speaker="unknown")
    )
    db.session.commit()
    db.session.expire_all()
    call = db.session.get(Interaction, call.id)
    assert call.analysis.talk_ratio is not None  # stale: the ORM saw no change
    fresh = call_analytics.current(call)
    db.session.commit()
    assert fresh.speakers == "unknown" and fresh.talk_ratio is None


def test_unknown_speakers_get_figures_without_the_split_and_a_note(login, team):
    """A mono call (speakers "unknown") gets dead air and holds but no talk ratio, overtalk or
    interruptions, and the page says why."""
    agent = make_user(Role.AGENT, team=team)
    call = make_call(agent, [("unknown", s, e, t) for _, s, e, t in TURNS])
    row = call.analysis
    assert (row.speakers, row.note) == ("unknown", "speakers_unknown")
    assert row.talk_ratio is None and row.overtalk_count is None
    assert row.agent_interruptions is None and row.dead_air_seconds == 28.0
    page = login(agent).get(f"/interactions/{call.id}").get_data(as_text=True)
    assert "Speakers unknown" in page and 'class="span speech"' in page
    assert 'class="span agent"' not in page


def test_text_channels_and_untimed_calls_get_none(team):
    """A chat, and a call whose segments have no times, have no analytics."""
    agent = make_user(Role.AGENT, team=team)
    chat = make_interaction(agent)
    untimed = make_call(agent, [(s, None, None, t) for s, _, _, t in TURNS])
    db.session.commit()
    assert chat.analysis is None and untimed.analysis is None
    assert call_analytics.current(untimed) is None


def test_backfill_command_computes_the_missing_ones(app, team):
    """`flask calls analytics --backfill` computes analytics for calls stored without them."""
    agent = make_user(Role.AGENT, team=team)
    calls = [make_call(agent, started_at=MONDAY + timedelta(hours=h)) for h in range(3)]
    make_call(agent, [(s, None, None, t) for s, _, _, t in TURNS], started_at=MONDAY)
    db.session.execute(CallAnalysis.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["calls", "analytics", "--backfill"])
    assert result.exit_code == 0, result.output
    assert "computed for 3 call(s), 1 without timed segments" in result.output
    stored = db.session.scalars(select(CallAnalysis.interaction_id)).all()
    assert sorted(stored) == sorted(c.id for c in calls)
    again = app.test_cli_runner().invoke(args=["calls", "analytics", "--backfill"])
    assert "computed for 0 call(s)" in again.output
    assert app.test_cli_runner().invoke(args=["calls", "analytics"]).exit_code != 0


def _span_counts(page: str) -> dict[str, int]:
    return {
        k: len(re.findall(rf'<rect class="span {k}"', page))
        for k in ("agent", "customer", "overtalk", "hold", "agent_interruption")
    }


def test_interaction_page_shows_the_timeline_and_figures_escaped(login, team):
    """The interaction page draws each span once, with accessible labels, the legend and the
    key figures; another agent's call is not found."""
    agent, other = make_user(Role.AGENT, team=team), make_user(Role.AGENT, team=team)
    call = make_call(agent, [(*TURNS[0][:3], "<script>alert(1)</script>"), *TURNS[1:]])
    page = login(agent).get(f"/interactions/{call.id}").get_data(as_text=True)
    assert _span_counts(page) == {
        "agent": 1, "customer": 2, "overtalk": 1, "hold": 1, "agent_interruption": 1
    }  # fmt: skip
    assert 'role="img"' in page and "Timeline of who spoke when" in page
    assert "Agent speaking: 1, customer speaking: 2" in page  # the picture's description
    assert "<title>Agent 0:04–0:12 (8.0 s)</title>" in page
    assert 'data-kind="hold"' in page  # the legend
    assert "agent 44% · customer 56%" in page and "agent 1 · customer 0" in page
    assert "<script>alert(1)" not in page
    assert login(other).get(f"/interactions/{call.id}").status_code == 404


def test_long_dead_air_is_a_risk_signal_with_its_threshold(login, team):
    """With only the dead-air weight, the risk pick is the call with a silence of at least the
    policy's threshold, its reason "long dead air" shown in the preview; a higher threshold
    leaves no risky call."""
    agent = make_user(Role.AGENT, team=team)
    quiet = make_call(agent)  # a 28 s silence
    busy = [
        make_call(
            agent,
            [("customer", 0, 5, "hi"), ("agent", 5.5, 30, "sure")],
            started_at=MONDAY + timedelta(hours=h),
        )  # fmt: skip
        for h in range(1, 4)
    ]
    weights = dict(risk_weight_autoqa=0, risk_weight_csat=0, risk_weight_escalated=0,
                   risk_weight_handle_time=0)  # fmt: skip
    policy = sampling.save_policy(
        None, team.id,
        dict(name="dead air", percentage=100, min_per_agent=1, max_per_agent=1, risk_share=1.0,
             risk_weight_dead_air=1.0, dead_air_seconds=20, **weights),
        actor=None,
    )  # fmt: skip
    db.session.commit()
    lead = login(make_user(Role.LEAD, leads=[team]))
    page = lead.get(f"/sampling/policies/{policy.id}?week={WEEK}").get_data(as_text=True)
    assert "long dead air ×1" in page
    assert "long dead air: a silence of 20 s or more" in page
    report = sampling.draw(policy, WEEK)
    assert report.added_risk == 1
    sample = db.session.scalars(select(Sample).where(Sample.policy_id == policy.id)).one()
    assert (sample.interaction_id, sample.risk_reason) == (quiet.id, "long dead air")
    assert sample.interaction_id not in {b.id for b in busy}
    stricter = sampling.save_policy(None, team.id, dict(
        name="stricter", percentage=100, min_per_agent=1, max_per_agent=1, risk_share=1.0,
        risk_weight_dead_air=1.0, dead_air_seconds=29, seed=3, **weights), actor=None)  # fmt: skip
    db.session.commit()
    assert sampling.preview(stricter, WEEK).added_risk == 0
    with pytest.raises(sampling.SamplingError, match="dead air"):
        sampling.save_policy(stricter, team.id, {"dead_air_seconds": 0}, actor=None)


def test_policy_form_saves_the_dead_air_weight_and_threshold(login, team):
    """The policy form shows and saves the long-dead-air weight and threshold."""
    lead = login(make_user(Role.LEAD, leads=[team]))
    form = lead.get("/sampling/policies/new").get_data(as_text=True)
    assert "Weight: long dead air" in form and 'name="dead_air_seconds"' in form
    data = {"team": str(team.id), "name": "calls", "percentage": "5", "min_per_agent": "2",
            "max_per_agent": "10", "risk_share": "50", "risk_weight_autoqa": "1",
            "risk_weight_csat": "1", "risk_weight_escalated": "0.8",
            "risk_weight_handle_time": "0.5", "risk_weight_dead_air": "2",
            "dead_air_seconds": "45", "seed": "0", "active": "y", "tier": "0"}  # fmt: skip
    response = lead.post("/sampling/policies/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = db.session.query(sampling.policies.SamplingPolicy).filter_by(name="calls").one()
    assert (saved.risk_weight_dead_air, saved.dead_air_seconds) == (2.0, 45.0)


def test_call_keys_score_the_figures(team):
    """call.* keys are 0-100, higher better, with the figure as the label; unknown figures
    give no key."""
    agent = make_user(Role.AGENT, team=team)
    scores = call_analytics.call_scores(make_call(agent).analysis)
    # dead air 62% of the covered span: beyond the 30% limit
    assert scores["call.dead_air_share"].value == 0.0
    assert scores["call.dead_air_share"].label == "dead air 62%"
    # talk ratio 44%: inside 40-60%
    assert scores["call.talk_ratio"].value == 100.0
    # one interruption: 75; longest silence 28 s: 100 x (1 - 28/60)
    assert scores["call.interruptions"].value == 75.0
    assert scores["call.longest_silence"].value == pytest.approx(53.33, abs=0.01)
    mono = make_call(agent, [("unknown", s, e, t) for _, s, e, t in TURNS],
                     started_at=MONDAY + timedelta(days=1))  # fmt: skip
    assert set(call_analytics.call_scores(mono.analysis)) == {
        "call.dead_air_share", "call.longest_silence"
    }  # fmt: skip


def test_scorecard_criteria_use_call_keys_on_the_review_page(login, team):
    """A criterion keyed call.interruptions gets an AutoQA suggestion on the review page from
    the call's analytics, without an AutoScore (the AQS is untouched); an unknown call key is
    refused by the builder."""
    agent, reviewer = make_user(Role.AGENT, team=team), make_user(Role.REVIEWER)
    call = make_call(agent)
    card = make_scorecard()
    criteria = [
        {"section": "Call", "name": "Lets the customer finish", "scale_min": 0, "scale_max": 1,
         "weight": 1, "autoqa_key": "call.interruptions"},
        {"section": "Call", "name": "Keeps the line alive", "scale_min": 1, "scale_max": 5,
         "weight": 1, "autoqa_key": "call.dead_air_share"},
    ]  # fmt: skip
    version = publish_version(card, criteria)
    review = start_review(call, reviewer, version)
    db.session.commit()
    page = login(reviewer).get(f"/reviews/{review.id}/edit").get_data(as_text=True)
    finish = page[page.index('data-criterion="Lets the customer finish"') :]
    finish = finish[: finish.index("</fieldset>")]
    assert 'data-key="call.interruptions"' in finish
    assert "AutoQA suggests: 75%" in finish and "1 interruptions by the agent" in finish
    assert "Yes" in finish  # 75 >= 50
    line = page[page.index('data-criterion="Keeps the line alive"') :]
    line = line[: line.index("</fieldset>")]
    assert "AutoQA suggests: 0/100" in line and "dead air 62%" in line
    assert db.session.query(AutoScore).filter_by(interaction_id=call.id).count() == 0
    lead = login(make_user(Role.LEAD, leads=[team]))
    builder = lead.get("/scorecards/new").get_data(as_text=True)
    assert "call.dead_air_share" in builder
    bad = lead.post("/scorecards/new", {
        "name": "Calls", "publish": "1", "criteria-0-section": "S", "criteria-0-name": "C",
        "criteria-0-weight": "1", "criteria-0-scale": "yesno",
        "criteria-0-autoqa_key": "call.loudness"})  # fmt: skip
    assert bad.status_code == 400 and "unknown call analytics key" in bad.get_data(as_text=True)
    good = lead.post("/scorecards/new", {
        "name": "Calls", "publish": "1", "criteria-0-section": "S", "criteria-0-name": "C",
        "criteria-0-weight": "1", "criteria-0-scale": "yesno",
        "criteria-0-autoqa_key": "call.talk_ratio"})  # fmt: skip
    assert good.status_code == 302


def test_dashboards_aggregate_per_agent_and_week(login, team):
    """Mean talk ratio, dead air and interruptions per call, per agent and ISO week, on the team
    and the agent dashboards (hand-computed; SQLite and PostgreSQL)."""
    ann, bob = (
        make_user(Role.AGENT, team=team, name="Ann"),
        make_user(Role.AGENT, team=team, name="Bob"),
    )
    balanced = [("customer", 0, 10, "a b c"), ("agent", 10, 20, "d e f")]  # ratio 0.5, no dead air
    make_call(ann, started_at=MONDAY)  # ratio 8/18, dead air 28/45, 1 interruption
    make_call(ann, balanced, started_at=MONDAY + timedelta(days=1))
    make_call(ann, balanced, started_at=MONDAY + timedelta(days=7))  # W47
    make_call(bob, balanced, started_at=MONDAY + timedelta(days=2))
    make_call(bob, [("unknown", 0, 10, "x")], started_at=MONDAY + timedelta(days=2, hours=1))
    make_interaction(bob, started_at=MONDAY)  # a chat: no analytics
    db.session.commit()
    period = Period(date(2026, 11, 9), date(2026, 11, 22))
    per_agent, per_week = call_analytics.weekly([team.id], period)
    cells = {(c.agent_id, c.week): c for c in per_agent}
    w46 = cells[(ann.id, "2026-W46")]
    assert w46.calls == 2
    assert w46.talk_ratio == pytest.approx((8 / 18 + 0.5) / 2, abs=1e-4)
    assert w46.dead_air_ratio == pytest.approx((28 / 45 + 0) / 2, abs=1e-4)
    assert w46.interruptions == 0.5
    assert cells[(ann.id, "2026-W47")].calls == 1
    bob46 = cells[(bob.id, "2026-W46")]
    # the mono call counts as a call and in dead air, not in the talk ratio or interruptions
    assert (bob46.calls, bob46.talk_ratio, bob46.dead_air_ratio, bob46.interruptions) == (
        2,
        0.5,
        0.0,
        0.0,
    )
    assert [(w.week, w.calls) for w in per_week] == [("2026-W46", 4), ("2026-W47", 1)]
    assert per_week[0].interruptions == pytest.approx(1 / 3)
    lead = login(make_user(Role.LEAD, leads=[team]))
    args = "start=2026-11-09&end=2026-11-22"
    page = lead.get(f"/dashboard?team={team.id}&{args}").get_data(as_text=True)
    table = re.sub(r">\s+<", "><", page[page.index('id="call-weeks"') :])
    table = table[: table.index("</table>")]
    assert (
        f'data-agent="{ann.id}" data-week="2026-W46"><td>Ann</td><td>2026-W46</td><td>2</td>'
        in table
    )
    assert "<td>47%</td><td>31.1%</td><td>0.50</td>" in table
    mine = lead.get(f"/dashboard/agents/{bob.id}?{args}").get_data(as_text=True)
    table = re.sub(r">\s+<", "><", mine[mine.index('id="call-weeks"') :])
    assert "<td>2026-W46</td><td>2</td><td>50%</td><td>0.0%</td><td>0.00</td>" in table
