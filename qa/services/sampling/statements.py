"""The draw's SQL: population, per-agent quotas, risk score and picks as one query of CTEs.

Everything that grows with the interaction table runs in SQL: the week's population, the per-agent
quotas, the risk score and the picks are one query of CTEs and window functions, evaluated the
same way by SQLite (>= 3.25) and PostgreSQL. Python only sees the picks (bounded by the sample size)
and the reviewers, so memory stays flat however many interactions are stored.

Every statement is built once per policy shape (which optional filters it uses) with named
bind parameters, and cached: building and compiling these CTEs costs more than running them,
so a draw over many policies and weeks reuses one compiled statement.
"""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.sql import ColumnElement, CompoundSelect, Select

from ...models import (
    Assignment,
    AssignmentStatus,
    AutoScore,
    CallAnalysis,
    Channel,
    Interaction,
    Review,
    Sample,
    SamplingPolicy,
    Segment,
    Transcript,
)
from .hashing import hash_sql, salts
from .rules import LONG_HANDLE_RANK, RANDOM, RISK, RISK_SIGNALS, SAMPLEABLE
from .weeks import parse_week


@dataclass(frozen=True)
class Shape:
    """Which optional filters a policy uses: one cached statement per shape."""

    channels: bool = False
    min_duration: bool = False
    min_turns: bool = False
    agent: bool = False  # restricted to one agent (replacement)
    tier: bool = False  # one tier's interactions only (qa/tiers)


def shape_of(policy: SamplingPolicy, agent: bool = False) -> Shape:
    """The shape of a policy's statements; `agent` restricts them to one agent."""
    return Shape(
        bool(policy.channels),
        bool(policy.min_duration_seconds),
        bool(policy.min_turns),
        agent,
        tier=policy.tier is not None,
    )


def _weights(policy: SamplingPolicy) -> dict[str, float]:
    return {
        "autoqa": float(policy.risk_weight_autoqa or 0),
        "csat": float(policy.risk_weight_csat or 0),
        "escalated": float(policy.risk_weight_escalated or 0),
        "handle_time": float(policy.risk_weight_handle_time or 0),
        "dead_air": float(policy.risk_weight_dead_air or 0),
        "uncertain": float(policy.risk_weight_uncertain or 0),
    }


def bind_params(policy: SamplingPolicy, week: str, agent_id: int | None = None) -> dict[str, Any]:
    """Values for the bind parameters of the cached statements."""
    start, end = parse_week(week)
    salt, salt2 = salts(policy.id, policy.seed or 0, week)
    params: dict[str, Any] = {
        "team_id": policy.team_id,
        "start": start,
        "end": end,
        "policy_id": policy.id,
        "week": week,
        "salt": salt,
        "salt2": salt2,
        "basis_points": round(float(policy.percentage) * 100),
        "lo": int(policy.min_per_agent),
        "hi": int(policy.max_per_agent),
        "share_bp": round(max(0.0, min(1.0, float(policy.risk_share or 0))) * 10000),
        "dead_air_s": float(policy.dead_air_seconds if policy.dead_air_seconds is not None else 30),
    }
    params.update({f"w_{k}": v for k, v in _weights(policy).items()})
    if policy.channels:
        params["channels"] = [Channel(c) for c in policy.channels]
    if policy.min_duration_seconds:
        params["min_duration"] = float(policy.min_duration_seconds)
    if policy.min_turns:
        params["min_turns"] = int(policy.min_turns)
    if agent_id is not None:
        params["agent_id"] = agent_id
    if policy.tier is not None:
        params["tier"] = int(policy.tier)
    return params


def population_filter(shape: Shape) -> list[ColumnElement[bool]]:
    """The interactions a policy covers in a week: its team, channels, duration and turns."""
    conditions: list[ColumnElement[bool]] = [
        Interaction.team_id == bindparam("team_id", type_=Integer),
        Interaction.started_at >= bindparam("start", type_=DateTime),
        Interaction.started_at < bindparam("end", type_=DateTime),
    ]
    if shape.channels:
        conditions.append(Interaction.channel.in_(bindparam("channels", expanding=True)))
    if shape.min_duration:
        conditions.append(Interaction.duration_seconds >= bindparam("min_duration", type_=Float))
    if shape.min_turns:
        turns = (
            select(func.count(Segment.id))
            .join(Transcript, Transcript.id == Segment.transcript_id)
            .where(Transcript.interaction_id == Interaction.id)
            .scalar_subquery()
        )
        conditions.append(turns >= bindparam("min_turns", type_=Integer))
    if shape.agent:
        conditions.append(Interaction.agent_id == bindparam("agent_id", type_=Integer))
    if shape.tier:
        conditions.append(Interaction.tier == bindparam("tier", type_=Integer))
    return conditions


def this_policy_week() -> list[ColumnElement[bool]]:
    return [
        Sample.policy_id == bindparam("policy_id", type_=Integer),
        Sample.week == bindparam("week", type_=String),
    ]


