"""Weekly sampling: quotas per agent, risk share, determinism, idempotence, assignment rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qa.extensions import db
from qa.models import Assignment, Role, Sample, SamplingPolicy, Status
from qa.services import sampling
from qa.services.sampling import hashing
from tests.conftest import make_interaction, make_team, make_user

WEEK = "2026-W46"
MONDAY = datetime(2026, 11, 9, 9)


@pytest.fixture
def team_week(app):
    team = make_team()
    agents = [make_user(Role.AGENT, team=team) for _ in range(3)]
    reviewers = [make_user(Role.REVIEWER) for _ in range(2)]
    volumes = [20, 5, 0]
    for agent, n in zip(agents, volumes, strict=True):
        for k in range(n):
            make_interaction(
                agent,
                started_at=MONDAY + timedelta(hours=k),
                csat=1 if k == 0 else 5,
                escalated=k == 1,
            )
    # outside the week, and one still being transcribed: never sampled
    make_interaction(agents[0], started_at=MONDAY - timedelta(days=1))
    make_interaction(agents[0], started_at=MONDAY, status=Status.TRANSCRIBING)
    policy = SamplingPolicy(
        team=team, name="p", percentage=20, min_per_agent=2, max_per_agent=3, risk_share=0.5, seed=1
    )
    db.session.add(policy)
    db.session.commit()
    return policy, agents, reviewers


def test_quota_per_agent(team_week):
    """Each agent gets max(min, ceil(pct x volume)) capped at max, from that week only."""
    policy, agents, _ = team_week
    report = sampling.draw(policy, WEEK)
    by_agent = {a.agent_id: a for a in report.agents}
    assert by_agent[agents[0].id].quota == 3  # ceil(0.2 x 21) = 5, capped at 3
    assert by_agent[agents[1].id].quota == 2  # ceil(0.2 x 5) = 1, raised to min 2
    assert agents[2].id not in by_agent  # no interactions, nothing to sample
    samples = db.session.query(Sample).all()
    assert len(samples) == 5
    assert all(MONDAY - timedelta(hours=9) <= s.interaction.started_at for s in samples)
    assert all(s.interaction.status == Status.SCORED for s in samples)


def test_risk_share_picks_risky_interactions(team_week):
    """Half of each quota goes to the riskiest interactions (low CSAT, escalated)."""
    policy, agents, _ = team_week
    sampling.draw(policy, WEEK)
    risk = [s for s in db.session.query(Sample).all() if s.stratum == "risk"]
    by_agent = {
        a.id: sorted(s.risk_reason for s in risk if s.interaction.agent_id == a.id)
        for a in agents[:2]
    }
    # quota 3 -> 2 risky (half up) for the first agent: its low-CSAT and its escalated chat
    assert by_agent[agents[0].id] == ["escalated", "low CSAT"]
    # quota 2 -> 1 risky for the second agent: its low-CSAT chat
    assert by_agent[agents[1].id] == ["low CSAT"]


def test_draw_is_deterministic_and_idempotent(team_week):
    """The same (policy, week, seed) picks the same interactions; re-running adds nothing."""
    policy, _, _ = team_week
    dry = sampling.draw(policy, WEEK, dry_run=True)
    first = sampling.draw(policy, WEEK)
    assert dry.added == first.added
    picked = sorted(s.interaction_id for s in db.session.query(Sample).all())
    again = sampling.draw(policy, WEEK)
    assert again.added == 0
    assert sorted(s.interaction_id for s in db.session.query(Sample).all()) == picked
    policy.seed = 2
    other = hashing.policy_rank_key(policy, WEEK, picked[0]) != hashing.policy_rank_key(
        SamplingPolicy(id=policy.id, seed=1), WEEK, picked[0]
    )
    assert other


def test_assignment_balances_and_respects_capacity(team_week):
    """Assignments are balanced across reviewers and stop at weekly capacity."""
    policy, _, reviewers = team_week
    reviewers[0].weekly_capacity = 1
    db.session.commit()
    report = sampling.draw(policy, WEEK)
    counts = {
        r.id: db.session.query(Assignment).filter_by(reviewer_id=r.id).count() for r in reviewers
    }
    assert counts[reviewers[0].id] == 1
    assert counts[reviewers[1].id] == 4
    assert report.unassigned == 0


def test_bad_week_is_a_clear_error(team_week):
    """A malformed ISO week is refused with the expected form."""
    policy, _, _ = team_week
    with pytest.raises(sampling.SamplingError, match="2026-W47"):
        sampling.draw(policy, "2026-47")
    with pytest.raises(sampling.SamplingError, match="not a valid ISO week"):
        sampling.draw(policy, "2026-W60")


def test_cli_sample_run(app, team_week):
    """`flask sample run --week` prints counts per agent; bad arguments are one line."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sample", "run", "--week", WEEK])
    assert result.exit_code == 0, result.output
    assert "5 sampled, 5 assigned" in result.output
    bad = runner.invoke(args=["sample", "run"])
    assert bad.exit_code == 1 and "exactly one of" in bad.output
