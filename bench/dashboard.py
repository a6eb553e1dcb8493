"""Team dashboard benchmark: server time of /dashboard over a large SQLite database.

Generates (once, cached by its parameters) a SQLite file with bulk inserts: teams, agents,
1,000,000 interactions over 52 weeks with two AutoQA scores each, 50,000 submitted reviews on the
demo scorecard (7 answers each) and some disputes. Generation is bounded in time (--max-seconds):
if it runs out, the data generated so far is used and the table says so.

Then it times, in-process (no network; what the server spends), the team dashboard page for one
team over several periods, and each aggregate on its own; prints a table and writes
bench/results/dashboard.json.

    .venv/bin/python bench/dashboard.py                     # 1M interactions, 50k reviews
    .venv/bin/python bench/dashboard.py --interactions 100000 --reviews 5000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QA_INSTANCE_PATH", "/tmp/coachline-bench")

FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite
LAYOUT = "chronological-v1"  # bump when the generated data changes
CHANNELS = ["chat", "chat", "email", "social", "call"]
# Indexes the dashboard could use beyond the models'; measured with --compare-indexes.
# (auto_score (interaction_id, criterion, value) was one; it measured ~20% faster on every
# period and is now a model index, ix_autoscore_interaction_criterion_value.)
CANDIDATE_INDEXES = {
    "ix_bench_interaction_team_started_agent": "CREATE INDEX IF NOT EXISTS "
    "ix_bench_interaction_team_started_agent ON interaction (team_id, started_at, agent_id)",
    "ix_bench_review_covering": "CREATE INDEX IF NOT EXISTS ix_bench_review_covering "
    "ON review (interaction_id, status, score)",
}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--interactions", type=int, default=1_000_000)
    p.add_argument("--reviews", type=int, default=50_000)
    p.add_argument("--teams", type=int, default=10)
    p.add_argument("--agents-per-team", type=int, default=20)
    p.add_argument("--weeks", type=int, default=52)
    p.add_argument("--repeat", type=int, default=7, help="timed runs per measurement (median kept)")
    p.add_argument("--max-seconds", type=float, default=600, help="bound on data generation")
    p.add_argument("--db", type=Path, default=Path("/tmp/coachline-bench/dashboard.sqlite"))
    p.add_argument(
        "--compare-indexes", action="store_true", help="also time with candidate indexes"
    )
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "dashboard.json")
    return p.parse_args()


def _fill(table, row: dict) -> dict:  # type: ignore[no-untyped-def]
    """Values for NOT NULL columns the generator does not set (Python-side scalar defaults)."""
    out = dict(row)
    for col in table.columns:
        if col.name in out or col.primary_key or col.nullable:
            continue
        default = getattr(col.default, "arg", None)
        if callable(default):
            try:
                default = default(None)  # SQLAlchemy wraps callables as fn(context)
            except TypeError:
                default = None
        if isinstance(default, datetime):
            default = default.strftime(FMT)
        if hasattr(default, "value"):
            default = default.value
        if isinstance(default, (list, dict)):
            default = json.dumps(default)
        out[col.name] = default
    return out


def _insert(conn: sqlite3.Connection, table, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    if not rows:
        return
    template = _fill(table, rows[0])
    cols = list(template)
    extra = {c: template[c] for c in cols if c not in rows[0]}
    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    conn.executemany(sql, ([{**extra, **r}[c] for c in cols] for r in rows))


def generate(args: argparse.Namespace) -> dict:
    """Build the database with bulk inserts; returns what was actually generated."""
    from qa import create_app
    from qa.demo import SCORECARD
    from qa.extensions import db
    from qa.models import (
        Answer,
        AutoScore,
        Dispute,
        Interaction,
        Review,
        Role,
        Scorecard,
        Team,
        User,
    )
    from qa.services.reviews import publish_version

    args.db.parent.mkdir(parents=True, exist_ok=True)
    if args.db.exists():
        args.db.unlink()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}"})
    started = time.perf_counter()
    rng = random.Random(2026)
    with app.app_context():
        db.create_all()
        teams = [Team(name=f"Team {t}") for t in range(args.teams)]
        db.session.add_all(teams)
        db.session.flush()
        agents: list[tuple[int, int]] = []
        for t in teams:
            lead = User(
                email=f"lead{t.id}@bench", name=f"Lead {t.id}", role=Role.LEAD, password_hash="x"
            )
            lead.led_teams = [t]
            db.session.add(lead)
            for a in range(args.agents_per_team):
                u = User(
                    email=f"agent{t.id}.{a}@bench",
                    name=f"Agent {t.id}.{a}",
                    role=Role.AGENT,
                    team=t,
                    password_hash="x",
                )
                db.session.add(u)
                db.session.flush()
                agents.append((u.id, t.id))
        reviewer = User(
            email="reviewer@bench", name="Reviewer", role=Role.REVIEWER, password_hash="x"
        )
        db.session.add(reviewer)
        card = Scorecard(name="Support quality")
        db.session.add(card)
        db.session.flush()
        version = publish_version(card, [dict(c) for c in SCORECARD])
        criteria = [(c.id, c.scale_min, c.scale_max, c.weight) for c in version.criteria]
        db.session.commit()
        reviewer_id, version_id = reviewer.id, version.id
    conn = sqlite3.connect(args.db)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    end = datetime.combine(date.today(), datetime.min.time())
    span = args.weeks * 7 * 86400
    review_every = max(1, args.interactions // max(args.reviews, 1))
    made = {"interactions": 0, "auto_scores": 0, "reviews": 0, "answers": 0, "disputes": 0}
    chunk, next_id, review_id = 50_000, 1, 1
    now = datetime.now().strftime(FMT)
    truncated = False
    while made["interactions"] < args.interactions:
        if time.perf_counter() - started > args.max_seconds:
            truncated = True
            break
        n = min(chunk, args.interactions - made["interactions"])
        inter, autos, reviews, answers, disputes = [], [], [], [], []
        for k in range(n):
            iid = next_id + k
            agent_id, team_id = agents[rng.randrange(len(agents))]
            # chronological, as imports arrive: row order follows time (jitter of up to an hour)
            when = end - timedelta(
                seconds=span * (1 - iid / args.interactions) + rng.randrange(3600)
            )
            channel = CHANNELS[rng.randrange(len(CHANNELS))]
            inter.append(
                {
                    "id": iid,
                    "source": "bench",
                    "external_id": f"B-{iid}",
                    "channel": channel,
                    "agent_id": agent_id,
                    "team_id": team_id,
                    "started_at": when.strftime(FMT),
                    "duration_seconds": rng.uniform(60, 1200),
                    "wait_seconds": rng.uniform(0, 400) if channel == "call" else None,
                    "first_response_seconds": rng.uniform(5, 20000) if channel != "call" else None,
                    "csat": rng.choice([None, None, 1, 2, 3, 4, 5, 5]),
                    "escalated": int(rng.random() < 0.08),
                    "resolved_first_contact": rng.choice([None, 0, 1, 1]),
                    "status": "scored",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            autos.append(
                {
                    "interaction_id": iid,
                    "criterion": "empathy",
                    "value": rng.uniform(0, 100),
                    "model_version": "bench",
                    "evidence": "[]",
                    "created_at": now,
                }
            )
            autos.append(
                {
                    "interaction_id": iid,
                    "criterion": "resolution",
                    "value": rng.uniform(0, 100),
                    "model_version": "bench",
                    "evidence": "[]",
                    "created_at": now,
                }
            )
            if iid % review_every == 0 and made["reviews"] + len(reviews) < args.reviews:
                total = weights = 0.0
                for cid, lo, hi, weight in criteria:
                    value = rng.randint(lo, hi)
                    answers.append(
                        {"review_id": review_id, "criterion_id": cid, "value": value, "na": 0}
                    )
                    total += (value - lo) / (hi - lo) * 100 * weight
                    weights += weight
                reviews.append(
                    {
                        "id": review_id,
                        "interaction_id": iid,
                        "reviewer_id": reviewer_id,
                        "scorecard_version_id": version_id,
                        "status": "submitted",
                        "score": round(total / weights, 2),
                        "started_at": when.strftime(FMT),
                        "submitted_at": when.strftime(FMT),
                    }
                )
                if review_id % 40 == 0:
                    disputes.append(
                        {
                            "review_id": review_id,
                            "agent_id": agent_id,
                            "reason": "bench",
                            "criteria": "[]",
                            "status": rng.choice(["open", "upheld", "changed"]),
                            "created_at": now,
                        }
                    )
                review_id += 1
        _insert(conn, Interaction.__table__, inter)
        _insert(conn, AutoScore.__table__, autos)
        _insert(conn, Review.__table__, reviews)
        _insert(conn, Answer.__table__, answers)
        _insert(conn, Dispute.__table__, disputes)
        conn.commit()
        next_id += n
        made["interactions"] += n
        made["auto_scores"] += len(autos)
        made["reviews"] += len(reviews)
        made["answers"] += len(answers)
        made["disputes"] += len(disputes)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    made["seconds"] = round(time.perf_counter() - started, 1)
    made["truncated_by_time_limit"] = truncated
    made["size_mb"] = round(args.db.stat().st_size / 1e6, 1)
    return made


def _time(fn, repeat: int) -> dict:  # type: ignore[no-untyped-def]
    """Wall-clock and CPU time of `fn` (CPU time is what an idle core would need)."""
    fn()  # warm: first query plans and page cache
    runs, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {
        "median_ms": round(statistics.median(runs), 1),
        "max_ms": round(max(runs), 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
    }


def _model_indexes(path: Path) -> None:
    """Tables and indexes the models declare (a cached database may predate one)."""
    from sqlalchemy import create_engine, inspect

    from qa import create_app
    from qa.extensions import db

    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    engine = create_engine(f"sqlite:///{path}")
    existing = set(inspect(engine).get_table_names())
    db.metadata.create_all(engine)  # tables added since (dashboard_day)
    for table in db.metadata.tables.values():
        for index in table.indexes if table.name in existing else ():
            index.create(bind=engine, checkfirst=True)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def _indexes(path: Path, names: list[str]) -> None:
    """Create exactly the named candidate indexes (dropping the others), then ANALYZE."""
    conn = sqlite3.connect(path)
    for name, sql in CANDIDATE_INDEXES.items():
        conn.execute(sql if name in names else f"DROP INDEX IF EXISTS {name}")
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


def measure(args: argparse.Namespace, *, mmap: bool = False) -> list[dict]:
    from qa import create_app
    from qa.coaching import services as coaching
    from qa.extensions import db
    from qa.models import Interaction, Role, Team, User
    from qa.services import dashboard, kpis

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}"})
    results = []
    with app.app_context():
        if mmap:  # what a deployment could set on each connection; the app does not (yet)
            from sqlalchemy import event

            event.listen(
                db.engine,
                "connect",
                lambda conn, _record: conn.execute("PRAGMA mmap_size=536870912"),
            )
        team = db.session.scalar(db.select(Team).order_by(Team.id))
        lead = db.session.scalar(db.select(User).where(User.role == Role.LEAD).order_by(User.id))
        team_size = db.session.scalar(
            db.select(db.func.count(Interaction.id)).where(Interaction.team_id == team.id)
        )
        client = app.test_client()
        with client.session_transaction() as s:
            s["_user_id"] = lead.get_id()  # "id:session_version"
            s["_fresh"] = True
        today = date.today()
        for weeks in (6, 13, 52):
            period = dashboard.default_period(today, weeks)
            conds = dashboard.scope([team.id], period)
            in_period = db.session.scalar(db.select(db.func.count(Interaction.id)).where(*conds))
            url = f"/dashboard?team={team.id}&start={period.start}&end={period.end}"

            def page(url: str = url) -> None:
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            row = {
                "weeks": weeks,
                "team_interactions": team_size,
                "period_interactions": in_period,
                "page": _time(page, args.repeat),
            }
            parts = {
                # every figure from the interactions, vs closed days read from dashboard_day
                "overview computed": lambda p=period: dashboard.overview(
                    [team.id], p, cached=False
                ),
                "overview stored": lambda p=period: dashboard.overview([team.id], p),
                "criteria": lambda c=conds: dashboard.criteria_rows(c),
                "kpis": lambda c=conds: kpis.compute(c),
                "recommendations": lambda p=period: coaching.recommendations(
                    [team.id], p, threshold=70, min_reviews=3
                ),
            }
            row["parts"] = {
                name: _time(fn, max(3, args.repeat // 2))["median_ms"] for name, fn in parts.items()
            }
            results.append(row)
            db.session.rollback()
    return results


def main() -> None:
    args = parse_args()
    meta = args.db.with_suffix(".json")
    wanted = {
        k: getattr(args, k)
        for k in ("interactions", "reviews", "teams", "agents_per_team", "weeks")
    }
    generated = None
    if args.db.exists() and meta.exists():
        cached = json.loads(meta.read_text())
        if (
            cached.get("params") == wanted
            and cached.get("date") == date.today().isoformat()
            and cached.get("layout") == LAYOUT
        ):
            generated = cached["generated"]
            print(f"reusing {args.db} ({generated['interactions']:,} interactions)")
    if generated is None:
        print(
            f"generating {args.interactions:,} interactions, {args.reviews:,} reviews ...",
            flush=True,
        )
        generated = generate(args)
        meta.write_text(
            json.dumps(
                {
                    "params": wanted,
                    "date": date.today().isoformat(),
                    "layout": LAYOUT,
                    "generated": generated,
                }
            )
        )
    print(f"data: {generated}")
    _model_indexes(args.db)
    load_before = [round(x, 2) for x in os.getloadavg()]
    print(f"load average before timing: {load_before} on {os.cpu_count()} cpus")
    runs = {"model indexes": measure(args)}
    if args.compare_indexes:
        # one candidate index at a time, then all of them, then all with a larger SQLite cache
        steps = [(f"+ {name.removeprefix('ix_bench_')}", [name]) for name in CANDIDATE_INDEXES]
        steps.append(("+ all candidates", list(CANDIDATE_INDEXES)))
        for label, names in steps:
            _indexes(args.db, names)
            runs[label] = measure(args)
        runs["+ all + mmap 512MB"] = measure(args, mmap=True)
        _indexes(args.db, [])
    header = f"{'indexes':<34} {'period':>7} {'in period':>10} {'page med':>9} {'page max':>9} {'page cpu':>9}  parts (median ms)"
    print(header)
    print("-" * len(header))
    for label, rows in runs.items():
        for r in rows:
            parts = " ".join(f"{k}={v:.0f}" for k, v in r["parts"].items())
            print(
                f"{label:<34} {r['weeks']:>5} w {r['period_interactions']:>10,} "
                f"{r['page']['median_ms']:>7.0f}ms {r['page']['max_ms']:>7.0f}ms "
                f"{r['page']['cpu_median_ms']:>7.0f}ms  {parts}"
            )
    result = {
        "benchmark": "team dashboard, server time in-process (Flask test client), SQLite file",
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "sqlite": sqlite3.sqlite_version,
            "processor": platform.processor() or platform.machine(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "params": wanted,
        "generated": generated,
        "load_average_before": load_before,
        "runs": runs,
        "date": datetime.now().isoformat(timespec="seconds"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
