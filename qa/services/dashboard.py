"""Aggregates for the lead dashboard: IQS (human) and AQS (AutoQA) per week and per agent."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import AutoScore, Dispute, DisputeStatus, Interaction, Review, ReviewStatus, User
from .sampling import week_of


@dataclass
class WeekRow:
    week: str
    interactions: int = 0
    reviews: int = 0
    iqs: float | None = None
    aqs: float | None = None


@dataclass
class AgentRow:
    agent: User
    interactions: int
    reviews: int
    iqs: float | None
    aqs: float | None


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 1) if count else None


def team_overview(team_ids: list[int], weeks: int = 6, today: date | None = None) -> dict:
    """Weekly and per-agent IQS/AQS for the teams over the last `weeks` ISO weeks."""
    today = today or date.today()
    start = datetime.combine(
        today - timedelta(days=today.weekday() + 7 * (weeks - 1)), datetime.min.time()
    )
    in_scope = [Interaction.team_id.in_(team_ids), Interaction.started_at >= start]
    day = func.date(Interaction.started_at)
    aqs_per = (
        select(AutoScore.interaction_id, func.avg(AutoScore.value).label("aqs"))
        .group_by(AutoScore.interaction_id)
        .subquery()
    )
    by_week: dict[str, WeekRow] = {}
    agg: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0, 0.0, 0])
    for d, n, aqs_sum, aqs_n in db.session.execute(
        select(day, func.count(Interaction.id), func.sum(aqs_per.c.aqs), func.count(aqs_per.c.aqs))
        .outerjoin(aqs_per, aqs_per.c.interaction_id == Interaction.id)
        .where(*in_scope)
        .group_by(day)
    ):
        week = week_of(date.fromisoformat(str(d)))
        a = agg[week]
        a[0] += n
        a[4] += aqs_sum or 0.0
        a[5] += aqs_n
    submitted = [Review.status == ReviewStatus.SUBMITTED, Review.score.is_not(None)]
    for d, n, total in db.session.execute(
        select(day, func.count(Review.id), func.sum(Review.score))
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(*in_scope, *submitted)
        .group_by(day)
    ):
        a = agg[week_of(date.fromisoformat(str(d)))]
        a[1] += n
        a[2] += total or 0.0
    for i in range(weeks):
        week = week_of(start.date() + timedelta(days=7 * i))
        a = agg.get(week, [0, 0, 0.0, 0, 0.0, 0])
        by_week[week] = WeekRow(
            week, int(a[0]), int(a[1]), _mean(a[2], int(a[1])), _mean(a[4], int(a[5]))
        )

    agents: dict[int, list] = defaultdict(lambda: [0, 0, 0.0, 0.0, 0])
    for agent_id, n, aqs_sum, aqs_n in db.session.execute(
        select(
            Interaction.agent_id,
            func.count(Interaction.id),
            func.sum(aqs_per.c.aqs),
            func.count(aqs_per.c.aqs),
        )
        .outerjoin(aqs_per, aqs_per.c.interaction_id == Interaction.id)
        .where(*in_scope)
        .group_by(Interaction.agent_id)
    ):
        agents[agent_id][0] = n
        agents[agent_id][3] = aqs_sum or 0.0
        agents[agent_id][4] = aqs_n
    for agent_id, n, total in db.session.execute(
        select(Interaction.agent_id, func.count(Review.id), func.sum(Review.score))
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(*in_scope, *submitted)
        .group_by(Interaction.agent_id)
    ):
        agents[agent_id][1] = n
        agents[agent_id][2] = total or 0.0
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(agents))))}
    agent_rows = sorted(
        (
            AgentRow(
                people[a], int(v[0]), int(v[1]), _mean(v[2], int(v[1])), _mean(v[3], int(v[4]))
            )
            for a, v in agents.items()
        ),
        key=lambda r: r.agent.name,
    )
    open_disputes = db.session.scalar(
        select(func.count(Dispute.id))
        .join(Review, Review.id == Dispute.review_id)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(Interaction.team_id.in_(team_ids), Dispute.status == DisputeStatus.OPEN)
    )
    return {
        "weeks": list(by_week.values()),
        "agents": agent_rows,
        "open_disputes": open_disputes or 0,
    }
