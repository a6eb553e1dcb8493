"""Weekly sampling: stratified per agent, part risk-based, part random, deterministic and idempotent.

Everything that grows with the interaction table runs in SQL: the week's population, the per-agent
quotas, the risk score and the picks are one query of CTEs and window functions, evaluated the
same way by SQLite (>= 3.25) and PostgreSQL. Python only sees the picks (bounded by the sample size)
and the reviewers, so memory stays flat however many interactions are stored.

The random order is an integer hash of (interaction id, policy, seed, ISO week) computed in SQL
modulo a prime, with every intermediate value below 2**62, so both databases give the same order,
the same inputs pick the same interactions, and a re-run only adds what is missing.
"""

from __future__ import annotations

import functools
import math
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
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
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.sql import ColumnElement, Select

from ..extensions import db
from ..models import (
    Assignment,
    AssignmentStatus,
    AutoScore,
    Channel,
    Interaction,
    Review,
    ReviewStatus,
    Role,
    Sample,
    SamplingPolicy,
    Segment,
    Status,
    Transcript,
    User,
    utcnow,
)
from . import audit

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
RANDOM, RISK = "random", "risk"
STRATA = (RISK, RANDOM)
# Text is available: a reviewer can work on it. Pending, transcribing and failed calls cannot.
SAMPLEABLE = (Status.TRANSCRIBED, Status.SCORED)
# The top decile of handle time in the week counts as "long".
LONG_HANDLE_RANK = 0.9

# Hash constants: a Mersenne prime modulus and multipliers below 2**31, so that x * m < 2**62.
_P = 2_147_483_647
_A = 1_103_515_245
_D = 1_664_525_013 % _P

# (key on the policy, label stored as risk_reason), in tie-break order.
RISK_SIGNALS = (
    ("csat", "low CSAT"),
    ("escalated", "escalated"),
    ("autoqa", "low AutoQA"),
    ("handle_time", "long handle time"),
)


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

    @property
    def missing(self) -> int:
        """Quota left unfilled because the agent had too few eligible interactions."""
        return max(0, self.quota - self.already - self.added_random - self.added_risk)


@dataclass
class DrawReport:
    policy_id: int
    week: str
    dry_run: bool = False
    agents: list[AgentDraw] = field(default_factory=list)
    assigned: int = 0
    unassigned: int = 0

    @property
    def added(self) -> int:
        return sum(a.added_random + a.added_risk for a in self.agents)

    @property
    def added_risk(self) -> int:
        return sum(a.added_risk for a in self.agents)

    @property
    def added_random(self) -> int:
        return sum(a.added_random for a in self.agents)


# --- weeks ----------------------------------------------------------------------------------


def parse_week(week: str) -> tuple[datetime, datetime]:
    """Start (Monday 00:00) and end of an ISO week like 2026-W47."""
    match = WEEK_RE.match((week or "").strip())
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


def _week_number(week: str) -> int:
    parse_week(week)
    return int(week[:4]) * 100 + int(week[-2:])


# --- the deterministic hash -----------------------------------------------------------------


def _salts(policy_id: int, seed: int, week: str) -> tuple[int, int]:
    n = _week_number(week)
    salt = (policy_id * 73_856_093 + seed * 19_349_663 + n * 83_492_791) % _P
    return salt, (salt * 2_654_435_761 + 97) % _P


def rank_key(interaction_id: int, policy_id: int, seed: int, week: str) -> int:
    """Python twin of `_hash_sql`: the position of an interaction in the week's random order."""
    salt, salt2 = _salts(policy_id, seed, week)
    x = (interaction_id * _A + salt) % _P
    y = (x * x) % _P  # squaring makes the map non-linear in the id
    return (y * _D + x + salt2) % _P


def _hash_sql(id_col: ColumnElement[int]) -> ColumnElement:
    """`rank_key` in SQL, in BIGINT on both dialects; the salts are the bind parameters salt, salt2."""
    p, a, d = (literal_column(str(v)) for v in (_P, _A, _D))
    x = (cast(id_col, BigInteger) * a + bindparam("salt", type_=BigInteger)) % p
    y = (x * x) % p
    return (y * d + x + bindparam("salt2", type_=BigInteger)) % p


def _rank(policy: SamplingPolicy, week: str, interaction_id: int) -> int:
    return rank_key(interaction_id, policy.id, policy.seed or 0, week)


# --- the statements -----------------------------------------------------------------------
#
# Every statement is built once per policy shape (which optional filters it uses) with named
# bind parameters, and cached: building and compiling these CTEs costs more than running them,
# so a draw over many policies and weeks reuses one compiled statement.


