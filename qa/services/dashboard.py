"""Aggregates for the lead dashboard, all computed in SQL with GROUP BY.

IQS (human review scores) and AQS (AutoQA, every interaction) by week and per agent, criterion
averages (weakest first), the distribution of review scores, disputes by status and the KPIs.
Only portable SQL is used (date(), CASE, correlated sub-selects), so SQLite and PostgreSQL give
the same numbers; days are folded into ISO weeks in Python (at most a few hundred rows).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, case, func, literal_column, select

from ..extensions import db
from ..models import (
    Answer,
    AutoScore,
    Criterion,
    Dispute,
    DisputeStatus,
    Interaction,
    Review,
    ReviewStatus,
    User,
)
from . import kpis as kpi_service
from .sampling import week_of

MAX_PERIOD_DAYS = 731
TREND_POINTS = 2.0  # a change in IQS smaller than this between the halves is "flat"


class DashboardError(ValueError):
    """The dashboard request was invalid (bad period); the message says why."""


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


def default_period(today: date | None = None, weeks: int = 6) -> Period:
    """The last `weeks` ISO weeks, this one included."""
    today = today or date.today()
    return Period(today - timedelta(days=today.weekday() + 7 * (weeks - 1)), today)


def parse_period(start: str | None, end: str | None, today: date | None = None) -> Period:
    """A period from ISO dates (either may be empty: the default six weeks fill in)."""
    default = default_period(today)
    try:
        first = date.fromisoformat(start) if start else default.start
        last = date.fromisoformat(end) if end else default.end
    except ValueError:
        raise DashboardError("dates must look like 2026-11-23") from None
    if first > last:
        raise DashboardError("the period starts after it ends")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise DashboardError(f"a period is at most {MAX_PERIOD_DAYS} days")
    return Period(first, last)


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


# --- statistics -------------------------------------------------------------------------------

# Two-sided 95% Student t quantiles for small samples; 1.96 beyond 30 degrees of freedom.
_T95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26}
_T95.update({10: 2.23, 11: 2.20, 12: 2.18, 13: 2.16, 14: 2.14, 15: 2.13, 16: 2.12, 17: 2.11})
_T95.update({18: 2.10, 19: 2.09, 20: 2.09, 21: 2.08, 22: 2.07, 23: 2.07, 24: 2.06, 25: 2.06})
_T95.update({26: 2.06, 27: 2.05, 28: 2.05, 29: 2.05, 30: 2.04})


def t95(df: int) -> float:
    return _T95.get(df, 1.96) if df >= 1 else math.inf


def variance(n: int, total: float, sumsq: float) -> float | None:
    """Sample variance from count, sum and sum of squares (what SQL can aggregate)."""
    if n < 2:
        return None
    return max(0.0, (sumsq - total * total / n) / (n - 1))


def ci95(n: int, total: float, sumsq: float) -> float | None:
    """Half-width of the 95% confidence interval of a mean (t-based); None below 2 values."""
    var = variance(n, total, sumsq)
    if var is None:
        return None
    return round(t95(n - 1) * math.sqrt(var / n), 1)


def _mean(total: float | None, count: int) -> float | None:
    return round(float(total or 0) / count, 1) if count else None


# --- rows -------------------------------------------------------------------------------------


@dataclass
class WeekRow:
    week: str
    interactions: int = 0
    reviews: int = 0
    iqs: float | None = None
    aqs: float | None = None
    scored: int = 0  # interactions with an AutoQA score
    aqs_sum: float = 0.0


@dataclass
class AgentRow:
    agent: User
    interactions: int
    reviews: int
    iqs: float | None
    aqs: float | None
    ci: float | None = None  # 95% CI half-width of IQS
    trend: int = 0  # +1 up, -1 down, 0 flat or unknown
    delta: float | None = None  # IQS second half minus first half of the period

    @property
    def arrow(self) -> str:
        return {1: "▲", -1: "▼"}.get(self.trend, "▬" if self.delta is not None else "")


@dataclass
class CriterionRow:
    name: str
    answers: int
    score: float | None
    ci: float | None = None
    autoqa_key: str | None = None
    aqs: float | None = None


@dataclass
class Bin:
    label: str
    reviews: int


@dataclass
class Overview:
    period: Period
    weeks: list[WeekRow]
    agents: list[AgentRow]
    criteria: list[CriterionRow]
    distribution: list[Bin]
    disputes: dict[str, int]
    kpis: kpi_service.Kpis
    interactions: int = 0
    reviews: int = 0
    iqs: float | None = None
    aqs: float | None = None
    iqs_ci: float | None = None
    criterion_cells: list[CriterionCell] = field(default_factory=list)

    @property
    def open_disputes(self) -> int:
        return self.disputes.get(DisputeStatus.OPEN.value, 0)

    @property
    def decided_disputes(self) -> int:
        return sum(n for s, n in self.disputes.items() if s != DisputeStatus.OPEN.value)


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
            mine[0] = _key(mine[0], key)
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
        cell = cls(*data[:6], criteria=data[6])
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


BIN_LABELS = [f"{10 * i}-{10 * i + 9}" for i in range(9)] + ["90-100"]


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


def _criterion_sums(conditions: Sequence[ColumnElement[bool]], *group: ColumnElement) -> list:
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
    for team, d, agent, name, key, n, total, sq in _criterion_sums(where, *group, Criterion.name):
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


def _key(a: str | None, b: str | None) -> str | None:
    """The AutoQA key of a criterion name seen with several: the largest, as SQL's max()."""
    return max(a, b) if a and b else a or b


