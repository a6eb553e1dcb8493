"""Closed days of the dashboard, stored: a year of a team reads ~365 rows instead of scanning
its interactions (bench/load.py measured the 52-week team dashboard at 1.4 s before).

The protocol is safe with concurrent writers on SQLite and PostgreSQL:

- **Invalidate.** Each flush that changes an interaction (its team, day, agent or KPI fields),
  an AutoQA score, a submitted review (status, score), a submitted review's answers or a
  dispute notes the (team, day) keys involved; just before the outermost commit they are
  cleared in one statement, rows in sorted order (`payload` NULL, `generation` + 1). So a
  writer locks its rows for an instant, and two writers lock them in the same order (no
  deadlock, however many flushes or savepoints each made). Drafts, comments and
  acknowledgements clear nothing. Criteria need no clearing: the published criteria are part
  of the payload's spec, as are the AutoQA keys and SLA thresholds.
- **Fill.** A reader notes each row's generation *before* it computes the missing days from
  the interactions, then stores a payload only where the generation is still the one it
  noted (INSERT ... ON CONFLICT DO NOTHING when there was no row). A writer that committed
  in between bumped the generation, so a payload computed from older data is never stored.
- Fills never wait long and never fail the page: on PostgreSQL one autocommit statement per
  row with a 200 ms lock timeout (a reader never holds one lock while waiting for another),
  on SQLite one short transaction with a 100 ms busy timeout; anything else just means the
  days are shown but not kept. A transaction with uncommitted changes of its own computes the
  days it changed and keeps nothing.

Only days before yesterday (UTC) are stored, and writes to today or later clear nothing: rows
for the busy days are neither written nor locked by every ingest and scoring job. The day in
between means a writer would need a transaction open for a whole day to race a fill.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any

from flask_babel import gettext
from sqlalchemy import Connection, bindparam, event, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import InstanceState, Session
from sqlalchemy.pool import StaticPool

from ..extensions import db
from ..models import (
    Answer,
    AutoScore,
    Criterion,
    DashboardDay,
    Dispute,
    Interaction,
    Review,
    ReviewStatus,
    ScorecardVersion,
    Team,
    utcnow,
)
from .dashboard_days import Cell, Grid, Period, autoqa_keys, day_cells, day_totals, scope

STORE_AFTER_DAYS = 2  # today and yesterday are always computed
SCHEMA = 2  # bump when Cell's stored shape changes: older payloads are then recomputed
# Interaction columns the dashboard reads: a change to any of them invalidates the day
_FIELDS = (
    "team_id", "started_at", "agent_id", "channel", "csat", "resolved_first_contact",
    "duration_seconds", "first_response_seconds", "escalated", "wait_seconds",
)  # fmt: skip
log = logging.getLogger(__name__)
_PENDING = "dashboard_cache_pending"  # session.info: (team, day) keys to clear at commit
_REVIEW_FIELDS = ("status", "score", "interaction_id")


def spec_of(keys: Sequence[str], thresholds: Mapping[str, int]) -> str:
    """What a payload is computed under: the AutoQA keys, the SLA thresholds and the published
    scorecards' criteria (their names, keys and scales are folded into the sums). A payload
    with another spec is recomputed, so renaming a criterion needs no clearing (and no race)."""
    criteria = db.session.execute(
        select(
            Criterion.id,
            Criterion.name,
            Criterion.autoqa_key,
            Criterion.scale_min,
            Criterion.scale_max,
        )
        .join(ScorecardVersion, ScorecardVersion.id == Criterion.version_id)
        .where(ScorecardVersion.published_at.is_not(None))
        .order_by(Criterion.id)
    ).all()
    raw = json.dumps(
        [SCHEMA, list(keys), sorted(thresholds.items()), [list(c) for c in criteria]],
        default=str,
    )
    return hashlib.sha1(raw.encode()).hexdigest()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days folded into (first, last) runs."""
    out: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if out and d == out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


Totals = dict[tuple[int, date], Cell]  # (team, day) -> the day's total


def _decode(team_id: int, day: date, payload: str, grid: Grid, totals: Totals) -> None:
    data = json.loads(payload)
    totals[(team_id, day)] = Cell.from_json(data["t"])
    for agent, cell in data["a"].items():
        grid[(team_id, day, int(agent))] = Cell.from_json(cell)


def _encode(agents: Mapping[int, Cell], total: Cell | None) -> str:
    return json.dumps(
        {
            "t": (total or Cell()).to_json(),
            "a": {str(a): c.to_json(slim=True) for a, c in agents.items()},
        },
        separators=(",", ":"),
    )