@dataclass(frozen=True)
class _Shape:
    channels: bool = False
    min_duration: bool = False
    min_turns: bool = False
    agent: bool = False  # restricted to one agent (replacement)


def _shape(policy: SamplingPolicy, agent: bool = False) -> _Shape:
    return _Shape(
        bool(policy.channels), bool(policy.min_duration_seconds), bool(policy.min_turns), agent
    )


def _weights(policy: SamplingPolicy) -> dict[str, float]:
    return {
        "autoqa": float(policy.risk_weight_autoqa or 0),
        "csat": float(policy.risk_weight_csat or 0),
        "escalated": float(policy.risk_weight_escalated or 0),
        "handle_time": float(policy.risk_weight_handle_time or 0),
    }


def _params(policy: SamplingPolicy, week: str, agent_id: int | None = None) -> dict[str, Any]:
    """Values for the bind parameters of the cached statements."""
    start, end = parse_week(week)
    salt, salt2 = _salts(policy.id, policy.seed or 0, week)
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
    return params


def _population_filter(shape: _Shape) -> list[ColumnElement[bool]]:
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
    return conditions


def _this_policy_week() -> list[ColumnElement[bool]]:
    return [
        Sample.policy_id == bindparam("policy_id", type_=Integer),
        Sample.week == bindparam("week", type_=String),
    ]


def _not_replaced() -> ColumnElement[bool]:
    return or_(Assignment.id.is_(None), Assignment.status != AssignmentStatus.REPLACED)


def _materialized(cte: Any) -> Any:
    """Evaluate a CTE once: both databases otherwise inline a CTE used once, and then repeat its
    correlated subqueries in every expression that mentions the column (measured: 10x slower)."""
    cte = cte.prefix_with("MATERIALIZED", dialect="postgresql")
    if sqlite3.sqlite_version_info >= (3, 35, 0):
        cte = cte.prefix_with("MATERIALIZED", dialect="sqlite")
    return cte


