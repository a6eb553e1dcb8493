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
from datetime import date, timedelta

from flask_babel import gettext
from sqlalchemy import ColumnElement, func, select

from ..extensions import db
from ..models import AutoScore, Criterion, DisputeStatus, Interaction, User
from . import dashboard_cache
from . import kpis as kpi_service
from .dashboard_days import (
    Cell,
    Grid,
    Period,
    autoqa_keys,
    criterion_score_expr,
    criterion_sums,
    day_cells,
    day_totals,
    merged_key,
    scope,
)
from .sampling import week_of

MAX_PERIOD_DAYS = 731
TREND_POINTS = 2.0  # a change in IQS smaller than this between the halves is "flat"


class DashboardError(ValueError):
    """The dashboard request was invalid (bad period); the message says why."""


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
        raise DashboardError(gettext("dates must look like 2026-11-23")) from None
    if first > last:
        raise DashboardError(gettext("the period starts after it ends"))
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise DashboardError(gettext("a period is at most %(MAX_PERIOD_DAYS)s days", MAX_PERIOD_DAYS=MAX_PERIOD_DAYS))
    return Period(first, last)


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
        return sum(self.disputes.get(s.value, 0) for s in DISPUTES_UNDER_WAY)

    @property
    def decided_disputes(self) -> int:
        under_way = {s.value for s in DISPUTES_UNDER_WAY}
        return sum(n for s, n in self.disputes.items() if s not in under_way)


# disputes still with the reviewer, the agent or the lead (qa.services.reviews.UNDER_WAY)
DISPUTES_UNDER_WAY = (DisputeStatus.OPEN, DisputeStatus.ANSWERED, DisputeStatus.ESCALATED)


BIN_LABELS = [f"{10 * i}-{10 * i + 9}" for i in range(9)] + ["90-100"]


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
        for agent_id, name, key, n, total, sq in criterion_sums(
            conditions, Interaction.agent_id, Criterion.name
        )
    ]


def criterion_cells_from(grid: Mapping[tuple[date, int], Cell]) -> list[CriterionCell]:
    """Per agent and criterion name, the answers' sums added up over the days."""
    sums: dict[tuple[int, str], list] = {}
    for (_d, agent_id), cell in grid.items():
        for name, (key, n, total, sq) in cell.criteria.items():
            s = sums.setdefault((agent_id, name), [None, 0, 0.0, 0.0])
            s[0] = merged_key(s[0], key)
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
        s[0] = merged_key(s[0], c.autoqa_key)
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