def team_days(
    team_ids: Sequence[int],
    period: Period,
    keys: Sequence[str],
    thresholds: Mapping[str, int],
) -> tuple[Grid, Totals]:
    """The period's (team, day, agent) cells and (team, day) totals: stored closed days, the
    rest computed. Stored agent cells are slim (Cell.to_json): the totals carry the rest."""
    teams = sorted(set(team_ids))
    today = utcnow().date()
    closed_last = min(period.end, today - timedelta(days=STORE_AFTER_DAYS))
    spec = spec_of(keys, thresholds)
    grid: Grid = {}
    totals: Totals = {}
    noted: dict[tuple[int, date], int | None] = {}  # missing (team, day) -> generation seen
    if teams and period.start <= closed_last:
        stored = {
            (t, d): (generation, row_spec, payload)
            for t, d, generation, row_spec, payload in db.session.execute(
                select(
                    DashboardDay.team_id,
                    DashboardDay.day,
                    DashboardDay.generation,
                    DashboardDay.spec,
                    DashboardDay.payload,
                ).where(
                    DashboardDay.team_id.in_(teams),
                    DashboardDay.day >= period.start,
                    DashboardDay.day <= closed_last,
                )
            )
        }
        pending = db.session.info.get(_PENDING, set())  # changed by this open transaction
        for t in teams:
            for d in _days(period.start, closed_last):
                generation, row_spec, payload = stored.get((t, d), (None, None, None))
                if payload is not None and row_spec == spec and (t, d) not in pending:
                    _decode(t, d, payload, grid, totals)
                else:
                    noted[(t, d)] = generation
        for first, last in _runs(d for _t, d in noted):
            run_teams = sorted({t for t, d in noted if first <= d <= last})
            computed = day_cells(scope(run_teams, Period(first, last)), keys, thresholds)
            computed_totals = day_totals(computed)
            grid.update((k, c) for k, c in computed.items() if (k[0], k[1]) in noted)
            totals.update((k, c) for k, c in computed_totals.items() if k in noted)
            run = {k: g for k, g in noted.items() if first <= k[1] <= last}
            _store(computed, computed_totals, run, spec)
    open_first = max(period.start, closed_last + timedelta(days=1))
    if teams and open_first <= period.end:
        recent = day_cells(scope(teams, Period(open_first, period.end)), keys, thresholds)
        grid.update(recent)
        totals.update(day_totals(recent))
    return grid, totals


def _insert(conn: Any):  # type: ignore[no-untyped-def]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(DashboardDay)


def _store(
    grid: Grid, totals: Totals, noted: Mapping[tuple[int, date], int | None], spec: str
) -> None:
    """Keep the computed days whose generation is still the one noted before computing.

    Never waits long and never fails the page: a row a writer holds, or a busy SQLite file,
    just means the day is not kept this time.
    """
    session = db.session
    if not noted or (session.info.get(_PENDING) and not _shared_connection()):
        return  # this transaction has its own uncommitted changes: show them, keep nothing
    by_day: dict[tuple[int, date], dict[int, Cell]] = {}
    for (t, d, a), c in grid.items():
        by_day.setdefault((t, d), {})[a] = c
    rows = []
    for (t, d), generation in sorted(noted.items()):
        payload = _encode(by_day.get((t, d), {}), totals.get((t, d)))
        rows.append({"t": t, "d": d, "spec": spec, "payload": payload, "g": generation})
    try:
        _write(rows, _writer(session.connection()))
    except SQLAlchemyError as exc:  # busy, pool exhausted, server gone: shown, just not kept
        log.warning("dashboard days not stored: %s", exc)


def _writer(conn: Connection) -> Callable[[Connection, dict], None]:
    """Stores one row: inserted when there was none, else updated if its generation is still
    the noted one."""
    insert_row = (
        _insert(conn)
        .values(
            team_id=bindparam("t"),
            day=bindparam("d"),
            generation=1,
            spec=bindparam("spec"),
            payload=bindparam("payload"),
        )
        .on_conflict_do_nothing(index_elements=["team_id", "day"])
    )
    update_row = (
        update(DashboardDay)
        .where(
            DashboardDay.team_id == bindparam("t"),
            DashboardDay.day == bindparam("d"),
            DashboardDay.generation == bindparam("g"),
        )
        .values(spec=bindparam("spec"), payload=bindparam("payload"))
        .execution_options(synchronize_session=False)
    )

    def write(conn: Connection, row: dict) -> None:
        conn.execute(insert_row if row["g"] is None else update_row, row)

    return write


