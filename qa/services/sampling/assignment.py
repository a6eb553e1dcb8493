"""Reviewer assignment: a week's samples spread over reviewers, balanced by capacity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, insert, select

from ...extensions import db
from ...models import (
    Assignment,
    AssignmentStatus,
    Interaction,
    Role,
    Sample,
    SamplingPolicy,
    User,
    utcnow,
)
from .hashing import policy_rank_key


@dataclass
class _Reviewer:
    id: int
    team_id: int | None
    capacity: int
    load: int


def _reviewers(week: str) -> list[_Reviewer]:
    """Active reviewers with their load this week (assignments not replaced, every policy)."""
    load = (
        select(Assignment.reviewer_id, func.count().label("n"))
        .join(Sample, Sample.id == Assignment.sample_id)
        .where(Sample.week == week, Assignment.status != AssignmentStatus.REPLACED)
        .group_by(Assignment.reviewer_id)
        .subquery()
    )
    rows = db.session.execute(
        select(User.id, User.team_id, User.weekly_capacity, func.coalesce(load.c.n, 0))
        .outerjoin(load, load.c.reviewer_id == User.id)
        .where(User.role == Role.REVIEWER, User.active.is_(True))
        .order_by(User.id)
    ).all()
    return [_Reviewer(r[0], r[1], int(r[2] or 0), int(r[3])) for r in rows]


def _choose(
    reviewers: list[_Reviewer], agent_id: int, team_id: int, exclude_team: bool
) -> _Reviewer | None:
    """The least loaded reviewer (relative to capacity) with room, never the agent themself."""
    best: _Reviewer | None = None
    for r in reviewers:
        if r.id == agent_id or r.load >= r.capacity:
            continue
        if exclude_team and r.team_id is not None and r.team_id == team_id:
            continue
        if best is None or r.load * best.capacity < best.load * r.capacity:
            best = r  # strictly less loaded; ties keep the lower id
    return best


def assign(policy: SamplingPolicy, week: str) -> tuple[int, int]:
    """Give the policy's unassigned samples of the week to reviewers, balanced by capacity."""
    pending = db.session.execute(
        select(Sample.id, Sample.interaction_id, Interaction.agent_id, Interaction.team_id)
        .join(Interaction, Interaction.id == Sample.interaction_id)
        .where(
            Sample.policy_id == policy.id,
            Sample.week == week,
            ~exists().where(Assignment.sample_id == Sample.id),
        )
    ).all()
    if not pending:
        return 0, 0
    reviewers = _reviewers(week)
    # Spread each agent's samples over reviewers in hash order, so the result is reproducible.
    ordered = sorted(pending, key=lambda s: policy_rank_key(policy, week, s.interaction_id))
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for sample in ordered:
        reviewer = _choose(reviewers, sample.agent_id, sample.team_id, policy.exclude_own_team)
        if reviewer is None:
            continue
        reviewer.load += 1
        rows.append(
            {
                "sample_id": sample.id,
                "interaction_id": sample.interaction_id,
                "reviewer_id": reviewer.id,
                "status": AssignmentStatus.ASSIGNED,
                "created_at": now,
            }
        )
    if rows:
        db.session.execute(insert(Assignment), rows)
    return len(rows), len(pending) - len(rows)


def open_assignments(reviewer: User) -> list[Assignment]:
    """A reviewer's assignments still to review, oldest interaction first."""
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Interaction, Interaction.id == Assignment.interaction_id)
            .where(
                Assignment.reviewer_id == reviewer.id,
                Assignment.status == AssignmentStatus.ASSIGNED,
            )
            .order_by(Interaction.started_at)
        )
    )


def team_open_assignments(team_ids: list[int] | None) -> list[Assignment]:
    """Open assignments of these teams' interactions (every team when None), oldest first."""
    query = (
        select(Assignment)
        .join(Interaction, Interaction.id == Assignment.interaction_id)
        .where(Assignment.status == AssignmentStatus.ASSIGNED)
        .order_by(Interaction.started_at, Assignment.id)
    )
    if team_ids is not None:
        query = query.where(Interaction.team_id.in_(team_ids))
    return list(db.session.scalars(query))
