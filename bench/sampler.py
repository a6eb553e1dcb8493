"""Benchmark the weekly sampler: one ISO week's draw + reviewer assignment over a large table.

    python bench/sampler.py [DATABASE_URL ...] [--interactions 1000000] [--agents 500] [--weeks 52]

Each URL (default: an embedded SQLite file under /tmp) gets a fresh schema with N interactions
spread over `--weeks` ISO weeks, `--agents` agents in `--teams` teams, two AutoQA scores per
interaction, earlier weeks already sampled and partly reviewed. Then, for one week in the middle,
it times the preview (dry run), the draw + assignment of every team's policy, and the idempotent
re-run, and records the Python heap peak of the draw (tracemalloc) to show memory does not grow
with the table. Prints a table and merges the results into bench/results/sampler.json.

A URL that cannot be reached is reported in one line and skipped (exit status 1 at the end).
PostgreSQL example: postgresql+psycopg://postgres@127.0.0.1:5432/coachline_bench
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QA_INSTANCE_PATH", "/tmp/coachline-bench-instance")

from sqlalchemy import create_engine, delete, select, text  # noqa: E402

from qa import create_app  # noqa: E402
from qa.extensions import db  # noqa: E402
from qa.models import (  # noqa: E402
    Assignment,
    Role,
    Sample,
    SamplingPolicy,
    Scorecard,
    ScorecardVersion,
    Team,
    User,
)
from qa.services import sampling  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "sampler.json"
FIRST_MONDAY = datetime(2025, 11, 24)  # 2025-W48; 52 weeks end with 2026-W47
CHANNELS = ("call", "chat", "email", "social")
CHUNK = 50_000

INTERACTION_COLS = (
    "id", "source", "external_id", "channel", "agent_id", "team_id", "started_at",
    "duration_seconds", "csat", "escalated", "status", "created_at", "updated_at",
)  # fmt: skip
AUTOSCORE_COLS = (
    "id", "interaction_id", "criterion", "value", "label", "evidence", "model_version", "created_at",
)  # fmt: skip
SAMPLE_COLS = ("id", "policy_id", "week", "interaction_id", "stratum", "risk_reason", "created_at")
ASSIGNMENT_COLS = ("id", "sample_id", "interaction_id", "reviewer_id", "status", "created_at")
REVIEW_COLS = (
    "id", "interaction_id", "reviewer_id", "scorecard_version_id", "status", "score",
    "started_at", "submitted_at",
)  # fmt: skip


class Loader:
    """Bulk load through the driver: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.raw = engine.raw_connection()
        if not self.pg:
            self.raw.execute("PRAGMA synchronous=OFF")

    def _value(self, v: Any) -> Any:
        if not self.pg and isinstance(v, datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite storage format
        if not self.pg and isinstance(v, bool):
            return int(v)
        return v

    def load(self, table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        cur = self.raw.cursor()
        quoted = ", ".join(cols)
        if self.pg:
            with cur.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in cols)
            cur.executemany(
                f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})',
                [tuple(self._value(v) for v in row) for row in rows],
            )
        cur.close()

    def finish(self, tables: list[str]) -> None:
        cur = self.raw.cursor()
        if self.pg:
            for table in tables:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
                )
        self.raw.commit()
        cur.close()
        self.raw.close()


