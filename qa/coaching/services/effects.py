"""The effect of training: an agent's criterion score before and after completing a module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_, select

from ...extensions import db
from ...models import Answer, Criterion, Interaction, Review, ReviewStatus, User
from ...services.dashboard import ci95, criterion_score_expr, t95, variance
from ..models import TrainingAssignment, TrainingModule, TrainingStatus


@dataclass
class Side:
    n: int = 0
    total: float = 0.0
    sumsq: float = 0.0

    @property
    def mean(self) -> float | None:
        return round(self.total / self.n, 1) if self.n else None

    @property
    def ci(self) -> float | None:
        return ci95(self.n, self.total, self.sumsq)

    def add(self, other: Side) -> None:
        self.n += other.n
        self.total += other.total
        self.sumsq += other.sumsq


def _delta(before: Side, after: Side) -> tuple[float | None, float | None]:
    """After minus before, with a Welch-style 95% half-width (conservative df)."""
    if not before.n or not after.n:
        return None, None
    delta = round(after.total / after.n - before.total / before.n, 1)
    v1 = variance(before.n, before.total, before.sumsq)
    v2 = variance(after.n, after.total, after.sumsq)
    if v1 is None or v2 is None:
        return delta, None
    se = (v1 / before.n + v2 / after.n) ** 0.5
    return delta, round(t95(min(before.n, after.n) - 1) * se, 1)


@dataclass
class Effect:
    assignment: TrainingAssignment
    before: Side
    after: Side

    @property
    def delta(self) -> float | None:
        return _delta(self.before, self.after)[0]

    @property
    def delta_ci(self) -> float | None:
        return _delta(self.before, self.after)[1]


@dataclass
class ModuleEffect:
    module: TrainingModule
    assignments: int = 0
    before: Side = field(default_factory=Side)
    after: Side = field(default_factory=Side)

    @property
    def delta(self) -> float | None:
        return _delta(self.before, self.after)[0]

    @property
    def delta_ci(self) -> float | None:
        return _delta(self.before, self.after)[1]


def training_effects(
    team_ids: Sequence[int] | None, n: int, *, agent_id: int | None = None
) -> tuple[list[Effect], list[ModuleEffect]]:
    """For each completed module: the agent's score on its criterion over the `n` reviewed
    interactions before completion vs the `n` after, and the same pooled per module.

    One SQL query with window functions (SQLite >= 3.25 and PostgreSQL): reviews are ranked
    within (assignment, before|after) by how close they are to the completion.
    """
    points = criterion_score_expr()
    side = case((Interaction.started_at < TrainingAssignment.completed_at, "before"), else_="after")
    partition = (TrainingAssignment.id, side)
    conditions = [
        TrainingAssignment.status == TrainingStatus.COMPLETED,
        Review.status == ReviewStatus.SUBMITTED,
        Answer.na.is_(False),
        Answer.value.is_not(None),
        or_(
            Criterion.name == TrainingModule.criterion_key,
            Criterion.autoqa_key == TrainingModule.criterion_key,
        ),
    ]
    if team_ids is not None:
        conditions.append(User.team_id.in_(list(team_ids)))
    if agent_id is not None:
        conditions.append(TrainingAssignment.agent_id == agent_id)
    ranked = (
        select(
            TrainingAssignment.id.label("aid"),
            side.label("side"),
            points.label("points"),
            func.row_number()
            .over(
                partition_by=partition, order_by=(Interaction.started_at.desc(), Review.id.desc())
            )
            .label("latest"),
            func.row_number()
            .over(partition_by=partition, order_by=(Interaction.started_at, Review.id))
            .label("earliest"),
        )
        .select_from(TrainingAssignment)
        .join(TrainingModule, TrainingModule.id == TrainingAssignment.module_id)
        .join(User, User.id == TrainingAssignment.agent_id)
        .join(Interaction, Interaction.agent_id == TrainingAssignment.agent_id)
        .join(Review, Review.interaction_id == Interaction.id)
        .join(Answer, Answer.review_id == Review.id)
        .join(Criterion, Criterion.id == Answer.criterion_id)
        .where(*conditions)
        .subquery()
    )
    sides: dict[int, dict[str, Side]] = {}
    for aid, which, count, total, sumsq in db.session.execute(
        select(
            ranked.c.aid,
            ranked.c.side,
            func.count(),
            func.sum(ranked.c.points),
            func.sum(ranked.c.points * ranked.c.points),
        )
        .where(
            or_(
                and_(ranked.c.side == "before", ranked.c.latest <= n),
                and_(ranked.c.side == "after", ranked.c.earliest <= n),
            )
        )
        .group_by(ranked.c.aid, ranked.c.side)
    ):
        sides.setdefault(aid, {})[which] = Side(int(count), float(total or 0), float(sumsq or 0))
    query = (
        select(TrainingAssignment)
        .join(User, User.id == TrainingAssignment.agent_id)
        .where(TrainingAssignment.status == TrainingStatus.COMPLETED)
        .order_by(TrainingAssignment.completed_at.desc())
    )
    if team_ids is not None:
        query = query.where(User.team_id.in_(list(team_ids)))
    if agent_id is not None:
        query = query.where(TrainingAssignment.agent_id == agent_id)
    effects = [
        Effect(
            a, sides.get(a.id, {}).get("before", Side()), sides.get(a.id, {}).get("after", Side())
        )
        for a in db.session.scalars(query)
        if a.module.criterion_key
    ]
    per_module: dict[int, ModuleEffect] = {}
    for e in effects:
        m = per_module.setdefault(e.assignment.module_id, ModuleEffect(e.assignment.module))
        m.assignments += 1
        m.before.add(e.before)
        m.after.add(e.after)
    return effects, sorted(per_module.values(), key=lambda m: m.module.title)
