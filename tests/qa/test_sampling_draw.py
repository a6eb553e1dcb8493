"""The SQL draw in depth: filters, risk mix, hash, new arrivals, assignment rules, replacement, coverage."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import literal, select

from qa.extensions import db
from qa.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    AutoScore,
    Channel,
    Interaction,
    Review,
    ReviewStatus,
    Role,
    Sample,
    SamplingPolicy,
    Status,
)
from qa.services import sampling
from qa.services.sampling import hashing
from tests.conftest import make_interaction, make_scorecard, make_team, make_user

WEEK = "2026-W46"
MONDAY = datetime(2026, 11, 9, 9)


def _policy(team, **kw) -> SamplingPolicy:
    values = dict(
        name="weekly", percentage=20, min_per_agent=2, max_per_agent=5, risk_share=0.0, seed=7
    )
    values.update(kw)
    policy = sampling.save_policy(None, team.id, values, actor=None)
    db.session.commit()
    return policy


def _fill(agent, n, start=MONDAY, **kw):
    return [
        make_interaction(agent, started_at=start + timedelta(minutes=7 * k), **kw) for k in range(n)
    ]


def _version() -> int:
    return make_scorecard().current.id


def _samples(policy):
    return list(
        db.session.scalars(select(Sample).where(Sample.policy_id == policy.id).order_by(Sample.id))
    )


@pytest.fixture
def team(app):
    team = make_team()
    make_user(Role.REVIEWER)
    make_user(Role.REVIEWER)
    return team


def test_stratified_quota_per_agent(team):
    """Every agent gets max(min, ceil(pct x volume)) capped at max, from their own interactions."""
    volumes = [40, 12, 3, 1]
    agents = [make_user(Role.AGENT, team=team) for _ in volumes]
    for agent, n in zip(agents, volumes, strict=True):
        _fill(agent, n)
    policy = _policy(team, percentage=10, min_per_agent=2, max_per_agent=3)
    report = sampling.draw(policy, WEEK)
    quotas = {a.agent_id: (a.volume, a.quota, a.added_random + a.added_risk) for a in report.agents}
    assert quotas[agents[0].id] == (40, 3, 3)  # ceil(4) capped at 3
    assert quotas[agents[1].id] == (12, 2, 2)  # ceil(1.2) = 2
    assert quotas[agents[2].id] == (3, 2, 2)  # ceil(0.3) = 1, raised to min 2
    assert quotas[agents[3].id] == (1, 1, 1)  # never more than the agent's volume
    by_agent: dict[int, int] = {}
    for s in _samples(policy):
        by_agent[s.interaction.agent_id] = by_agent.get(s.interaction.agent_id, 0) + 1
    assert by_agent == {agents[0].id: 3, agents[1].id: 2, agents[2].id: 2, agents[3].id: 1}


def test_filters_channels_duration_turns_status_reviews(team):
    """Only the policy's channels, long enough, enough turns, with text, not reviewed, in the week."""
    agent = make_user(Role.AGENT, team=team)
    reviewer = make_user(Role.REVIEWER)
    good = make_interaction(agent, started_at=MONDAY)
    make_interaction(agent, started_at=MONDAY, channel=Channel.EMAIL)
    short = make_interaction(agent, started_at=MONDAY)
    short.duration_seconds = 10
    make_interaction(agent, started_at=MONDAY, turns=[("agent", "hi")])
    make_interaction(agent, started_at=MONDAY, status=Status.TRANSCRIBING)
    make_interaction(agent, started_at=MONDAY, status=Status.PENDING)
    make_interaction(agent, started_at=datetime(2026, 11, 8, 23, 59, 59))  # the Sunday before
    make_interaction(agent, started_at=MONDAY + timedelta(days=7))  # next week
    reviewed = make_interaction(agent, started_at=MONDAY)
    db.session.add(
        Review(
            interaction=reviewed,
            reviewer=reviewer,
            scorecard_version_id=_version(),
            status=ReviewStatus.SUBMITTED,
            score=80,
        )
    )
    db.session.commit()
    policy = _policy(
        team,
        channels=["chat"],
        min_duration_seconds=60,
        min_turns=2,
        min_per_agent=10,
        max_per_agent=10,
    )
    report = sampling.draw(policy, WEEK)
    # volume counts the covered population (chat, long, 3 turns), including the unsampleable ones
    assert report.agents[0].volume == 4
    assert [s.interaction_id for s in _samples(policy)] == [good.id]


