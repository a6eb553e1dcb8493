"""Coverage: per agent, how much was sampled and reviewed, and how far the mean score can be trusted."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ...extensions import db
from ...models import (
    Assignment,
    Interaction,
    Review,
    ReviewStatus,
    Role,
    Sample,
    SamplingPolicy,
    User,
)
from .statements import bind_params, not_replaced, population_filter, shape_of, this_policy_week

# Two-sided 95% Student t critical values by degrees of freedom; 1.96 beyond 30.
_T95 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
    10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110,
    18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060,
    26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042,
}  # fmt: skip
MIN_REVIEWS = 5  # below this a score is shown but flagged as too thin to act on
MAX_MARGIN = 10.0  # points of the 0-100 score; wider than this is flagged too


def margin_of_error(n: int, population: int, sd: float | None) -> float | None:
    """95% CI half-width of a mean of n scores drawn from `population`, with finite population correction."""
    if n < 2 or sd is None or population < n:
        return None
    fpc = math.sqrt((population - n) / (population - 1)) if population > 1 else 0.0
    return _T95.get(n - 1, 1.96) * sd / math.sqrt(n) * fpc


@dataclass
class AgentCoverage:
    """One agent's row of the coverage report."""

    agent_id: int
    name: str
    volume: int
    sampled: int
    reviewed: int
    score: float | None
    sd: float | None
    margin: float | None

    @property
    def verdict(self) -> str:
        """Plain words for a lead: can this number be acted on?"""
        if self.volume == 0:
            return "no interactions this week"
        if self.reviewed == 0:
            return "no reviews yet"
        if self.reviewed < 2:
            return "1 review: no margin of error, too thin to act on"
        if self.margin is None:
            return "no margin of error"
        if self.reviewed < MIN_REVIEWS or self.margin > MAX_MARGIN:
            return f"too thin to act on (n={self.reviewed}, ±{self.margin:.1f})"
        return f"±{self.margin:.1f} points (95%)"

    @property
    def actionable(self) -> bool:
        """Enough reviews and a narrow enough margin to act on the score."""
        return (
            self.margin is not None and self.reviewed >= MIN_REVIEWS and self.margin <= MAX_MARGIN
        )


def coverage(policy: SamplingPolicy, week: str) -> list[AgentCoverage]:
    """Per agent of the team: volume, sampled, reviewed, mean review score and its margin of error."""
    params = bind_params(policy, week)
    population = population_filter(shape_of(policy))
    volume = (
        select(Interaction.agent_id, func.count().label("volume"))
        .where(*population)
        .group_by(Interaction.agent_id)
        .subquery()
    )
    sampled = (
        select(Interaction.agent_id, func.count().label("sampled"))
        .select_from(Sample)
        .join(Interaction, Interaction.id == Sample.interaction_id)
        .outerjoin(Assignment, Assignment.sample_id == Sample.id)
        .where(*this_policy_week(), not_replaced())
        .group_by(Interaction.agent_id)
        .subquery()
    )
    # One score per reviewed interaction (calibration can give several reviews of one).
    per_interaction = (
        select(
            Interaction.agent_id,
            Review.interaction_id,
            func.avg(Review.score).label("score"),
        )
        .select_from(Review)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(*population, Review.status == ReviewStatus.SUBMITTED, Review.score.is_not(None))
        .group_by(Interaction.agent_id, Review.interaction_id)
        .subquery()
    )
    scores = (
        select(
            per_interaction.c.agent_id,
            func.count().label("n"),
            func.avg(per_interaction.c.score).label("mean"),
            func.avg(per_interaction.c.score * per_interaction.c.score).label("mean_sq"),
        )
        .group_by(per_interaction.c.agent_id)
        .subquery()
    )
    in_team = select(User.id).where(
        User.team_id == policy.team_id, User.role == Role.AGENT, User.active.is_(True)
    )
    rows = db.session.execute(
        select(
            User.id,
            User.name,
            func.coalesce(volume.c.volume, 0),
            func.coalesce(sampled.c.sampled, 0),
            func.coalesce(scores.c.n, 0),
            scores.c.mean,
            scores.c.mean_sq,
        )
        .outerjoin(volume, volume.c.agent_id == User.id)
        .outerjoin(sampled, sampled.c.agent_id == User.id)
        .outerjoin(scores, scores.c.agent_id == User.id)
        .where(or_(User.id.in_(in_team), volume.c.volume.is_not(None)))
        .order_by(User.name, User.id),
        params,
    ).all()
    report = []
    for agent_id, name, n_volume, n_sampled, n, mean, mean_sq in rows:
        sd = None
        if n >= 2 and mean is not None:
            variance = max(0.0, (float(mean_sq) - float(mean) ** 2) * n / (n - 1))
            sd = math.sqrt(variance)
        report.append(
            AgentCoverage(
                agent_id=agent_id,
                name=name,
                volume=int(n_volume),
                sampled=int(n_sampled),
                reviewed=int(n),
                score=float(mean) if mean is not None else None,
                sd=sd,
                margin=margin_of_error(int(n), int(n_volume), sd),
            )
        )
    return report