def generate(args: argparse.Namespace, target_week: str) -> dict[str, Any]:
    """Fresh schema and data; returns ids the timing needs."""
    db.drop_all()
    db.create_all()
    teams = [Team(name=f"Team {t:02d}") for t in range(args.teams)]
    db.session.add_all(teams)
    db.session.flush()
    agents = [
        User(
            email=f"agent{a}@bench",
            name=f"Agent {a:03d}",
            role=Role.AGENT,
            team_id=teams[a % args.teams].id,
            password_hash="-",
        )
        for a in range(args.agents)
    ]
    reviewers = [
        User(
            email=f"reviewer{r}@bench",
            name=f"Reviewer {r:02d}",
            role=Role.REVIEWER,
            password_hash="-",
            weekly_capacity=args.capacity,
        )
        for r in range(args.reviewers)
    ]
    db.session.add_all(agents + reviewers)
    scorecard = Scorecard(name="Bench")
    version = ScorecardVersion(scorecard=scorecard, number=1, published_at=FIRST_MONDAY)
    db.session.add_all([scorecard, version])
    db.session.flush()
    policies = [
        SamplingPolicy(
            team_id=t.id,
            name="Weekly",
            percentage=args.percentage,
            min_per_agent=2,
            max_per_agent=10,
            risk_share=0.5,
            risk_weight_autoqa=1.0,
            risk_weight_csat=1.0,
            risk_weight_escalated=0.8,
            risk_weight_handle_time=0.5,
            channels=[],
            seed=42,
            exclude_own_team=False,
            active=True,
        )
        for t in teams
    ]
    db.session.add_all(policies)
    db.session.commit()
    agent_rows = [(a.id, a.team_id) for a in agents]
    policy_by_team = {p.team_id: p.id for p in policies}
    reviewer_ids = [r.id for r in reviewers]
    version_id = version.id

    loader = Loader(db.engine)
    rng = random.Random(42)
    span = args.weeks * 7 * 86400
    now = datetime(2026, 11, 23)
    counters = {"autoscore": 0, "sample": 0, "review": 0}
    for start in range(1, args.interactions + 1, CHUNK):
        stop = min(start + CHUNK, args.interactions + 1)
        interactions, scores, samples, assignments, reviews = [], [], [], [], []
        for i in range(start, stop):
            agent_id, team_id = agent_rows[rng.randrange(len(agent_rows))]
            started = FIRST_MONDAY + timedelta(seconds=rng.randrange(span))
            duration = round(rng.lognormvariate(5.5, 0.6), 1)
            csat = rng.choice((None, None, 1, 2, 3, 4, 5, 5, 5, 4))
            interactions.append(
                (
                    i,
                    "bench",
                    f"B-{i}",
                    CHANNELS[i % 4],
                    agent_id,
                    team_id,
                    started,
                    duration,
                    csat,
                    rng.random() < 0.04,
                    "scored",
                    now,
                    now,
                )  # fmt: skip
            )
            for criterion in ("empathy", "resolution"):
                counters["autoscore"] += 1
                scores.append(
                    (
                        counters["autoscore"],
                        i,
                        criterion,
                        round(rng.betavariate(5, 2) * 100, 1),
                        None,
                        "[]",
                        "bench",
                        now,
                    )  # fmt: skip
                )
            week = sampling.week_of(started)
            if week != target_week and rng.random() < args.percentage / 100:
                counters["sample"] += 1
                sid = counters["sample"]
                samples.append((sid, policy_by_team[team_id], week, i, "random", None, now))
                reviewer = reviewer_ids[sid % len(reviewer_ids)]
                assignments.append((sid, sid, i, reviewer, "done", now))
                counters["review"] += 1
                reviews.append(
                    (
                        counters["review"],
                        i,
                        reviewer,
                        version_id,
                        "submitted",
                        round(rng.uniform(40, 100), 1),
                        now,
                        now,
                    )  # fmt: skip
                )
        loader.load("interaction", INTERACTION_COLS, interactions)
        loader.load("auto_score", AUTOSCORE_COLS, scores)
        loader.load("sample", SAMPLE_COLS, samples)
        loader.load("assignment", ASSIGNMENT_COLS, assignments)
        loader.load("review", REVIEW_COLS, reviews)
        print(f"  loaded {stop - 1:>9,} interactions", end="\r", flush=True)
    print()
    loader.finish(["interaction", "auto_score", "sample", "assignment", "review"])
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return {"autoscores": counters["autoscore"], "earlier_samples": counters["sample"]}


# Covering indexes proposed for the Interaction and AutoScore models (owned elsewhere): with them
# the week's population and its AutoQA means are read from the indexes alone, no table rows.
PROPOSED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_interaction_team_started_sampling ON interaction "
    "(team_id, started_at, agent_id, status, csat, escalated, duration_seconds, channel)",
    "CREATE INDEX IF NOT EXISTS ix_auto_score_interaction_value ON auto_score (interaction_id, value)",
)


def existing_counts(n: int, week: str) -> dict[str, Any] | None:
    """Counts of a database already generated with n interactions (for --reuse), else None."""
    try:
        have = db.session.execute(text("select count(*) from interaction")).scalar()
    except Exception:
        db.session.rollback()
        return None
    if have != n:
        return None
    return {
        "autoscores": db.session.execute(text("select count(*) from auto_score")).scalar(),
        "earlier_samples": db.session.execute(
            text("select count(*) from sample where week != :w"), {"w": week}
        ).scalar(),
    }


def reset_week(week: str) -> None:
    sample_ids = select(Sample.id).where(Sample.week == week)
    db.session.execute(delete(Assignment).where(Assignment.sample_id.in_(sample_ids)))
    db.session.execute(delete(Sample).where(Sample.week == week))
    db.session.commit()


def run_all(policies: list[SamplingPolicy], week: str, dry_run: bool) -> dict[str, int]:
    totals = {"added": 0, "risk": 0, "random": 0, "assigned": 0, "unassigned": 0}
    for policy in policies:
        report = sampling.draw(policy, week, dry_run=dry_run)
        totals["added"] += report.added
        totals["risk"] += report.added_risk
        totals["random"] += report.added_random
        totals["assigned"] += report.assigned
        totals["unassigned"] += report.unassigned
    return totals