def test_risk_share_and_mix(team):
    """The risk share of each quota goes to the riskiest by the weighted mix; the reason is recorded."""
    agent = make_user(Role.AGENT, team=team)
    plain = _fill(agent, 20, csat=5)
    low_aqs, bad_csat, escalated = plain[3], plain[5], plain[7]
    for interaction in plain:
        db.session.add(
            AutoScore(interaction=interaction, criterion="empathy", value=90, model_version="t")
        )
    low_aqs.auto_scores[0].value = 5
    bad_csat.csat = 1
    escalated.escalated = True
    db.session.commit()
    policy = _policy(team, percentage=20, min_per_agent=4, max_per_agent=4, risk_share=0.5)
    report = sampling.draw(policy, WEEK, dry_run=True)
    assert (report.agents[0].added_risk, report.agents[0].added_random) == (2, 2)
    sampling.draw(policy, WEEK)
    risk = {s.interaction_id: s.risk_reason for s in _samples(policy) if s.stratum == "risk"}
    # AutoQA 5 -> 0.95, CSAT 1 -> 1.0, escalated -> 0.8 with the default weights
    assert risk == {bad_csat.id: "low CSAT", low_aqs.id: "low AutoQA"}

    other = make_team()
    agent2 = make_user(Role.AGENT, team=other)
    mine = _fill(agent2, 10, csat=5)
    mine[2].csat = 1
    mine[4].escalated = True
    db.session.commit()
    only_escalation = _policy(
        other,
        percentage=10,
        min_per_agent=1,
        max_per_agent=1,
        risk_share=1.0,
        risk_weight_csat=0,
        risk_weight_autoqa=0,
        risk_weight_handle_time=0,
    )
    sampling.draw(only_escalation, WEEK)
    [sample] = _samples(only_escalation)
    assert (sample.interaction_id, sample.stratum, sample.risk_reason) == (
        mine[4].id,
        "risk",
        "escalated",
    )


def test_not_enough_risky_falls_back_to_random(team):
    """When fewer interactions carry a risk signal than the risk share asks, random fills the quota."""
    agent = make_user(Role.AGENT, team=team)
    _fill(agent, 10, csat=5)
    policy = _policy(team, min_per_agent=3, max_per_agent=3, risk_share=1.0)
    report = sampling.draw(policy, WEEK)
    assert (report.agents[0].added_risk, report.agents[0].added_random) == (0, 3)


def test_sql_hash_matches_python_and_depends_on_seed_and_week(team):
    """The database computes the same hash as rank_key; the order changes with seed and week."""
    agent = make_user(Role.AGENT, team=team)
    interactions = _fill(agent, 30)
    policy = _policy(team)
    ids = [i.id for i in interactions]
    salts = dict(zip(("salt", "salt2"), hashing.salts(policy.id, 7, WEEK), strict=True))
    got = dict(
        db.session.execute(
            select(Interaction.id, hashing.hash_sql(Interaction.id)).where(Interaction.id.in_(ids)),
            salts,
        ).all()
    )
    assert got == {i: sampling.rank_key(i, policy.id, 7, WEEK) for i in ids}
    big = 2_000_000_000  # ids near 2**31 stay exact (no 64-bit overflow)
    salts = dict(zip(("salt", "salt2"), hashing.salts(1, -5, WEEK), strict=True))
    assert db.session.scalar(select(hashing.hash_sql(literal(big))), salts) == sampling.rank_key(
        big, 1, -5, WEEK
    )
    order = sorted(ids, key=lambda i: sampling.rank_key(i, policy.id, 7, WEEK))
    assert order != sorted(ids, key=lambda i: sampling.rank_key(i, policy.id, 8, WEEK))
    assert order != sorted(ids, key=lambda i: sampling.rank_key(i, policy.id, 7, "2026-W47"))
    assert order != ids


