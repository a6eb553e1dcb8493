"""Weekly sampling: stratified per agent, part risk-based, part random, deterministic and idempotent.

The random order is a hash of (policy, week, seed, interaction id), so the same inputs always pick
the same interactions and a re-run only adds what is missing.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    Assignment,
    AssignmentStatus,
    AutoScore,
    Interaction,
    Review,
    ReviewStatus,
    Role,
    Sample,
    SamplingPolicy,
    Status,
    User,
    utcnow,
)
from . import audit

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class SamplingError(ValueError):
    """The sampling request was invalid; the message says why."""


@dataclass
class AgentDraw:
    agent_id: int
    volume: int
    quota: int
    already: int
    added_random: int = 0
    added_risk: int = 0


@dataclass
class DrawReport:
    policy_id: int
    week: str
    agents: list[AgentDraw] = field(default_factory=list)
    assigned: int = 0
    unassigned: int = 0

    @property
    def added(self) -> int:
        return sum(a.added_random + a.added_risk for a in self.agents)


def parse_week(week: str) -> tuple[datetime, datetime]:
    """Start (Monday 00:00) and end of an ISO week like 2026-W47."""
    match = WEEK_RE.match(week.strip())
    if not match:
        raise SamplingError(f"week must look like 2026-W47, got {week!r}")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise SamplingError(f"{week} is not a valid ISO week") from None
    start = datetime.combine(monday, datetime.min.time())
    return start, start + timedelta(days=7)


def week_of(moment: datetime | date) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def last_week(today: date | None = None) -> str:
    return week_of((today or utcnow().date()) - timedelta(days=7))


def _rank(policy: SamplingPolicy, week: str, interaction_id: int) -> str:
    return hashlib.sha256(f"{policy.id}:{week}:{policy.seed}:{interaction_id}".encode()).hexdigest()


def _risk(
    aqs: float | None,
    csat: int | None,
    escalated: bool,
    duration: float | None,
    long_duration: float,
) -> tuple[float, str]:
    """Higher is riskier: low AutoQA, low CSAT, escalation and long handle time each add."""
    parts: list[tuple[float, str]] = []
    if aqs is not None:
        parts.append(((100 - aqs) / 100, "low AutoQA"))
    if csat is not None and csat <= 2:
        parts.append((1.0 if csat == 1 else 0.7, "low CSAT"))
    if escalated:
        parts.append((0.8, "escalated"))
    if duration is not None and long_duration and duration > long_duration:
        parts.append((0.5, "long handle time"))
    if not parts:
        return 0.0, ""
    return sum(p for p, _ in parts), max(parts)[1]


def draw(
    policy: SamplingPolicy, week: str, *, actor: User | None = None, dry_run: bool = False
) -> DrawReport:
    """Sample the week's interactions of the policy's team per agent, then assign reviewers."""
    start, end = parse_week(week)
    base = [
        Interaction.team_id == policy.team_id,
        Interaction.started_at >= start,
        Interaction.started_at < end,
    ]
    if policy.channels:
        base.append(Interaction.channel.in_(policy.channels))
    volume = dict(
        db.session.execute(
            select(Interaction.agent_id, func.count()).where(*base).group_by(Interaction.agent_id)
        ).all()
    )
    reviewed = select(Review.interaction_id).where(Review.status == ReviewStatus.SUBMITTED)
    sampled = select(Sample.interaction_id).where(Sample.policy_id == policy.id)
    aqs = (
        select(AutoScore.interaction_id, func.avg(AutoScore.value).label("aqs"))
        .group_by(AutoScore.interaction_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Interaction.id,
            Interaction.agent_id,
            aqs.c.aqs,
            Interaction.csat,
            Interaction.escalated,
            Interaction.duration_seconds,
        )
        .outerjoin(aqs, aqs.c.interaction_id == Interaction.id)
        .where(
            *base,
            Interaction.status == Status.SCORED,
            Interaction.id.not_in(reviewed),
            Interaction.id.not_in(sampled),
        )
    ).all()
    durations = sorted(r.duration_seconds for r in rows if r.duration_seconds)
    long_duration = durations[int(len(durations) * 0.9)] if durations else 0.0
    already = dict(
        db.session.execute(
            select(Interaction.agent_id, func.count())
            .join(Sample, Sample.interaction_id == Interaction.id)
            .where(Sample.policy_id == policy.id, Sample.week == week)
            .group_by(Interaction.agent_id)
        ).all()
    )
    candidates: dict[int, list] = defaultdict(list)
    for row in rows:
        candidates[row.agent_id].append(row)

    report = DrawReport(policy_id=policy.id, week=week)
    new_samples: list[Sample] = []
    for agent_id in sorted(volume):
        n = volume[agent_id]
        quota = min(
            policy.max_per_agent, max(policy.min_per_agent, math.ceil(policy.percentage / 100 * n))
        )
        have = already.get(agent_id, 0)
        entry = AgentDraw(agent_id=agent_id, volume=n, quota=quota, already=have)
        report.agents.append(entry)
        need = max(0, quota - have)
        pool = candidates.get(agent_id, [])
        if not need or not pool:
            continue
        n_risk = min(need, math.floor(need * policy.risk_share + 0.5))  # half up, not banker's
        scored = [
            (r, *_risk(r.aqs, r.csat, r.escalated, r.duration_seconds, long_duration)) for r in pool
        ]
        risky = sorted(
            (s for s in scored if s[1] > 0), key=lambda s: (-s[1], _rank(policy, week, s[0].id))
        )
        chosen: set[int] = set()
        for row, _, reason in risky[:n_risk]:
            chosen.add(row.id)
            entry.added_risk += 1
            new_samples.append(
                Sample(
                    policy_id=policy.id,
                    week=week,
                    interaction_id=row.id,
                    stratum="risk",
                    risk_reason=reason,
                )
            )
        rest = sorted(
            (r for r in pool if r.id not in chosen), key=lambda r: _rank(policy, week, r.id)
        )
        for row in rest[: need - entry.added_risk]:
            entry.added_random += 1
            new_samples.append(
                Sample(policy_id=policy.id, week=week, interaction_id=row.id, stratum="random")
            )
    if dry_run:
        return report
    db.session.add_all(new_samples)
    db.session.flush()
    report.assigned, report.unassigned = assign(policy, week, new_samples)
    audit.record(
        actor, "sample.drawn", policy, week=week, added=report.added, assigned=report.assigned
    )
    db.session.commit()
    return report


def assign(policy: SamplingPolicy, week: str, samples: list[Sample]) -> tuple[int, int]:
    """Give new samples to reviewers with spare weekly capacity, least loaded first, never the agent."""
    reviewers = list(
        db.session.scalars(
            select(User).where(User.role == Role.REVIEWER, User.active.is_(True)).order_by(User.id)
        )
    )
    load = dict(
        db.session.execute(
            select(Assignment.reviewer_id, func.count())
            .join(Sample, Sample.id == Assignment.sample_id)
            .where(Sample.week == week, Assignment.status != AssignmentStatus.REPLACED)
            .group_by(Assignment.reviewer_id)
        ).all()
    )
    agents = dict(
        db.session.execute(
            select(Interaction.id, Interaction.agent_id).where(
                Interaction.id.in_([s.interaction_id for s in samples])
            )
        ).all()
    )
    assigned = unassigned = 0
    for sample in sorted(samples, key=lambda s: _rank(policy, week, s.interaction_id)):
        options = [
            r
            for r in reviewers
            if r.id != agents.get(sample.interaction_id) and load.get(r.id, 0) < r.weekly_capacity
        ]
        if not options:
            unassigned += 1
            continue
        reviewer = min(options, key=lambda r: (load.get(r.id, 0) / max(r.weekly_capacity, 1), r.id))
        db.session.add(
            Assignment(sample=sample, interaction_id=sample.interaction_id, reviewer_id=reviewer.id)
        )
        load[reviewer.id] = load.get(reviewer.id, 0) + 1
        assigned += 1
    return assigned, unassigned


def active_policies(team_id: int | None = None) -> list[SamplingPolicy]:
    query = (
        select(SamplingPolicy).where(SamplingPolicy.active.is_(True)).order_by(SamplingPolicy.id)
    )
    if team_id is not None:
        query = query.where(SamplingPolicy.team_id == team_id)
    return list(db.session.scalars(query))