def not_replaced() -> ColumnElement[bool]:
    return or_(Assignment.id.is_(None), Assignment.status != AssignmentStatus.REPLACED)


def _materialized(cte: Any) -> Any:
    """Evaluate a CTE once: both databases otherwise inline a CTE used once, and then repeat its
    correlated subqueries in every expression that mentions the column (measured: 10x slower)."""
    cte = cte.prefix_with("MATERIALIZED", dialect="postgresql")
    if sqlite3.sqlite_version_info >= (3, 35, 0):
        cte = cte.prefix_with("MATERIALIZED", dialect="sqlite")
    return cte


def _candidates(shape: Shape) -> Any:
    """Subquery of sampleable interactions with risk score, risk reason and hash order."""
    # Handle time is ranked within each agent's week (all of it, not only what is left), so a
    # replacement drawn for one agent sees the same ranks as the draw did.
    handle_rank = func.percent_rank().over(
        partition_by=Interaction.agent_id,
        order_by=func.coalesce(Interaction.duration_seconds, 0.0),
    )
    pop = (
        select(
            Interaction.id,
            Interaction.agent_id,
            Interaction.status,
            Interaction.csat,
            Interaction.escalated,
            handle_rank.label("handle_rank"),
        )
        .where(*population_filter(shape))
        .cte("pop")
    )
    mean_autoqa = (
        select(func.avg(AutoScore.value))
        .where(AutoScore.interaction_id == pop.c.id)
        .scalar_subquery()
    )
    longest_silence = (
        select(CallAnalysis.longest_silence_seconds)
        .where(CallAnalysis.interaction_id == pop.c.id)
        .scalar_subquery()
    )
    # issue 20: the least confident of the interaction's AutoQA scores (50-100 %), and whether
    # one of them is uncertain (its conformal set is not a single label)
    least_confidence = (
        select(func.min(AutoScore.confidence))
        .where(AutoScore.interaction_id == pop.c.id, AutoScore.confidence.is_not(None))
        .scalar_subquery()
    )
    any_uncertain = (
        select(func.max(case((AutoScore.uncertain.is_(True), 1), else_=0)))
        .where(AutoScore.interaction_id == pop.c.id)
        .scalar_subquery()
    )
    reviewed = exists().where(Review.interaction_id == pop.c.id)
    sampled = exists().where(Sample.interaction_id == pop.c.id)
    # candidates first, so the AutoQA mean is looked up once and only for them
    eligible = _materialized(
        select(
            *pop.c,
            mean_autoqa.label("aqs"),
            longest_silence.label("silence"),
            least_confidence.label("least_conf"),
            any_uncertain.label("any_uncertain"),
        )
        .where(pop.c.status.in_(SAMPLEABLE), ~reviewed, ~sampled)
        .cte("eligible")
    )
    aqs = eligible.c.aqs
    parts = {
        "autoqa": case((aqs.is_(None), 0.0), else_=(100.0 - cast(aqs, Float)) / 100.0),
        "csat": case(
            (and_(eligible.c.csat.is_not(None), eligible.c.csat <= 3), (4 - eligible.c.csat) / 3.0),
            else_=0.0,
        ),
        "escalated": case((eligible.c.escalated.is_(True), 1.0), else_=0.0),
        "handle_time": case((eligible.c.handle_rank >= LONG_HANDLE_RANK, 1.0), else_=0.0),
        "dead_air": case(
            (eligible.c.silence >= bindparam("dead_air_s", type_=Float), 1.0), else_=0.0
        ),
        # 1 for an uncertain score, else how far the least confident score is from certainty:
        # confidence 50 % -> 1, 100 % -> 0; no calibrated score -> 0
        "uncertain": case(
            (eligible.c.any_uncertain == 1, 1.0),
            (eligible.c.least_conf.is_(None), 0.0),
            else_=(100.0 - cast(eligible.c.least_conf, Float)) / 50.0,
        ),
    }
    weighted = select(
        eligible.c.id,
        eligible.c.agent_id,
        hash_sql(eligible.c.id).label("h"),
        *(
            (cast(parts[k], Float) * bindparam(f"w_{k}", type_=Float)).label(f"r_{k}")
            for k, _ in RISK_SIGNALS
        ),
    ).cte("weighted")
    cols = {k: weighted.c[f"r_{k}"] for k, _ in RISK_SIGNALS}
    scored = select(
        *weighted.c,
        sum((cols[k] for k, _ in RISK_SIGNALS), literal(0.0, Float)).label("risk"),
    ).cte("scored")
    # the reason is the signal contributing most; ties go to the first in RISK_SIGNALS
    reason = case(
        (scored.c.risk <= 0, null()),
        *(
            (
                and_(
                    *(scored.c[f"r_{k}"] >= scored.c[f"r_{j}"] for j, _ in RISK_SIGNALS if j != k)
                ),
                label,
            )
            for k, label in RISK_SIGNALS
        ),
    )
    return select(
        scored.c.id,
        scored.c.agent_id,
        scored.c.h,
        scored.c.risk,
        reason.label("reason"),
    ).cte("cand")