def test_same_inputs_same_picks_on_a_fresh_database(app):
    """Two identical worlds with the same (policy, week, seed) pick the same interactions."""

    def build() -> list[int]:
        team = make_team()
        make_user(Role.REVIEWER)
        agent = make_user(Role.AGENT, team=team)
        interactions = _fill(agent, 50)
        policy = _policy(team, percentage=10, max_per_agent=10)
        sampling.draw(policy, WEEK)
        return [interactions.index(s.interaction) for s in _samples(policy)]

    first = build()
    db.session.remove()
    db.drop_all()
    db.create_all()
    assert build() == first


def test_idempotent_under_new_arrivals(team):
    """A re-run keeps every existing pick and assignment and only tops up to the new quota."""
    agent = make_user(Role.AGENT, team=team)
    _fill(agent, 20)
    policy = _policy(team, percentage=10, min_per_agent=1, max_per_agent=10, risk_share=0.5)
    sampling.draw(policy, WEEK)
    before = {(s.interaction_id, s.stratum, s.assignment.reviewer_id) for s in _samples(policy)}
    assert len(before) == 2
    assert sampling.draw(policy, WEEK).added == 0
    _fill(agent, 20, start=MONDAY + timedelta(days=3), csat=1)  # late arrivals, all risky
    report = sampling.draw(policy, WEEK)
    assert report.agents[0].quota == 4 and report.agents[0].already == 2
    after = {(s.interaction_id, s.stratum, s.assignment.reviewer_id) for s in _samples(policy)}
    assert before < after and len(after) == 4
    # the first picks had no risk signal (random), so the top-up goes to the risk target 4 x .5
    assert report.added_risk == 2 and report.added_random == 0


def test_empty_week_and_agents_without_interactions(team):
    """An empty week draws nothing and fails nothing; idle agents appear in coverage with volume 0."""
    idle = make_user(Role.AGENT, team=team)
    policy = _policy(team)
    report = sampling.draw(policy, WEEK)
    assert (report.added, report.assigned, report.unassigned, report.agents) == (0, 0, 0, [])
    [row] = sampling.coverage(policy, WEEK)
    assert (row.agent_id, row.volume, row.sampled, row.margin) == (idle.id, 0, 0, None)
    assert row.verdict == "no interactions this week"


def test_no_self_review_and_own_team_exclusion(app):
    """Nobody reviews their own interaction; with exclude_own_team, nobody reviews their own team."""
    team = make_team()
    agent = make_user(Role.AGENT, team=team)
    own = make_user(Role.REVIEWER, team=team)
    outsider = make_user(Role.REVIEWER)
    _fill(agent, 10)
    # an agent promoted to reviewer keeps interactions of their own in the week
    self_reviewer = make_user(Role.REVIEWER, team=team)
    _fill(self_reviewer, 10)
    policy = _policy(team, min_per_agent=4, max_per_agent=4)
    sampling.draw(policy, WEEK)
    for s in _samples(policy):
        assert s.assignment.reviewer_id != s.interaction.agent_id
    strict = _policy(team, name="strict", exclude_own_team=True)
    db.session.query(Assignment).delete()
    db.session.query(Sample).delete()
    db.session.commit()
    sampling.draw(strict, WEEK)
    assert {s.assignment.reviewer_id for s in _samples(strict)} == {outsider.id}
    assert own.id and self_reviewer.id