def _write(rows: list[dict], write: Callable[[Connection, dict], None]) -> None:
    if _shared_connection():  # in-memory SQLite (tests): the session's own connection
        for row in rows:
            write(db.session.connection(), row)
    elif db.engine.dialect.name == "postgresql":
        # one autocommit statement per row, each giving up after 200 ms on a row lock: the
        # reader never holds one lock while waiting for another (no deadlock)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("SET lock_timeout = '200ms'")
            for row in rows:
                try:
                    write(conn, row)
                except OperationalError:
                    log.info("dashboard day %s/%s busy: not stored", row["t"], row["d"])
            conn.exec_driver_sql("RESET lock_timeout")
    else:
        raw = db.session.connection().connection.dbapi_connection
        if getattr(raw, "in_transaction", False):  # this session holds the write lock
            return
        # SQLite: one short transaction for all the rows, giving up after 100 ms if the
        # file is busy (a whole year is one commit, not 365)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout = 100")
            try:
                with conn.begin():
                    for row in rows:
                        write(conn, row)
            finally:
                conn.exec_driver_sql("PRAGMA busy_timeout = 5000")


def _shared_connection() -> bool:
    """One in-memory SQLite connection shared by everything (tests): fills go through it."""
    return isinstance(db.engine.pool, StaticPool)


def refresh(days: int, thresholds: Mapping[str, int]) -> dict[str, int]:
    """Store every team's closed days of the last `days` days that aren't stored yet (what a
    nightly job runs so the first lead of the morning doesn't pay for them); a team at a time.
    """
    if days < 1:
        raise ValueError(gettext("days must be at least 1"))
    today = utcnow().date()
    period = Period(today - timedelta(days=days), today - timedelta(days=STORE_AFTER_DAYS))
    keys = autoqa_keys()
    spec = spec_of(keys, thresholds)
    teams = list(db.session.scalars(select(Team.id).order_by(Team.id)))
    before = _kept(spec)
    for team_id in teams:
        team_days([team_id], period, keys, thresholds)
        db.session.commit()  # ends the snapshot (in-memory SQLite: keeps the fills)
    return {"teams": len(teams), "stored": _kept(spec) - before}


def _kept(spec: str) -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(DashboardDay).where(DashboardDay.spec == spec)
        )
        or 0
    )


# --- invalidation -------------------------------------------------------------------------------


def _as_day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _interaction_keys(obj: Interaction, dirty: bool) -> set[tuple[int, date]]:
    """The (team, day) keys an interaction counted in before and after this flush (none when
    a dirty interaction changed nothing the dashboard reads)."""
    state: InstanceState[Any] = inspect(obj)
    histories = {name: state.attrs[name].history for name in _FIELDS}
    if dirty and not any(h.has_changes() for h in histories.values()):
        return set()
    teams = {obj.team_id, *histories["team_id"].deleted}
    days = {_as_day(obj.started_at), *(_as_day(v) for v in histories["started_at"].deleted)}
    return {(t, d) for t in teams for d in days if t is not None and d is not None}


def invalidate(session: Session, keys: Iterable[tuple[int, date]]) -> None:
    """Clear the stored (team, day) rows, in the session's transaction: one statement, rows in
    sorted order, so two writers lock them in the same order (see the module doc)."""
    today = utcnow().date()
    rows = [{"team_id": t, "day": d, "generation": 1} for t, d in sorted(set(keys)) if d < today]
    if not rows:
        return
    conn = session.connection()
    stmt = _insert(conn).values(rows)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["team_id", "day"],
            set_={
                "generation": DashboardDay.generation + 1,
                "payload": None,
                "spec": None,
            },
        )
    )


def _counts(obj: Review, dirty: bool) -> bool:
    """Whether a review change can move the figures: submitted reviews (or ones that were),
    and for a changed one only its status, score or interaction (not drafts, comments or
    acknowledgements)."""
    state: InstanceState[Any] = inspect(obj)
    status = state.attrs.status.history
    if ReviewStatus.SUBMITTED not in (obj.status, *status.deleted):
        return False
    if not dirty:
        return True
    return any(state.attrs[name].history.has_changes() for name in _REVIEW_FIELDS)


# Child rows and (parent column, parent relationship): a row moved to another parent changes
# the day it leaves as well as the day it joins.
_PARENT: dict[type, tuple[str, str]] = {
    AutoScore: ("interaction_id", "interaction"),
    Review: ("interaction_id", "interaction"),
    Answer: ("review_id", "review"),
    Dispute: ("review_id", "review"),
}
_LEFT = "dashboard_cache_left"  # session.info: {class: parent ids rows moved away from}


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    """Note the parents that moved rows leave, read from the database before the flush (the old
    value is usually not loaded, so attribute history does not have it)."""
    moved: dict[type, list[int]] = {}
    for obj in session.dirty:
        attrs = _PARENT.get(type(obj))
        if attrs is None or obj.id is None:
            continue
        state: InstanceState[Any] = inspect(obj)
        if any(state.attrs[a].history.has_changes() for a in attrs):
            moved.setdefault(type(obj), []).append(obj.id)
    if not moved:
        return
    conn = session.connection()
    for cls, ids in moved.items():
        column = getattr(cls, _PARENT[cls][0])
        row_id = cls.id  # type: ignore[attr-defined]
        left = set(conn.scalars(select(column).where(row_id.in_(ids), column.is_not(None))))
        session.info.setdefault(_LEFT, {}).setdefault(cls, set()).update(left)


