"""Recommendations: agents weak on a criterion, with the modules that train it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from ...extensions import db
from ...models import User
from ...services.dashboard import CriterionCell, Period, criterion_cells, scope
from ..models import TrainingAssignment, TrainingModule, TrainingStatus


@dataclass
class Recommendation:
    agent: User
    criterion: str
    autoqa_key: str | None
    score: float
    reviews: int
    modules: list[TrainingModule]
    open_module_ids: set[int] = field(default_factory=set)  # already assigned, not completed

    @property
    def suggested(self) -> TrainingModule | None:
        return next((m for m in self.modules if m.id not in self.open_module_ids), None)


def recommendations(
    team_ids: Sequence[int],
    period: Period,
    *,
    threshold: float,
    min_reviews: int,
    agent_id: int | None = None,
    cells: Sequence[CriterionCell] | None = None,
) -> list[Recommendation]:
    """Agents whose criterion score is below `threshold` over at least `min_reviews` reviews.

    Each comes with the modules linked to that criterion (and a coaching session is proposed).
    `cells` are the dashboard's GROUP BY agent, criterion sums when it already has them.
    """
    if cells is None:
        cells = criterion_cells(scope(team_ids, period, agent_id))
    weak = [
        c
        for c in cells
        if c.n >= min_reviews
        and c.mean < threshold
        and (agent_id is None or c.agent_id == agent_id)
    ]
    if not weak:
        return []
    people = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({c.agent_id for c in weak})))
    }
    modules = list(db.session.scalars(select(TrainingModule).order_by(TrainingModule.title)))
    open_by_agent: dict[int, set[int]] = {}
    for agent_id_, module_id in db.session.execute(
        select(TrainingAssignment.agent_id, TrainingAssignment.module_id).where(
            TrainingAssignment.agent_id.in_(list(people)),
            TrainingAssignment.status == TrainingStatus.ASSIGNED,
        )
    ):
        open_by_agent.setdefault(agent_id_, set()).add(module_id)
    out = [
        Recommendation(
            people[c.agent_id],
            c.name,
            c.autoqa_key,
            round(c.mean, 1),
            c.n,
            [m for m in modules if m.criterion_key in {c.name, c.autoqa_key}],
            open_by_agent.get(c.agent_id, set()),
        )
        for c in weak
    ]
    return sorted(out, key=lambda r: (r.score, r.agent.name, r.criterion))