def test_capacity_limits_and_balance(app):
    """Assignments stop at each reviewer's capacity, stay balanced, and wait for capacity next run."""
    team = make_team()
    reviewers = [make_user(Role.REVIEWER) for _ in range(3)]
    capacities = [2, 4, 4]
    for r, c in zip(reviewers, capacities, strict=True):
        r.weekly_capacity = c
    agents = [make_user(Role.AGENT, team=team) for _ in range(4)]
    for a in agents:
        _fill(a, 10)
    policy = _policy(team, min_per_agent=3, max_per_agent=3)
    report = sampling.draw(policy, WEEK)
    assert (report.added, report.assigned, report.unassigned) == (12, 10, 2)
    load = {
        r.id: db.session.query(Assignment).filter_by(reviewer_id=r.id).count() for r in reviewers
    }
    assert load == {reviewers[0].id: 2, reviewers[1].id: 4, reviewers[2].id: 4}
    reviewers[0].weekly_capacity = 3
    db.session.commit()
    again = sampling.draw(policy, WEEK)
    assert (again.added, again.assigned, again.unassigned) == (0, 1, 1)


def test_balance_is_proportional_to_capacity(app):
    """With room to spare, loads follow capacity (2:1), not a plain round robin."""
    team = make_team()
    big, small = make_user(Role.REVIEWER), make_user(Role.REVIEWER)
    big.weekly_capacity, small.weekly_capacity = 40, 20
    for a in [make_user(Role.AGENT, team=team) for _ in range(3)]:
        _fill(a, 20)
    policy = _policy(team, min_per_agent=4, max_per_agent=4)
    sampling.draw(policy, WEEK)
    assert db.session.query(Assignment).filter_by(reviewer_id=big.id).count() == 8
    assert db.session.query(Assignment).filter_by(reviewer_id=small.id).count() == 4


def test_replacement_same_agent_and_stratum(team):
    """A replaced interaction is swapped for another of the same agent and stratum, audited."""
    agent = make_user(Role.AGENT, team=team)
    other = make_user(Role.AGENT, team=team)
    interactions = _fill(agent, 10, csat=5)
    for i in interactions[:3]:
        i.csat = 1
    _fill(other, 10, csat=1)
    db.session.commit()
    policy = _policy(team, min_per_agent=2, max_per_agent=2, risk_share=0.5)
    sampling.draw(policy, WEEK)
    mine = [s for s in _samples(policy) if s.interaction.agent_id == agent.id]
    risky = next(s for s in mine if s.stratum == "risk")
    random = next(s for s in mine if s.stratum == "random")
    old = risky.assignment
    new = sampling.replace(old, "Wrong language, cannot review", actor=old.reviewer)
    db.session.commit()
    assert old.status == AssignmentStatus.REPLACED and old.replaced_reason.startswith("Wrong")
    assert new is not None and new.reviewer_id == old.reviewer_id
    assert new.sample.stratum == "risk" and new.sample.risk_reason == "low CSAT"
    assert new.interaction.agent_id == agent.id and new.interaction_id != old.interaction_id
    new_random = sampling.replace(random.assignment, "test call", actor=None)
    assert new_random.sample.stratum == "random" and new_random.interaction.agent_id == agent.id
    db.session.commit()
    # the quota still counts 2 for the agent, so a re-run adds nothing
    assert sampling.draw(policy, WEEK).added == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sample.replaced"))
    assert event.details["reason"] == "Wrong language, cannot review"
    with pytest.raises(sampling.SamplingError, match="already replaced"):
        sampling.replace(old, "again")
    with pytest.raises(sampling.SamplingError, match="reason"):
        sampling.replace(new, "  ")


def test_replacement_when_nothing_is_left(team):
    """With no other interaction of that agent and stratum, the assignment is released without a swap."""
    agent = make_user(Role.AGENT, team=team)
    _fill(agent, 2)
    policy = _policy(team, min_per_agent=2, max_per_agent=2)
    sampling.draw(policy, WEEK)
    first = _samples(policy)[0].assignment
    assert sampling.replace(first, "audio broken") is None
    assert first.status == AssignmentStatus.REPLACED