def _candidates(shape: _Shape) -> Any:
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
        .where(*_population_filter(shape))
        .cte("pop")
    )
    mean_autoqa = (
        select(func.avg(AutoScore.value))
        .where(AutoScore.interaction_id == pop.c.id)
        .scalar_subquery()
    )
    reviewed = exists().where(Review.interaction_id == pop.c.id)
    sampled = exists().where(Sample.interaction_id == pop.c.id)
    # candidates first, so the AutoQA mean is looked up once and only for them
    eligible = _materialized(
        select(*pop.c, mean_autoqa.label("aqs"))
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
    }
    weighted = select(
        eligible.c.id,
        eligible.c.agent_id,
        _hash_sql(eligible.c.id).label("h"),
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


def _plan_statement(shape: _Shape) -> Select:
    """Per agent: volume, quota, what is already sampled, and how many risk/random picks to add."""
    volume = (
        select(Interaction.agent_id, func.count().label("volume"))
        .where(*_population_filter(shape))
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
        .where(*_this_policy_week(), _not_replaced())
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


def _picks_statement(shape: _Shape) -> Select:
    """The interactions to add: the riskiest first up to each agent's risk need, then by hash."""
    plan = _plan_statement(shape).cte("plan")
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


def _replacement_statement(shape: _Shape, risk: bool) -> Select:
    """The next candidate of one agent: riskiest first for the risk stratum, else by hash."""
    cand = _candidates(shape)
    query = select(cand.c.id, cand.c.reason)
    if risk:
        query = query.where(cand.c.risk > 0).order_by(cand.c.risk.desc(), cand.c.h, cand.c.id)
    else:
        query = query.order_by(cand.c.h, cand.c.id)
    return query.limit(1)


@functools.cache
def _statement(kind: str, shape: _Shape) -> Any:
    if kind == "plan":
        return _plan_statement(shape).order_by("agent_id")
    if kind == "picks":
        return _picks_statement(shape)
    return _replacement_statement(shape, risk=kind == "replace_risk")


# --- the draw -------------------------------------------------------------------------------


def preview(policy: SamplingPolicy, week: str) -> DrawReport:
    """What a draw would add, per agent and stratum, without changing anything."""
    return draw(policy, week, dry_run=True)


def draw(
    policy: SamplingPolicy, week: str, *, actor: User | None = None, dry_run: bool = False
) -> DrawReport:
    """Sample the week's interactions of the policy's team per agent, then assign reviewers.

    Two draws of one policy at once (the scheduler and a lead's button) do not fail: on
    PostgreSQL the second waits on the policy's row lock, then sees the first's picks and only
    tops up; where rows cannot be locked (SQLite) a draw that collides with a committed one
    is rolled back and run again, which then finds the picks already there.
    """
    parse_week(week)
    if dry_run:
        return _draw_once(policy, week, actor=actor, dry_run=True)
    for attempt in range(_DRAW_ATTEMPTS):
        try:
            db.session.execute(
                select(SamplingPolicy.id).where(SamplingPolicy.id == policy.id).with_for_update()
            )
            return _draw_once(policy, week, actor=actor, dry_run=False)
        except (IntegrityError, OperationalError):
            db.session.rollback()
            if attempt == _DRAW_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


_DRAW_ATTEMPTS = 3


def _draw_once(
    policy: SamplingPolicy, week: str, *, actor: User | None, dry_run: bool
) -> DrawReport:
    report = DrawReport(policy_id=policy.id, week=week, dry_run=dry_run)
    agents: dict[int, AgentDraw] = {}
    shape, params = _shape(policy), _params(policy, week)
    for row in db.session.execute(_statement("plan", shape), params):
        agents[row.agent_id] = AgentDraw(
            agent_id=row.agent_id, volume=row.volume, quota=row.quota, already=row.have
        )
    report.agents = list(agents.values())
    picks = db.session.execute(_statement("picks", shape), params).all()
    for pick in picks:
        entry = agents[pick.agent_id]
        if pick.stratum == RISK:
            entry.added_risk += 1
        else:
            entry.added_random += 1
    if dry_run:
        return report
    if picks:
        db.session.execute(
            insert(Sample),
            [
                {
                    "policy_id": policy.id,
                    "week": week,
                    "interaction_id": p.id,
                    "stratum": p.stratum,
                    "risk_reason": p.reason,
                    "created_at": utcnow(),
                }
                for p in picks
            ],
        )
    report.assigned, report.unassigned = assign(policy, week)
    audit.record(
        actor,
        "sample.drawn",
        policy,
        week=week,
        added=report.added,
        risk=report.added_risk,
        random=report.added_random,
        assigned=report.assigned,
        unassigned=report.unassigned,
    )
    db.session.commit()
    return report


# --- assignment -----------------------------------------------------------------------------


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
    pending.sort(key=lambda s: _rank(policy, week, s.interaction_id))
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for sample in pending:
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


# --- replacement ----------------------------------------------------------------------------


def replace(assignment: Assignment, reason: str, *, actor: User | None = None) -> Assignment | None:
    """Swap an assigned interaction for the next one of the same agent and stratum.

    The old assignment is marked replaced with the reason; the replacement goes to the same
    reviewer. Returns the new assignment, or None when the agent has nothing left to offer
    (the old one is still released). The caller commits.
    """
    reason = (reason or "").strip()
    if not reason:
        raise SamplingError("give a reason for replacing the interaction")
    if assignment.status != AssignmentStatus.ASSIGNED:
        raise SamplingError(f"this assignment is already {assignment.status.value}")
    if db.session.scalar(
        select(Review.id).where(
            Review.interaction_id == assignment.interaction_id,
            Review.status == ReviewStatus.SUBMITTED,
        )
    ):
        raise SamplingError("this interaction is already reviewed")
    sample = assignment.sample
    policy = sample.policy
    agent_id = assignment.interaction.agent_id
    assignment.status = AssignmentStatus.REPLACED
    assignment.replaced_reason = reason[:2000]
    kind = "replace_risk" if sample.stratum == RISK else "replace_random"
    row = db.session.execute(
        _statement(kind, _shape(policy, agent=True)),
        _params(policy, sample.week, agent_id=agent_id),
    ).first()
    new: Assignment | None = None
    if row is not None:
        new_sample = Sample(
            policy_id=policy.id,
            week=sample.week,
            interaction_id=row.id,
            stratum=sample.stratum,
            risk_reason=row.reason if sample.stratum == RISK else None,
        )
        new = Assignment(
            sample=new_sample, interaction_id=row.id, reviewer_id=assignment.reviewer_id
        )
        db.session.add_all([new_sample, new])
        db.session.flush()
    audit.record(
        actor,
        "sample.replaced",
        assignment,
        reason=reason,
        week=sample.week,
        stratum=sample.stratum,
        interaction_id=assignment.interaction_id,
        replacement_interaction_id=row.id if row is not None else None,
    )
    return new


# --- coverage -------------------------------------------------------------------------------

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
        return (
            self.margin is not None and self.reviewed >= MIN_REVIEWS and self.margin <= MAX_MARGIN
        )


def coverage(policy: SamplingPolicy, week: str) -> list[AgentCoverage]:
    """Per agent of the team: volume, sampled, reviewed, mean review score and its margin of error."""
    params = _params(policy, week)
    population = _population_filter(_shape(policy))
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
        .where(*_this_policy_week(), _not_replaced())
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


# --- policies -------------------------------------------------------------------------------

POLICY_FIELDS = (
    "name",
    "percentage",
    "min_per_agent",
    "max_per_agent",
    "risk_share",
    "risk_weight_autoqa",
    "risk_weight_csat",
    "risk_weight_escalated",
    "risk_weight_handle_time",
    "channels",
    "min_duration_seconds",
    "min_turns",
    "exclude_own_team",
    "seed",
    "active",
)


def validate_policy_values(values: dict[str, Any]) -> None:
    """Refuse settings that cannot describe a sample, with one clear message."""
    pct = values.get("percentage")
    if pct is not None and not 0 < float(pct) <= 100:
        raise SamplingError("percentage must be above 0 and at most 100")
    lo, hi = values.get("min_per_agent"), values.get("max_per_agent")
    if lo is not None and lo < 0:
        raise SamplingError("minimum per agent cannot be negative")
    if lo is not None and hi is not None and hi < lo:
        raise SamplingError("maximum per agent must be at least the minimum")
    share = values.get("risk_share")
    if share is not None and not 0 <= float(share) <= 1:
        raise SamplingError("risk share must be between 0 and 1")
    for key, _ in RISK_SIGNALS:
        weight = values.get(f"risk_weight_{key}")
        if weight is not None and float(weight) < 0:
            raise SamplingError("risk weights cannot be negative")
    if share and all(not values.get(f"risk_weight_{k}") for k, _ in RISK_SIGNALS):
        raise SamplingError("a risk share needs at least one risk signal with a weight above 0")
    for channel in values.get("channels") or []:
        if channel not in {c.value for c in Channel}:
            raise SamplingError(f"unknown channel {channel!r}")


def save_policy(
    policy: SamplingPolicy | None, team_id: int, values: dict[str, Any], *, actor: User | None
) -> SamplingPolicy:
    """Create or update a team's policy from plain values; audited, the caller commits."""
    values = {k: v for k, v in values.items() if k in POLICY_FIELDS}
    created = policy is None
    if policy is None:
        policy = SamplingPolicy(team_id=team_id)
        defaults = {
            "percentage": 5.0,
            "min_per_agent": 2,
            "max_per_agent": 10,
            "risk_share": 0.5,
            "risk_weight_autoqa": 1.0,
            "risk_weight_csat": 1.0,
            "risk_weight_escalated": 0.8,
            "risk_weight_handle_time": 0.5,
            "channels": [],
            "exclude_own_team": False,
            "seed": 0,
            "active": True,
        }
        values = defaults | values
    else:
        current = {k: getattr(policy, k) for k in POLICY_FIELDS}
        values = current | values
    if not (values.get("name") or "").strip():
        raise SamplingError("a policy needs a name")
    validate_policy_values(values)
    before = {k: getattr(policy, k) for k in POLICY_FIELDS} if not created else {}
    for key, value in values.items():
        setattr(policy, key, value)
    policy.team_id = team_id
    db.session.add(policy)
    db.session.flush()
    changed = {k: values[k] for k in values if before.get(k) != values[k]}
    audit.record(
        actor,
        "sampling_policy.created" if created else "sampling_policy.updated",
        policy,
        **{k: v for k, v in changed.items() if k != "channels"},
        channels=list(values.get("channels") or []),
    )
    return policy


def active_policies(team_id: int | None = None) -> list[SamplingPolicy]:
    query = (
        select(SamplingPolicy).where(SamplingPolicy.active.is_(True)).order_by(SamplingPolicy.id)
    )
    if team_id is not None:
        query = query.where(SamplingPolicy.team_id == team_id)
    return list(db.session.scalars(query))


__all__ = [
    "AgentCoverage",
    "AgentDraw",
    "DrawReport",
    "SamplingError",
    "active_policies",
    "assign",
    "coverage",
    "draw",
    "last_week",
    "margin_of_error",
    "parse_week",
    "preview",
    "rank_key",
    "replace",
    "save_policy",
    "week_of",
]