def by_day_agent(grid: Grid) -> dict[tuple[date, int], Cell]:
    """The (team, day, agent) cells added up across teams (taken as they are for one team), in
    key order, so sums fold in the same order whether days were stored or computed."""
    out: dict[tuple[date, int], Cell] = {}
    for (_team, d, agent), c in sorted(grid.items(), key=lambda item: item[0]):
        if (mine := out.get((d, agent))) is None:
            out[(d, agent)] = c
        else:
            merged = out[(d, agent)] = Cell()
            merged.add(mine)
            merged.add(c)
    return out


def day_totals(grid: Grid) -> dict[tuple[int, date], Cell]:
    """The (team, day) totals of (team, day, agent) cells."""
    out: dict[tuple[int, date], Cell] = {}
    for (team, d, _agent), c in grid.items():
        out.setdefault((team, d), Cell()).add(c)
    return out


def weekly_from(grid: Mapping[tuple[date, int], Cell], period: Period) -> list[WeekRow]:
    """Interactions, reviews, IQS and AQS per ISO week of the period (empty weeks included)."""
    rows = {w: WeekRow(w) for w in period.weeks()}
    sums: dict[str, float] = dict.fromkeys(rows, 0.0)
    for (d, _agent), cell in grid.items():
        w = week_of(d)
        row = rows.setdefault(w, WeekRow(w))
        row.interactions += cell.interactions
        row.reviews += cell.reviews
        row.scored += cell.scored
        row.aqs_sum += cell.aqs_sum
        sums[w] = sums.get(w, 0.0) + cell.score_sum
    for w, row in rows.items():
        row.iqs = _mean(sums[w], row.reviews)
        row.aqs = _mean(row.aqs_sum, row.scored)
    return [rows[w] for w in sorted(rows)]


def agents_from(grid: Mapping[tuple[date, int], Cell], period: Period) -> list[AgentRow]:
    """Per agent: volume, reviews, IQS with its 95% CI, AQS, and the trend between the halves."""
    mid = period.mid_at.date()
    totals: dict[int, Cell] = {}
    late: dict[int, list[float]] = {}
    for (d, agent_id), cell in grid.items():
        totals.setdefault(agent_id, Cell()).add(cell)
        if d >= mid:
            half = late.setdefault(agent_id, [0, 0.0])
            half[0] += cell.reviews
            half[1] += cell.score_sum
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(totals))))}
    out = []
    for agent_id, t in totals.items():
        row = AgentRow(
            people[agent_id],
            t.interactions,
            t.reviews,
            _mean(t.score_sum, t.reviews),
            _mean(t.aqs_sum, t.scored),
            ci95(t.reviews, t.score_sum, t.score_sq),
        )
        late_n, late_sum = late.get(agent_id, [0, 0.0])
        early_n = t.reviews - int(late_n)
        if late_n and early_n:
            row.delta = round(late_sum / late_n - (t.score_sum - late_sum) / early_n, 1)
            row.trend = 1 if row.delta >= TREND_POINTS else -1 if row.delta <= -TREND_POINTS else 0
        out.append(row)
    return sorted(out, key=lambda r: r.agent.name)


@dataclass
class CriterionCell:
    """Sums of one agent's answers on one criterion (by name, across scorecard versions)."""

    agent_id: int
    name: str
    autoqa_key: str | None
    n: int
    total: float
    sumsq: float

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0


def criterion_cells(conditions: Sequence[ColumnElement[bool]]) -> list[CriterionCell]:
    """One GROUP BY agent, criterion scan of the answers: the criteria table and the
    recommendations are both folded from it."""
    return [
        CriterionCell(agent_id, name, key, int(n), float(total or 0), float(sq or 0))
        for agent_id, name, key, n, total, sq in _criterion_sums(
            conditions, Interaction.agent_id, Criterion.name
        )
    ]


