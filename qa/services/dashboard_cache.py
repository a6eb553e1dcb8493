"""Closed days of the dashboard, stored: a year of a team reads ~365 rows instead of scanning
its interactions (bench/load.py measured the 52-week team dashboard at 1.4 s before).

The protocol is safe with concurrent writers on SQLite and PostgreSQL:

- **Invalidate.** A flush that changes an interaction (its team, day, agent or KPI fields), an
  AutoQA score, a review, an answer or a dispute upserts the (team, day) rows of the
  interactions involved with `payload` NULL and `generation` + 1, in the writer's own
  transaction. Changing a criterion clears every row (its name and AutoQA key are in them).
- **Fill.** A reader notes each row's generation *before* it computes the missing days from
  the interactions, then stores a payload only where the generation is still the one it
  noted (INSERT ... ON CONFLICT DO NOTHING when there was no row). A writer that committed
  in between bumped the generation, so a payload computed from older data is never stored.
- Fills run on their own autocommit connection, one short statement per row, so a reader
  never holds a lock a writer waits for. A session that invalidated rows in its still-open
  transaction doesn't fill (it would wait for its own lock); it just computes.

Only days before yesterday (UTC) are stored, and writes to today or later clear nothing: rows
for the busy days are neither written nor locked by every ingest and scoring job. The day in
between means a writer would need a transaction open for a whole day to race a fill.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any

from sqlalchemy import Connection, bindparam, event, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
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
    utcnow,
)
from .dashboard import Cell, Grid, Period, day_cells, day_totals, scope

STORE_AFTER_DAYS = 2  # today and yesterday are always computed
SCHEMA = 2  # bump when Cell's stored shape changes: older payloads are then recomputed
# Interaction columns the dashboard reads: a change to any of them invalidates the day
_FIELDS = (
    "team_id", "started_at", "agent_id", "channel", "csat", "resolved_first_contact",
    "duration_seconds", "first_response_seconds", "escalated", "wait_seconds",
)  # fmt: skip
log = logging.getLogger(__name__)
_DIRTY = "dashboard_cache_dirty"  # session.info flag: this transaction invalidated rows


def spec_of(keys: Sequence[str], thresholds: Mapping[str, int]) -> str:
    """What a payload was computed under; a payload with another spec is recomputed."""
    raw = json.dumps([SCHEMA, list(keys), sorted(thresholds.items())])
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
        for t in teams:
            for d in _days(period.start, closed_last):
                generation, row_spec, payload = stored.get((t, d), (None, None, None))
                if payload is not None and row_spec == spec:
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


def _fill_connection() -> AbstractContextManager[Connection] | None:
    """Where fills are written, or None when they can't be stored now (see the module doc)."""
    if isinstance(db.engine.pool, StaticPool):  # one shared in-memory SQLite connection (tests)
        return nullcontext(db.session.connection())
    if db.session.info.get(_DIRTY):
        return None
    if db.engine.dialect.name == "sqlite":
        raw = db.session.connection().connection.dbapi_connection
        if getattr(raw, "in_transaction", False):  # this session holds SQLite's write lock
            return None
    return db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _store(
    grid: Grid, totals: Totals, noted: Mapping[tuple[int, date], int | None], spec: str
) -> None:
    """Keep the computed days whose generation is still the one noted before computing."""
    target = _fill_connection() if noted else None
    if target is None:
        return
    by_day: dict[tuple[int, date], dict[int, Cell]] = {}
    for (t, d, a), c in grid.items():
        by_day.setdefault((t, d), {})[a] = c
    new_rows, changed_rows = [], []
    for (t, d), generation in sorted(noted.items()):
        payload = _encode(by_day.get((t, d), {}), totals.get((t, d)))
        row = {"t": t, "d": d, "spec": spec, "payload": payload}
        if generation is None:
            new_rows.append(row)
        else:
            changed_rows.append({**row, "g": generation})
    try:
        with target as conn:
            if new_rows:
                conn.execute(
                    _insert(conn)
                    .values(
                        team_id=bindparam("t"),
                        day=bindparam("d"),
                        generation=1,
                        spec=bindparam("spec"),
                        payload=bindparam("payload"),
                    )
                    .on_conflict_do_nothing(index_elements=["team_id", "day"]),
                    new_rows,
                )
            if changed_rows:
                conn.execute(
                    update(DashboardDay)
                    .where(
                        DashboardDay.team_id == bindparam("t"),
                        DashboardDay.day == bindparam("d"),
                        DashboardDay.generation == bindparam("g"),
                    )
                    .values(spec=bindparam("spec"), payload=bindparam("payload"))
                    .execution_options(synchronize_session=False),
                    changed_rows,
                )
    except OperationalError as exc:  # e.g. SQLite busy: the figures are shown, just not kept
        log.warning("dashboard days not stored: %s", exc)


def refresh(days: int, thresholds: Mapping[str, int]) -> dict[str, int]:
    """Store every team's closed days of the last `days` days that aren't stored yet (what a
    nightly job runs so the first lead of the morning doesn't pay for them); a team at a time.
    """
    from ..models import Team
    from .dashboard import autoqa_keys

    if days < 1:
        raise ValueError("days must be at least 1")
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
    state = inspect(obj)
    histories = {name: state.attrs[name].history for name in _FIELDS}
    if dirty and not any(h.has_changes() for h in histories.values()):
        return set()
    teams = {obj.team_id, *histories["team_id"].deleted}
    days = {_as_day(obj.started_at), *(_as_day(v) for v in histories["started_at"].deleted)}
    return {(t, d) for t in teams for d in days if t is not None and d is not None}


def invalidate(session: Session, keys: Iterable[tuple[int, date]]) -> None:
    """Clear the stored (team, day) rows, in the session's transaction (see the module doc)."""
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
    session.info[_DIRTY] = True


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    keys: set[tuple[int, date]] = set()
    interaction_ids: set[int] = set()
    review_ids: set[int] = set()
    criteria_changed = False
    dirty = set(map(id, session.dirty))
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Interaction):
            keys |= _interaction_keys(obj, id(obj) in dirty)
        elif isinstance(obj, AutoScore | Review):
            if obj.interaction_id is not None:
                interaction_ids.add(obj.interaction_id)
        elif isinstance(obj, Answer | Dispute):
            if obj.review_id is not None:
                review_ids.add(obj.review_id)
        elif isinstance(obj, Criterion) and id(obj) in dirty | set(map(id, session.deleted)):
            criteria_changed = True
    if not (keys or interaction_ids or review_ids or criteria_changed):
        return
    conn = session.connection()
    if review_ids:
        interaction_ids |= set(
            conn.scalars(select(Review.interaction_id).where(Review.id.in_(review_ids)))
        )
    if interaction_ids:
        for t, started in conn.execute(
            select(Interaction.team_id, Interaction.started_at).where(
                Interaction.id.in_(interaction_ids), Interaction.team_id.is_not(None)
            )
        ):
            if (d := _as_day(started)) is not None:
                keys.add((t, d))
    invalidate(session, keys)
    if criteria_changed:
        conn.execute(
            update(DashboardDay)
            .where(DashboardDay.payload.is_not(None))
            .values(generation=DashboardDay.generation + 1, payload=None, spec=None)
        )
        session.info[_DIRTY] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _clean(session: Session) -> None:
    session.info.pop(_DIRTY, None)


__all__ = ["SCHEMA", "STORE_AFTER_DAYS", "invalidate", "refresh", "spec_of", "team_days"]
