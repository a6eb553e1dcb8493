"""Sampling per tier (issue 17): a policy limited to one tier, and shares of the week's escalated
and bounced-back interactions added to the draw, with real draws."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from qa.extensions import db
from qa.models import EscalationOutcome, Interaction, Role, Sample, SamplingPolicy
from qa.services import sampling
from qa.services.escalations import record_escalation
from qa.services.sampling.policies import validate_policy_values
from tests.conftest import make_interaction, make_team, make_user

WEEK = "2026-W46"
MONDAY = datetime(2026, 11, 9, 9)


def _policy(team, **kw):  # type: ignore[no-untyped-def]
    values = dict(
        name="weekly", percentage=1, min_per_agent=1, max_per_agent=1, risk_share=0.0, seed=3
    )
    values.update(kw)
    policy = sampling.save_policy(None, team.id, values, actor=None)
    db.session.commit()
    return policy


def _sampled(policy) -> list[Sample]:  # type: ignore[no-untyped-def]
    return list(db.session.scalars(select(Sample).where(Sample.policy_id == policy.id)))


@pytest.fixture
def week(app):  # type: ignore[no-untyped-def]
    """Team Red (N1): one agent with 20 chats in the week, 6 escalated to Blue, 2 of those sent
    back; two reviewers."""
    red, blue = make_team("Red"), make_team("Blue")
    blue.tier = 2
    agent, other = make_user(Role.AGENT, team=red), make_user(Role.AGENT, team=blue)
    make_user(Role.REVIEWER)
    make_user(Role.REVIEWER)
    chats = [
        make_interaction(agent, started_at=MONDAY + timedelta(minutes=9 * k)) for k in range(20)
    ]
    for k, chat in enumerate(chats):
        chat.tier = 1
        if k % 3 == 0 and k < 18:  # 0, 3, 6, 9, 12, 15
            target = make_interaction(other, started_at=chat.started_at + timedelta(minutes=5))
            outcome = EscalationOutcome.BOUNCED if k in (3, 12) else EscalationOutcome.SOLVED
            record_escalation(chat, target, outcome=outcome, to_tier=2)
    db.session.commit()
    return {"red": red, "blue": blue, "agent": agent, "chats": chats}


def test_policy_per_tier_draws_only_that_tier(week):
    """A policy for N2 over a team whose interactions are N1 and N2 samples only the N2 ones."""
    chats = week["chats"]
    for chat in chats[10:]:
        chat.tier = 2
    db.session.commit()
    policy = _policy(week["red"], percentage=100, max_per_agent=100, tier=2)
    report = sampling.draw(policy, WEEK)
    picked = {s.interaction_id for s in _sampled(policy)}
    assert report.added == 10
    assert picked == {c.id for c in chats[10:]}
    every = _policy(week["red"], name="all tiers", percentage=100, max_per_agent=100)
    assert sampling.draw(every, WEEK).added == 10  # the N1 half, the N2 half being sampled


def test_escalated_and_bounced_shares_are_added_and_topped_up(week):
    """Beside a quota of one: every bounced-back chat (share 100%) and half the escalated ones
    (ceil(0.5 x 6) = 3, the bounced ones included) end up in the sample; a re-run adds nothing;
    the preview said the same."""
    policy = _policy(week["red"], escalated_share=0.5, bounced_share=1.0)
    preview = sampling.preview(policy, WEEK)
    report = sampling.draw(policy, WEEK)
    assert (preview.added, preview.added_bounced, preview.added_escalated) == (
        report.added,
        report.added_bounced,
        report.added_escalated,
    )
    samples = _sampled(policy)
    ids = [s.interaction_id for s in samples]
    chats = week["chats"]
    bounced = {chats[3].id, chats[12].id}
    escalated = {c.id for c in chats if c.escalated}
    assert len(escalated) == 6
    assert bounced <= set(ids)
    assert len(escalated & set(ids)) == 3
    assert len(ids) == len(set(ids)) == report.added
    extras = [s for s in samples if s.stratum in ("escalated", "bounced")]
    assert len(extras) == report.added_escalated + report.added_bounced == report.added - 1
    assert {s.risk_reason for s in extras} <= {"escalated", "bounced back"}
    assert "bounced back" in report.summary()
    again = sampling.draw(policy, WEEK)
    assert (again.added, len(_sampled(policy))) == (0, len(samples))


def test_escalated_extras_are_the_teams_escalated_interactions(week):
    """With a zero quota the escalated extras alone are drawn: ceil(0.3 x 6) = 2 of the team's
    escalated chats (never the other tier's targets), the same two in the preview."""
    policy = _policy(week["red"], min_per_agent=0, max_per_agent=0, escalated_share=0.3)
    preview = sampling.preview(policy, WEEK)
    sampling.draw(policy, WEEK)
    picked = [db.session.get(Interaction, s.interaction_id) for s in _sampled(policy)]
    assert preview.added_escalated == len(picked) == 2
    assert all(i.escalated and i.team_id == week["red"].id for i in picked)
    assert {s.stratum for s in _sampled(policy)} == {"escalated"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"tier": 5}, "tier must be N1"),
        ({"escalated_share": 1.5}, "between 0 and 1"),
        ({"bounced_share": -0.1}, "between 0 and 1"),
    ],
)
def test_policy_tier_values_are_checked(app, values, message):
    """A tier outside N1-N4 or a share outside 0..1 is refused with the reason."""
    with pytest.raises(sampling.SamplingError, match=message):
        validate_policy_values(values)


def test_policy_form_saves_tier_and_shares(week, login):
    """The policy form takes the tier and the two shares in percent."""
    admin = login(make_user(Role.ADMIN))
    page = admin.get("/sampling/policies/new").get_data(as_text=True)
    assert 'id="tier-sampling"' in page
    data = {
        "team": week["red"].id, "name": "N1 escalations", "percentage": 5, "min_per_agent": 1,
        "max_per_agent": 3, "risk_share": 0, "risk_weight_autoqa": 1, "risk_weight_csat": 1,
        "risk_weight_escalated": 1, "risk_weight_handle_time": 1, "seed": 0, "active": "y",
        "tier": 1, "escalated_share": 20, "bounced_share": 100,
    }  # fmt: skip
    assert admin.post("/sampling/policies/new", data).status_code == 302
    saved = db.session.scalar(select(SamplingPolicy).where(SamplingPolicy.name == "N1 escalations"))
    assert (saved.tier, saved.escalated_share, saved.bounced_share) == (1, 0.2, 1.0)