def criterion_cells_from(grid: Mapping[tuple[date, int], Cell]) -> list[CriterionCell]:
    """Per agent and criterion name, the answers' sums added up over the days."""
    sums: dict[tuple[int, str], list] = {}
    for (_d, agent_id), cell in grid.items():
        for name, (key, n, total, sq) in cell.criteria.items():
            s = sums.setdefault((agent_id, name), [None, 0, 0.0, 0.0])
            s[0] = _key(s[0], key)
            s[1] += n
            s[2] += total
            s[3] += sq
    return [
        CriterionCell(agent_id, name, key, n, total, sq)
        for (agent_id, name), (key, n, total, sq) in sorted(sums.items())
    ]


def criteria_from(
    cells_: Sequence[CriterionCell], auto: Mapping[str, float | None]
) -> list[CriterionRow]:
    """Average criterion score per criterion, weakest first, with the AutoQA mean of its key."""
    sums: dict[str, list] = {}
    for c in cells_:
        s = sums.setdefault(c.name, [None, 0, 0.0, 0.0])
        s[0] = _key(s[0], c.autoqa_key)
        s[1] += c.n
        s[2] += c.total
        s[3] += c.sumsq
    rows = [
        CriterionRow(name, n, _mean(total, n), ci95(n, total, sq), key)
        for name, (key, n, total, sq) in sums.items()
    ]
    for r in rows:
        if r.autoqa_key and auto.get(r.autoqa_key) is not None:
            r.aqs = round(float(auto[r.autoqa_key]), 1)  # type: ignore[arg-type]
    return sorted(rows, key=lambda r: (r.score if r.score is not None else 101, r.name))


def criteria_rows(conditions: Sequence[ColumnElement[bool]]) -> list[CriterionRow]:
    """Average criterion score per criterion name (across scorecard versions), weakest first."""
    cells_ = criterion_cells(conditions)
    keys = sorted({c.autoqa_key for c in cells_ if c.autoqa_key})
    auto: dict[str, float | None] = {}
    if keys:
        auto = dict(
            db.session.execute(
                select(AutoScore.criterion, func.avg(AutoScore.value))
                .join(Interaction, Interaction.id == AutoScore.interaction_id)
                .where(*conditions, AutoScore.criterion.in_(keys))
                .group_by(AutoScore.criterion)
            ).all()
        )
    return criteria_from(cells_, auto)


def overview(
    team_ids: Sequence[int],
    period: Period,
    *,
    agent_id: int | None = None,
    sla: Mapping[str, int] | None = None,
    cached: bool = True,
) -> Overview:
    """Everything the team (or agent) dashboard shows for the period.

    A team's closed days come from the dashboard_day table (filled on first use, cleared by
    any change to their interactions, AutoQA scores, reviews, answers or disputes);
    `cached=False` computes every day from the interactions. An agent's dashboard is always
    computed: the agent's own interactions are a short index range.
    """
    from . import dashboard_cache

    keys = autoqa_keys()
    thresholds = {**kpi_service.DEFAULT_SLA_SECONDS, **(sla or {})}
    if cached and agent_id is None:
        agent_cells, totals = dashboard_cache.team_days(team_ids, period, keys, thresholds)
    else:
        agent_cells = day_cells(scope(team_ids, period, agent_id), keys, thresholds)
        totals = day_totals(agent_cells)
    grid = by_day_agent(agent_cells)
    by_day: dict[tuple[date, int], Cell] = {}
    total = Cell()
    for (_team, d), c in sorted(totals.items(), key=lambda item: item[0]):
        by_day.setdefault((d, 0), Cell()).add(c)
        total.add(c)
    auto = {key: (s / n if n else None) for key, (s, n) in total.keys.items()}
    per_criterion = criterion_cells_from(grid)
    return Overview(
        period=period,
        weeks=weekly_from(by_day, period),
        agents=agents_from(grid, period),
        criteria=criteria_from(per_criterion, auto),
        distribution=[Bin(label, total.bins.get(i, 0)) for i, label in enumerate(BIN_LABELS)],
        disputes={s.value: total.disputes.get(s.value, 0) for s in DisputeStatus},
        kpis=kpi_service.from_sums(total.channels, thresholds),
        interactions=total.interactions,
        reviews=total.reviews,
        iqs=_mean(total.score_sum, total.reviews),
        aqs=_mean(total.aqs_sum, total.scored),
        iqs_ci=ci95(total.reviews, total.score_sum, total.score_sq),
        criterion_cells=per_criterion,
    )


def team_overview(team_ids: list[int], weeks: int = 6, today: date | None = None) -> Overview:
    """Backwards-compatible entry point: the last `weeks` ISO weeks."""
    return overview(team_ids, default_period(today, weeks))


__all__ = [
    "AgentRow",
    "Bin",
    "Cell",
    "CriterionCell",
    "CriterionRow",
    "DashboardError",
    "Overview",
    "Period",
    "WeekRow",
    "ci95",
    "criteria_rows",
    "criterion_cells",
    "criterion_score_expr",
    "day_cells",
    "day_totals",
    "default_period",
    "overview",
    "parse_period",
    "scope",
    "team_overview",
]
