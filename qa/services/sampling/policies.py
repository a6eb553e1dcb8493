"""Sampling policies: a team's settings for the weekly draw, validated, saved and audited."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from ...access import led_team_ids
from ...extensions import db
from ...models import Channel, Role, SamplingPolicy, Team, User
from .. import audit
from .rules import RISK_SIGNALS, SamplingError

POLICY_FIELDS = (
    "name",
    "percentage",
    "min_per_agent",
    "max_per_agent",
    "risk_share",
    "risk_weight_autoqa",
    "risk_weight_csat",
    "risk_weight_escalated",
    "risk_weight_handle_time",
    "risk_weight_dead_air",
    "risk_weight_uncertain",
    "dead_air_seconds",
    "channels",
    "min_duration_seconds",
    "min_turns",
    "exclude_own_team",
    "seed",
    "active",
    "tier",
    "escalated_share",
    "bounced_share",
)


def validate_policy_values(values: dict[str, Any]) -> None:
    """Refuse settings that cannot describe a sample, with one clear message."""
    pct = values.get("percentage")
    if pct is not None and not 0 < float(pct) <= 100:
        raise SamplingError(gettext("percentage must be above 0 and at most 100"))
    lo, hi = values.get("min_per_agent"), values.get("max_per_agent")
    if lo is not None and lo < 0:
        raise SamplingError(gettext("minimum per agent cannot be negative"))
    if lo is not None and hi is not None and hi < lo:
        raise SamplingError(gettext("maximum per agent must be at least the minimum"))
    share = values.get("risk_share")
    if share is not None and not 0 <= float(share) <= 1:
        raise SamplingError(gettext("risk share must be between 0 and 1"))
    for key, _ in RISK_SIGNALS:
        weight = values.get(f"risk_weight_{key}")
        if weight is not None and float(weight) < 0:
            raise SamplingError(gettext("risk weights cannot be negative"))
    if share and all(not values.get(f"risk_weight_{k}") for k, _ in RISK_SIGNALS):
        raise SamplingError(gettext("a risk share needs at least one risk signal with a weight above 0"))
    dead_air = values.get("dead_air_seconds")
    if dead_air is not None and not 0 < float(dead_air) <= 3600:
        raise SamplingError(gettext("long dead air must be above 0 and at most 3600 seconds"))
    _validate_tier_values(values)
    for channel in values.get("channels") or []:
        if channel not in {c.value for c in Channel}:
            raise SamplingError(gettext("unknown channel %(channel)s", channel=repr(channel)))


def _validate_tier_values(values: dict[str, Any]) -> None:
    """qa/tiers: the policy's tier (or None: every tier) and its extra shares, each 0..1."""
    if values.get("tier") is not None and values["tier"] not in (1, 2, 3, 4):
        raise SamplingError(gettext("tier must be N1, N2, N3 or N4 (or every tier)"))
    for key in ("escalated_share", "bounced_share"):
        if values.get(key) is not None and not 0 <= float(values[key]) <= 1:
            raise SamplingError(
                gettext("escalated and bounced-back shares must be between 0 and 1")
            )


def save_policy(
    policy: SamplingPolicy | None, team_id: int, values: dict[str, Any], *, actor: User | None
) -> SamplingPolicy:
    """Create or update a team's policy from plain values; audited, the caller commits."""
    values = {k: v for k, v in values.items() if k in POLICY_FIELDS}
    created = policy is None
    if policy is None:
        policy = SamplingPolicy(team_id=team_id)
        defaults: dict[str, Any] = {
            "percentage": 5.0,
            "min_per_agent": 2,
            "max_per_agent": 10,
            "risk_share": 0.5,
            "risk_weight_autoqa": 1.0,
            "risk_weight_csat": 1.0,
            "risk_weight_escalated": 0.8,
            "risk_weight_handle_time": 0.5,
            "risk_weight_dead_air": 0.5,
            "risk_weight_uncertain": 0.0,  # opt-in: the policy form suggests 0.5
            "dead_air_seconds": 30.0,
            "channels": [],
            "exclude_own_team": False,
            "seed": 0,
            "active": True,
            "tier": None,
            "escalated_share": 0.0,
            "bounced_share": 0.0,
        }
        values = defaults | values
    else:
        current = {k: getattr(policy, k) for k in POLICY_FIELDS}
        values = current | values
    if not (values.get("name") or "").strip():
        raise SamplingError(gettext("a policy needs a name"))
    validate_policy_values(values)
    before = {k: getattr(policy, k) for k in POLICY_FIELDS} if not created else {}
    for key, value in values.items():
        setattr(policy, key, value)
    policy.team_id = team_id
    db.session.add(policy)
    db.session.flush()
    changed = {k: values[k] for k in values if before.get(k) != values[k]}
    audit.record(
        actor,
        "sampling_policy.created" if created else "sampling_policy.updated",
        policy,
        **{k: v for k, v in changed.items() if k != "channels"},
        channels=list(values.get("channels") or []),
    )
    return policy


def active_policies(team_id: int | None = None) -> list[SamplingPolicy]:
    """Active policies (of one team, or all), in id order: what the weekly job draws."""
    query = (
        select(SamplingPolicy).where(SamplingPolicy.active.is_(True)).order_by(SamplingPolicy.id)
    )
    if team_id is not None:
        query = query.where(SamplingPolicy.team_id == team_id)
    return list(db.session.scalars(query))


def manageable_teams(user: User) -> list[Team]:
    """The teams whose sampling a user manages, by name: every team for an admin, else those led."""
    query = select(Team).order_by(Team.name)
    if user.role != Role.ADMIN:
        query = query.where(Team.id.in_(led_team_ids(user)))
    return list(db.session.scalars(query))


def team_policies(teams: list[Team]) -> list[SamplingPolicy]:
    """The policies of these teams, by team and name."""
    return list(
        db.session.scalars(
            select(SamplingPolicy)
            .where(SamplingPolicy.team_id.in_([t.id for t in teams]))
            .order_by(SamplingPolicy.team_id, SamplingPolicy.name)
        )
    )