def _plan(shape: Shape) -> Select:
    """Per agent: volume, quota, what is already sampled, and how many risk/random picks to add."""
    volume = (
        select(Interaction.agent_id, func.count().label("volume"))
        .where(*population_filter(shape))
        .group_by(Interaction.agent_id)
        .cte("volume")
    )
    have = (
        select(
            Interaction.agent_id,
            func.count().label("have"),
            func.sum(case((Sample.stratum == RISK, 1), else_=0)).label("have_risk"),
        )
        .select_from(Sample)
        .join(Interaction, Interaction.id == Sample.interaction_id)
        .outerjoin(Assignment, Assignment.sample_id == Sample.id)
        .where(*this_policy_week(), not_replaced())
        .group_by(Interaction.agent_id)
        .cte("have")
    )
    n = volume.c.volume
    # max(min, ceil(pct x volume)) capped at max and at the volume, in integer arithmetic
    by_pct = (n * bindparam("basis_points", type_=Integer) + 9999) // 10000
    lo, hi = bindparam("lo", type_=Integer), bindparam("hi", type_=Integer)
    raised = case((by_pct < lo, lo), else_=by_pct)
    capped = case((raised > hi, hi), else_=raised)
    quota = case((capped > n, n), else_=capped)
    have_n = func.coalesce(have.c.have, 0)
    have_risk = func.coalesce(have.c.have_risk, 0)
    risk_target = (quota * bindparam("share_bp", type_=Integer) + 5000) // 10000  # half up
    need_total = case((quota > have_n, quota - have_n), else_=0)
    need_risk = case((risk_target > have_risk, risk_target - have_risk), else_=0)
    return select(
        volume.c.agent_id,
        volume.c.volume,
        quota.label("quota"),
        have_n.label("have"),
        need_total.label("need_total"),
        case((need_risk > need_total, need_total), else_=need_risk).label("need_risk"),
    ).outerjoin(have, have.c.agent_id == volume.c.agent_id)


def _picks(shape: Shape) -> CompoundSelect:
    """The interactions to add: the riskiest first up to each agent's risk need, then by hash."""
    plan = _plan(shape).cte("plan")
    cand = _candidates(shape)
    risk_ranked = (
        select(
            cand.c.id,
            cand.c.agent_id,
            cand.c.reason,
            func.row_number()
            .over(partition_by=cand.c.agent_id, order_by=(cand.c.risk.desc(), cand.c.h, cand.c.id))
            .label("rr"),
        )
        .where(cand.c.risk > 0)
        .cte("risk_ranked")
    )
    risk_pick = (
        select(risk_ranked.c.id, risk_ranked.c.agent_id, risk_ranked.c.reason)
        .join(plan, plan.c.agent_id == risk_ranked.c.agent_id)
        .where(risk_ranked.c.rr <= plan.c.need_risk)
        .cte("risk_pick")
    )
    risk_count = (
        select(risk_pick.c.agent_id, func.count().label("n"))
        .group_by(risk_pick.c.agent_id)
        .cte("risk_count")
    )
    rand_ranked = (
        select(
            cand.c.id,
            cand.c.agent_id,
            func.row_number()
            .over(partition_by=cand.c.agent_id, order_by=(cand.c.h, cand.c.id))
            .label("rn"),
        )
        .where(~exists().where(risk_pick.c.id == cand.c.id))
        .cte("rand_ranked")
    )
    rand_pick = (
        select(
            rand_ranked.c.id,
            rand_ranked.c.agent_id,
            literal_column(f"'{RANDOM}'").label("stratum"),
            cast(null(), String).label("reason"),
        )
        .join(plan, plan.c.agent_id == rand_ranked.c.agent_id)
        .outerjoin(risk_count, risk_count.c.agent_id == rand_ranked.c.agent_id)
        .where(rand_ranked.c.rn <= plan.c.need_total - func.coalesce(risk_count.c.n, 0))
    )
    return select(
        risk_pick.c.id,
        risk_pick.c.agent_id,
        literal_column(f"'{RISK}'").label("stratum"),
        risk_pick.c.reason,
    ).union_all(rand_pick)


@functools.cache
def plan_statement(shape: Shape) -> Select:
    """The per-agent plan of a draw, ordered by agent."""
    return _plan(shape).order_by("agent_id")


@functools.cache
def picks_statement(shape: Shape) -> CompoundSelect:
    """The interactions a draw adds, with stratum and risk reason."""
    return _picks(shape)


@functools.cache
def replacement_statement(shape: Shape, risk: bool) -> Select:
    """The next candidate of one agent: riskiest first for the risk stratum, else by hash."""
    cand = _candidates(shape)
    query = select(cand.c.id, cand.c.reason)
    if risk:
        query = query.where(cand.c.risk > 0).order_by(cand.c.risk.desc(), cand.c.h, cand.c.id)
    else:
        query = query.order_by(cand.c.h, cand.c.id)
    return query.limit(1)