def _after_flush(session: Session, _context: object) -> None:
    """Collect the (team, day) keys this flush changed; they are cleared at commit."""
    keys, interaction_ids, answer_review_ids, dispute_review_ids = _touched(session)
    left = session.info.pop(_LEFT, {})
    interaction_ids |= left.get(AutoScore, set()) | left.get(Review, set())
    answer_review_ids |= left.get(Answer, set())
    dispute_review_ids |= left.get(Dispute, set())
    if not (keys or interaction_ids or answer_review_ids or dispute_review_ids):
        return
    conn = session.connection()
    if answer_review_ids or dispute_review_ids:
        # a draft's answers count for nothing until it is submitted (then the review counts)
        interaction_ids |= set(
            conn.scalars(
                select(Review.interaction_id).where(
                    (Review.id.in_(answer_review_ids) & (Review.status == ReviewStatus.SUBMITTED))
                    | Review.id.in_(dispute_review_ids)
                )
            )
        )
    keys |= _interaction_days(conn, interaction_ids)
    today = utcnow().date()
    keys = {(t, d) for t, d in keys if d < today}  # never stored: nothing to clear or skip
    if keys:
        session.info.setdefault(_PENDING, set()).update(keys)


def _touched(session: Session) -> tuple[set[tuple[int, date]], set[int], set[int], set[int]]:
    """What the flushed objects touch: (team, day) keys of interactions, and the ids of the
    interactions (AutoQA scores, counted reviews), reviews (answers) and disputed reviews."""
    keys: set[tuple[int, date]] = set()
    interaction_ids: set[int] = set()
    answer_review_ids: set[int] = set()
    dispute_review_ids: set[int] = set()
    dirty = set(map(id, session.dirty))
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Interaction):
            keys |= _interaction_keys(obj, id(obj) in dirty)
        elif isinstance(obj, AutoScore) or (
            isinstance(obj, Review) and _counts(obj, id(obj) in dirty)
        ):
            if obj.interaction_id is not None:
                interaction_ids.add(obj.interaction_id)
        elif isinstance(obj, Answer) and obj.review_id is not None:
            answer_review_ids.add(obj.review_id)
        elif isinstance(obj, Dispute) and obj.review_id is not None:
            dispute_review_ids.add(obj.review_id)
    return keys, interaction_ids, answer_review_ids, dispute_review_ids


def _interaction_days(conn: Connection, interaction_ids: set[int]) -> set[tuple[int, date]]:
    """The (team, day) keys of the interactions, read from the database."""
    if not interaction_ids:
        return set()
    keys = set()
    for t, started in conn.execute(
        select(Interaction.team_id, Interaction.started_at).where(
            Interaction.id.in_(interaction_ids), Interaction.team_id.is_not(None)
        )
    ):
        if (d := _as_day(started)) is not None:
            keys.add((t, d))
    return keys


def _before_commit(session: Session) -> None:
    """Clear the collected days once, just before the outermost commit (savepoints wait)."""
    if session.in_nested_transaction():
        return
    session.flush()  # commit flushes after this hook: its after_flush adds the last keys now
    if keys := session.info.pop(_PENDING, None):
        invalidate(session, keys)


def _clean(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended (commit or rollback)
        session.info.pop(_PENDING, None)
        session.info.pop(_LEFT, None)  # left over by a flush that failed


# Every session's events (the app's, the CLI's and the jobs' sessions alike).
_LISTENERS = (
    ("before_flush", _before_flush),
    ("after_flush", _after_flush),
    ("before_commit", _before_commit),
    ("after_transaction_end", _clean),
)


def register() -> None:
    """Clear the stored days on writes from now on (create_app calls this; a second call
    changes nothing)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def unregister() -> None:
    """Stop clearing the stored days on writes (what register() started)."""
    for name, listener in _LISTENERS:
        if event.contains(Session, name, listener):
            event.remove(Session, name, listener)


__all__ = [
    "SCHEMA",
    "STORE_AFTER_DAYS",
    "invalidate",
    "refresh",
    "register",
    "spec_of",
    "team_days",
    "unregister",
]