def timed(fn, *args: Any) -> tuple[float, Any]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def bench_url(url: str, args: argparse.Namespace) -> dict[str, Any]:
    try:
        with create_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error: say it in one line and go on
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConnectionError(f"cannot connect to {url}: {first}") from None
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    target = sampling.week_of(FIRST_MONDAY + timedelta(weeks=args.weeks // 2))
    with app.app_context():
        dialect = db.engine.dialect.name
        version = db.session.execute(
            text("select sqlite_version()" if dialect == "sqlite" else "show server_version")
        ).scalar()
        extra = existing_counts(args.interactions, target) if args.reuse else None
        db.session.commit()  # end the read transaction: the index DDL below needs the tables
        t_load = 0.0
        if extra is None:
            t_load, extra = timed(generate, args, target)
        with db.engine.begin() as conn:
            if args.proposed_indexes:
                for statement in PROPOSED_INDEXES:
                    conn.execute(text(statement))
            else:  # measure the models' own indexes only
                conn.execute(text("DROP INDEX IF EXISTS ix_interaction_team_started_sampling"))
                conn.execute(text("DROP INDEX IF EXISTS ix_auto_score_interaction_value"))
            conn.execute(text("ANALYZE"))
        policies = list(db.session.scalars(select(SamplingPolicy).order_by(SamplingPolicy.id)))
        one = policies[:1]
        runs: dict[str, list[float]] = {"preview": [], "draw": [], "rerun": [], "draw_one_team": []}
        heap_peak = 0
        totals: dict[str, int] = {}
        for _ in range(args.repeat):
            reset_week(target)
            runs["preview"].append(timed(run_all, policies, target, True)[0])
            seconds, totals = timed(run_all, policies, target, False)
            runs["draw"].append(seconds)
            runs["rerun"].append(timed(run_all, policies, target, False)[0])
            reset_week(target)
            runs["draw_one_team"].append(timed(run_all, one, target, False)[0])
        # the heap peak in a separate draw: tracemalloc slows Python down several times
        reset_week(target)
        tracemalloc.start()
        run_all(policies, target, False)
        heap_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        week_volume = db.session.execute(
            text("select count(*) from interaction where started_at >= :a and started_at < :b"),
            dict(zip(("a", "b"), sampling.parse_week(target), strict=True)),
        ).scalar()
    return {
        "backend": dialect,
        "server_version": str(version),
        "interactions": args.interactions,
        "autoscores": extra["autoscores"],
        "earlier_samples": extra["earlier_samples"],
        "agents": args.agents,
        "teams": args.teams,
        "reviewers": args.reviewers,
        "weeks": args.weeks,
        "week": target,
        "week_volume": week_volume,
        "sampled": totals.get("added", 0),
        "risk": totals.get("risk", 0),
        "random": totals.get("random", 0),
        "assigned": totals.get("assigned", 0),
        "unassigned": totals.get("unassigned", 0),
        "load_seconds": round(t_load, 1),
        "preview_seconds": round(statistics.median(runs["preview"]), 3),
        "draw_assign_seconds": round(statistics.median(runs["draw"]), 3),
        "rerun_seconds": round(statistics.median(runs["rerun"]), 3),
        "draw_one_team_seconds": round(statistics.median(runs["draw_one_team"]), 3),
        "draw_heap_peak_mb": round(heap_peak / 2**20, 2),
        "repeat": args.repeat,
        "indexes": "models + proposed covering" if args.proposed_indexes else "models",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="*", default=["sqlite:////tmp/coachline-sampler-bench.db"])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--capacity", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--percentage", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--reuse", action="store_true", help="Keep a database already holding --interactions rows."
    )
    parser.add_argument(
        "--proposed-indexes",
        action="store_true",
        help="Add the covering indexes proposed for interaction and auto_score first.",
    )
    args = parser.parse_args()

    results, failed = [], False
    for url in args.urls:
        print(
            f"{url}: {args.interactions:,} interactions, {args.agents} agents, {args.weeks} weeks"
        )
        try:
            results.append(bench_url(url, args))
        except ConnectionError as exc:
            print(exc, file=sys.stderr)
            failed = True
    if not results:
        return 1
    header = (
        f"{'backend':10} {'indexes':9} {'rows':>9} {'week rows':>9} {'sampled':>7} {'preview s':>9} "
        f"{'draw+assign s':>13} {'re-run s':>8} {'1 team s':>8} {'heap MB':>7}"
    )
    print(header)
    for r in results:
        print(
            f"{r['backend']:10} {'+covering' if r['indexes'] != 'models' else 'models':9} "
            f"{r['interactions']:>9,} {r['week_volume']:>9,} {r['sampled']:>7} "
            f"{r['preview_seconds']:>9.3f} {r['draw_assign_seconds']:>13.3f} "
            f"{r['rerun_seconds']:>8.3f} {r['draw_one_team_seconds']:>8.3f} "
            f"{r['draw_heap_peak_mb']:>7.2f}"
        )
    stored: dict[str, Any] = {}
    if args.out.exists():
        stored = json.loads(args.out.read_text())
    stored.setdefault("runs", {})
    stored["machine"] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    for r in results:
        tag = "-proposed-indexes" if r["indexes"] != "models" else ""
        stored["runs"][f"{r['backend']}-{r['interactions']}{tag}"] = r | {
            "date": datetime.now().isoformat(timespec="seconds")
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")
    print(f"results written to {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