def test_coverage_margin_of_error(team):
    """Coverage gives sampled/reviewed/volume and a 95% margin with finite population correction."""
    agent = make_user(Role.AGENT, team=team)
    reviewer = make_user(Role.REVIEWER)
    interactions = _fill(agent, 12)
    policy = _policy(team, percentage=50, min_per_agent=6, max_per_agent=6)
    sampling.draw(policy, WEEK)
    scores = [60, 70, 80, 90, 100, 80]
    version = _version()
    for interaction, score in zip(interactions, scores, strict=False):
        db.session.add(
            Review(
                interaction=interaction,
                reviewer=reviewer,
                scorecard_version_id=version,
                status=ReviewStatus.SUBMITTED,
                score=score,
            )
        )
    db.session.commit()
    [row] = sampling.coverage(policy, WEEK)
    assert (row.volume, row.sampled, row.reviewed) == (12, 6, 6)
    assert row.score == pytest.approx(80)
    # sd = 14.142, t(5) = 2.571, fpc = sqrt(6 / 11)
    assert row.margin == pytest.approx(2.571 * 14.1421 / 6**0.5 * (6 / 11) ** 0.5, rel=1e-3)
    assert "too thin" in row.verdict  # ±11 points on 6 reviews is too wide
    assert sampling.margin_of_error(1, 10, 5.0) is None
    assert sampling.margin_of_error(10, 10, 5.0) == 0.0  # a census has no sampling error
    assert sampling.margin_of_error(30, 10_000, 5.0) == pytest.approx(2.042 * 5 / 30**0.5, rel=1e-2)


def test_policy_validation(team):
    """Impossible policies are refused with one clear message."""
    for bad, message in [
        ({"percentage": 0}, "percentage"),
        ({"percentage": 101}, "percentage"),
        ({"min_per_agent": 5, "max_per_agent": 2}, "maximum"),
        ({"risk_share": 1.5}, "risk share"),
        ({"channels": ["fax"]}, "channel"),
        (
            {
                "risk_weight_autoqa": 0,
                "risk_weight_csat": 0,
                "risk_weight_escalated": 0,
                "risk_weight_handle_time": 0,
                "risk_weight_dead_air": 0,
            },
            "risk signal",
        ),
        ({"name": " "}, "name"),
    ]:
        with pytest.raises(sampling.SamplingError, match=message):
            sampling.save_policy(None, team.id, {"name": "p", **bad}, actor=None)


def test_two_draws_at_once_both_succeed_without_duplicates(app, tmp_path):
    """The scheduler and a lead drawing the same policy and week at the same moment: both
    finish, and the week holds each agent's quota once (no unique-constraint error)."""
    import threading

    from qa import create_app

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    shared = not uri.startswith("sqlite")  # PostgreSQL: the fixture's database, seen by all
    if not shared:
        uri = f"sqlite:///{tmp_path / 'draws.db'}"
    live = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri,
                       "SCORING_MODEL_DIR": str(tmp_path / "models")})
    with live.app_context():
        if not shared:
            db.create_all()
        team = make_team()
        make_user(Role.REVIEWER)
        agents = [make_user(Role.AGENT, team=team) for _ in range(3)]
        for agent in agents:
            _fill(agent, 40)
        policy_id = _policy(team, percentage=10, min_per_agent=2, max_per_agent=10).id
        db.session.remove()

    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        with live.app_context():
            try:
                policy = db.session.get(SamplingPolicy, policy_id)
                start.wait()
                sampling.draw(policy, WEEK)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with live.app_context():
        policy = db.session.get(SamplingPolicy, policy_id)
        samples = _samples(policy)
        assert len(samples) == 3 * 4  # 10% of 40 per agent, once
        assert len({s.interaction_id for s in samples}) == len(samples)
        assert all(s.assignment is not None for s in samples)
        if shared:  # leave the fixture's database as it found it
            db.session.execute(db.delete(Assignment))
            db.session.execute(db.delete(Sample))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
