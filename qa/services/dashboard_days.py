"""The dashboard's raw sums: a period of whole days, and the (team, day, agent) sums of the
interactions computed in SQL with GROUP BY (`day_cells`). The stored days (dashboard_cache)
and the dashboard's figures (dashboard) are both folded from these cells.

Only portable SQL is used (date(), CASE, correlated sub-selects), so SQLite and PostgreSQL give
the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select
from sqlalchemy.orm import QueryableAttribute

from ..extensions import db
from ..models import Answer, AutoScore, Criterion, Dispute, Interaction, Review, ReviewStatus
from . import kpis as kpi_service
from .sampling import week_of

Grouping = ColumnElement[Any] | QueryableAttribute[Any]  # a GROUP BY column or expression


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, datetime.min.time())

    @property
    def end_at(self) -> datetime:
        """Exclusive upper bound: midnight after the last day."""
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time())

    @property
    def mid_at(self) -> datetime:
        """Split point for trends: the first day of the second half of the period."""
        return self.start_at + timedelta(days=((self.end - self.start).days + 1) // 2)

    def weeks(self) -> list[str]:
        monday = self.start - timedelta(days=self.start.weekday())
        out = []
        while monday <= self.end:
            out.append(week_of(monday))
            monday += timedelta(days=7)
        return out

    def query_args(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def scope(
    team_ids: Sequence[int], period: Period, agent_id: int | None = None
) -> list[ColumnElement[bool]]:
    """Conditions on Interaction for the teams (and agent) and the period."""
    conditions = [
        Interaction.team_id.in_(list(team_ids)),
        Interaction.started_at >= period.start_at,
        Interaction.started_at < period.end_at,
    ]
    if agent_id is not None:
        conditions.append(Interaction.agent_id == agent_id)
    return conditions


_SUBMITTED = (Review.status == ReviewStatus.SUBMITTED, Review.score.is_not(None))


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass
class Cell:
    """Sums for one (team, day, agent): every figure of the dashboard is folded from these.

    The sums of a closed day are kept in the dashboard_day table (dashboard_cache), so a year
    of a team costs a few hundred stored rows instead of a scan of its interactions.
    """

    interactions: int = 0
    scored: int = 0  # interactions with an AutoQA score
    aqs_sum: float = 0.0
    reviews: int = 0
    score_sum: float = 0.0
    score_sq: float = 0.0
    keys: dict[str, list] = field(default_factory=dict)  # AutoQA key -> [sum, count]
    criteria: dict[str, list] = field(default_factory=dict)  # name -> [autoqa key, n, sum, sumsq]
    bins: dict[int, int] = field(default_factory=dict)  # review score bin -> reviews
    disputes: dict[str, int] = field(default_factory=dict)  # status -> disputes
    channels: dict[str, list] = field(default_factory=dict)  # channel -> kpis.SUMS sums

    def add(self, other: Cell) -> None:
        self.interactions += other.interactions
        self.scored += other.scored
        self.aqs_sum += other.aqs_sum
        self.reviews += other.reviews
        self.score_sum += other.score_sum
        self.score_sq += other.score_sq
        for key, (total, n) in other.keys.items():
            mine = self.keys.setdefault(key, [0.0, 0])
            mine[0] += total
            mine[1] += n
        for name, (key, n, total, sq) in other.criteria.items():
            mine = self.criteria.setdefault(name, [None, 0, 0.0, 0.0])
            mine[0] = merged_key(mine[0], key)
            mine[1] += n
            mine[2] += total
            mine[3] += sq
        for b, n in other.bins.items():
            self.bins[b] = self.bins.get(b, 0) + n
        for status, n in other.disputes.items():
            self.disputes[status] = self.disputes.get(status, 0) + n
        for channel, sums in other.channels.items():
            mine = self.channels.setdefault(channel, [0.0] * len(sums))
            for k, v in enumerate(sums):
                mine[k] += v

    def to_json(self, *, slim: bool = False) -> list:
        """As stored: `slim` keeps what per-agent rows use (volumes, IQS/AQS sums, criteria);
        the AutoQA keys, bins, disputes and KPI sums are kept in the day's total."""
        head = [
            self.interactions, self.scored, self.aqs_sum, self.reviews, self.score_sum,
            self.score_sq, self.criteria,
        ]  # fmt: skip
        return head if slim else [*head, self.keys, self.bins, self.disputes, self.channels]

    @classmethod
    def from_json(cls, data: list) -> Cell:
        interactions, scored, aqs_sum, reviews, score_sum, score_sq = data[:6]
        cell = cls(interactions, scored, aqs_sum, reviews, score_sum, score_sq, criteria=data[6])
        if len(data) > 7:
            cell.keys, bins, cell.disputes, cell.channels = data[7:]
            cell.bins = {int(b): n for b, n in bins.items()}
        return cell


Grid = dict[tuple[int, date, int], Cell]  # (team, day, agent) -> sums


def autoqa_keys() -> list[str]:
    """AutoQA keys used by any scorecard criterion (for the per-criterion AutoQA means)."""
    return sorted(
        db.session.scalars(
            select(Criterion.autoqa_key).where(Criterion.autoqa_key.is_not(None)).distinct()
        )
    )


def _score_bin():  # type: ignore[no-untyped-def]
    # Literal numbers, not bound parameters: PostgreSQL only matches a GROUP BY expression to
    # the selected one when both are textually identical.
    return case(
        *(
            (Review.score < literal_column(str(10 * (i + 1))), literal_column(str(i)))
            for i in range(9)
        ),
        else_=literal_column("9"),
    )


