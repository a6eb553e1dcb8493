"""The weekly draw: stratified per agent, part risk-based, part random, deterministic and idempotent.

The same inputs pick the same interactions (the order is `hashing`'s), and a re-run only adds
what is missing; the picks are then given to reviewers (`assignment`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ...extensions import db
from ...models import Sample, SamplingPolicy, User, utcnow
from .. import audit
from .assignment import assign
from .escalated import BOUNCED, extra_picks
from .rules import RISK
from .statements import bind_params, picks_statement, plan_statement, shape_of
from .weeks import parse_week

# A draw that collides with a concurrent one (SQLite cannot lock the policy row) is run again.
_DRAW_ATTEMPTS = 3


@dataclass
class AgentDraw:
    """One agent's part of a draw: volume, quota, what was there and what was added."""

    agent_id: int
    volume: int
    quota: int
    already: int
    added_random: int = 0
    added_risk: int = 0
    # why the risk picks were picked: {risk reason (rules.RISK_SIGNALS label): how many}
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def missing(self) -> int:
        """Quota left unfilled because the agent had too few eligible interactions."""
        return max(0, self.quota - self.already - self.added_random - self.added_risk)


@dataclass
class DrawReport:
    """What a draw (or its dry run) added per agent, and how many picks got a reviewer."""

    policy_id: int
    week: str
    dry_run: bool = False
    agents: list[AgentDraw] = field(default_factory=list)
    assigned: int = 0
    unassigned: int = 0
    # beyond the quotas: the policy's shares of escalated and bounced-back interactions
    added_escalated: int = 0
    added_bounced: int = 0

    @property
    def added(self) -> int:
        extra = self.added_escalated + self.added_bounced
        return sum(a.added_random + a.added_risk for a in self.agents) + extra

    @property
    def added_risk(self) -> int:
        return sum(a.added_risk for a in self.agents)

    @property
    def added_random(self) -> int:
        return sum(a.added_random for a in self.agents)

    def summary(self) -> str:
        """One sentence for a lead: what was sampled and assigned."""
        counts = dict(
            week=self.week, added=self.added, risk=self.added_risk, random=self.added_random,
            assigned=self.assigned, escalated=self.added_escalated, bounced=self.added_bounced,
        )  # fmt: skip
        if self.added_escalated or self.added_bounced:
            text = gettext(
                "%(week)s: %(added)s sampled (%(risk)s risk, %(random)s random, %(escalated)s "
                "escalated, %(bounced)s bounced back), %(assigned)s assigned",
                **counts,
            )
        else:
            text = gettext(
                "%(week)s: %(added)s sampled (%(risk)s risk, %(random)s random), %(assigned)s "
                "assigned",
                **counts,
            )
        if self.unassigned:
            text += gettext(", %(unassigned)s waiting for reviewer capacity",
                            unassigned=self.unassigned)
        return text + "."


def preview(policy: SamplingPolicy, week: str) -> DrawReport:
    """What a draw would add, per agent and stratum, without changing anything."""
    return draw(policy, week, dry_run=True)


def draw(
    policy: SamplingPolicy, week: str, *, actor: User | None = None, dry_run: bool = False
) -> DrawReport:
    """Sample the week's interactions of the policy's team per agent, then assign reviewers.

    Two draws of one policy at once (the scheduler and a lead's button) do not fail: on
    PostgreSQL the second waits on the policy's row lock, then sees the first's picks and only
    tops up; where rows cannot be locked (SQLite) a draw that collides with a committed one
    is rolled back and run again, which then finds the picks already there.
    """
    parse_week(week)
    if dry_run:
        return _draw_once(policy, week, actor=actor, dry_run=True)
    for attempt in range(_DRAW_ATTEMPTS):
        try:
            db.session.execute(
                select(SamplingPolicy.id).where(SamplingPolicy.id == policy.id).with_for_update()
            )
            return _draw_once(policy, week, actor=actor, dry_run=False)
        except (IntegrityError, OperationalError):
            db.session.rollback()
            if attempt == _DRAW_ATTEMPTS - 1:
                raise
    raise AssertionError(gettext("unreachable"))


def _draw_once(
    policy: SamplingPolicy, week: str, *, actor: User | None, dry_run: bool
) -> DrawReport:
    report = DrawReport(policy_id=policy.id, week=week, dry_run=dry_run)
    agents: dict[int, AgentDraw] = {}
    shape, params = shape_of(policy), bind_params(policy, week)
    for row in db.session.execute(plan_statement(shape), params):
        agents[row.agent_id] = AgentDraw(
            agent_id=row.agent_id, volume=row.volume, quota=row.quota, already=row.have
        )
    report.agents = list(agents.values())
    picks: list[Any] = list(db.session.execute(picks_statement(shape), params).all())
    for pick in picks:
        entry = agents[pick.agent_id]
        if pick.stratum == RISK:
            entry.added_risk += 1
            if pick.reason:
                entry.reasons[pick.reason] = entry.reasons.get(pick.reason, 0) + 1
        else:
            entry.added_random += 1
    extra = extra_picks(policy, shape, params, [p.id for p in picks])
    report.added_bounced = sum(1 for p in extra if p.stratum == BOUNCED)
    report.added_escalated = len(extra) - report.added_bounced
    picks.extend(extra)
    if dry_run:
        return report
    if picks:
        db.session.execute(
            insert(Sample),
            [
                {
                    "policy_id": policy.id,
                    "week": week,
                    "interaction_id": p.id,
                    "stratum": p.stratum,
                    "risk_reason": p.reason,
                    "created_at": utcnow(),
                }
                for p in picks
            ],
        )
    report.assigned, report.unassigned = assign(policy, week)
    audit.record(
        actor,
        "sample.drawn",
        policy,
        week=week,
        added=report.added,
        risk=report.added_risk,
        random=report.added_random,
        assigned=report.assigned,
        unassigned=report.unassigned,
    )
    db.session.commit()
    return report