def criterion_score_expr():  # type: ignore[no-untyped-def]
    """Criterion score of an answer, 0-100 (PRODUCT.md); scale_max > scale_min is enforced."""
    return (
        (Answer.value - Criterion.scale_min) * 100.0 / (Criterion.scale_max - Criterion.scale_min)
    )


def criterion_sums(conditions: Sequence[ColumnElement[bool]], *group: Grouping) -> list:
    """Rows of (*group, autoqa key, n, sum, sumsq) of submitted answers' criterion scores."""
    points = criterion_score_expr()
    return list(
        db.session.execute(
            select(
                *group,
                func.max(Criterion.autoqa_key),
                func.count(Answer.id),
                func.sum(points),
                func.sum(points * points),
            )
            .select_from(Interaction)
            .join(Review, Review.interaction_id == Interaction.id)
            .join(Answer, Answer.review_id == Review.id)
            .join(Criterion, Criterion.id == Answer.criterion_id)
            .where(*conditions, *_SUBMITTED, Answer.na.is_(False), Answer.value.is_not(None))
            .group_by(*group)
        )
    )


def day_cells(
    conditions: Sequence[ColumnElement[bool]],
    keys: Sequence[str] = (),
    thresholds: Mapping[str, int] | None = None,
) -> Grid:
    """The (team, day, agent) sums of the interactions matching `conditions`, from five
    GROUP BY scans: interactions with their AQS (and AutoQA `keys`), KPI sums per channel,
    submitted reviews per score bin, criterion answers, and disputes.

    At most teams x days x agents cells come back, however many interactions there are.
    """
    day = func.date(Interaction.started_at)
    where = [*conditions, Interaction.team_id.is_not(None)]
    out: Grid = {}

    def cell(team: int, d: object, agent: int) -> Cell:
        return out.setdefault((team, _day(d), agent), Cell())

    # one row per interaction: its AQS (mean of its AutoQA values) and its value per key
    per_key = [
        func.max(case((AutoScore.criterion == key, AutoScore.value))).label(f"k{i}")
        for i, key in enumerate(keys)
    ]
    inner = (
        select(
            Interaction.team_id.label("team_id"),
            day.label("day"),
            Interaction.agent_id.label("agent_id"),
            func.avg(AutoScore.value).label("aqs"),
            *per_key,
        )
        .select_from(Interaction)
        .outerjoin(AutoScore, AutoScore.interaction_id == Interaction.id)
        .where(*where)
        .group_by(Interaction.id)
        .subquery()
    )
    key_cols = [inner.c[f"k{i}"] for i in range(len(keys))]
    for team, d, agent, n, aqs_sum, aqs_n, *key_sums in db.session.execute(
        select(
            inner.c.team_id,
            inner.c.day,
            inner.c.agent_id,
            func.count(),
            func.sum(inner.c.aqs),
            func.count(inner.c.aqs),
            *(agg for col in key_cols for agg in (func.sum(col), func.count(col))),
        ).group_by(inner.c.team_id, inner.c.day, inner.c.agent_id)
    ):
        c = cell(team, d, agent)
        c.interactions, c.scored, c.aqs_sum = int(n), int(aqs_n), float(aqs_sum or 0)
        for i, key in enumerate(keys):
            if key_sums[2 * i + 1]:
                c.keys[key] = [float(key_sums[2 * i] or 0), int(key_sums[2 * i + 1])]
    group = (Interaction.team_id, day, Interaction.agent_id)
    for team, d, agent, channel, sums in kpi_service.channel_sums(where, thresholds, *group):
        cell(team, d, agent).channels[channel] = sums
    bucket = _score_bin()
    for team, d, agent, b, n, total, sq in db.session.execute(
        select(
            *group,
            bucket,
            func.count(Review.id),
            func.sum(Review.score),
            func.sum(Review.score * Review.score),
        )
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(*where, *_SUBMITTED)
        .group_by(*group, bucket)
    ):
        c = cell(team, d, agent)
        c.bins[int(b)] = int(n)
        c.reviews += int(n)
        c.score_sum += float(total or 0)
        c.score_sq += float(sq or 0)
    for team, d, agent, name, key, n, total, sq in criterion_sums(where, *group, Criterion.name):
        cell(team, d, agent).criteria[name] = [key, int(n), float(total or 0), float(sq or 0)]
    for team, d, agent, status, n in db.session.execute(
        select(*group, Dispute.status, func.count(Dispute.id))
        .join(Review, Review.id == Dispute.review_id)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(*where)
        .group_by(*group, Dispute.status)
    ):
        cell(team, d, agent).disputes[str(getattr(status, "value", status))] = int(n)
    return out


def merged_key(a: str | None, b: str | None) -> str | None:
    """The AutoQA key of a criterion name seen with several: the largest, as SQL's max()."""
    return max(a, b) if a and b else a or b


def day_totals(grid: Grid) -> dict[tuple[int, date], Cell]:
    """The (team, day) totals of (team, day, agent) cells."""
    out: dict[tuple[int, date], Cell] = {}
    for (team, d, _agent), c in grid.items():
        out.setdefault((team, d), Cell()).add(c)
    return out


__all__ = [
    "Cell",
    "Grid",
    "Period",
    "autoqa_keys",
    "criterion_score_expr",
    "criterion_sums",
    "day_cells",
    "day_totals",
    "merged_key",
    "scope",
]
