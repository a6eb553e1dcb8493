"""Review page benchmark: server render time of the review workspace for a 200-segment call in
a database of 1,000,000 interactions, and the SQL statements it runs.

    python bench/web.py [--interactions 1000000] [--runs 50] [--db /tmp/coachline-bench-web.db]
                        [--fresh] [--out bench/results/web.json]

The data is generated with set-based INSERT ... SELECT over a recursive CTE (no ORM objects),
so a million interactions, their AutoQA scores and 5% of them reviewed take seconds, not
minutes; generation stops with an error if it exceeds --max-seconds. The database file is kept
and reused by later runs unless --fresh. Times are measured through Flask's test client (full
request: routing, session, access checks, queries, template), after warm-up requests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QA_INSTANCE_PATH", "/tmp/coachline-bench-instance")

from sqlalchemy import event, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from qa import create_app  # noqa: E402
from qa.extensions import db  # noqa: E402

PASSWORD = "bench-password"
TEAMS, AGENTS = 20, 400


def generate(n: int, max_seconds: float) -> dict[str, float]:
    """Bulk-insert teams, people, n interactions with two AutoQA scores each, 5% reviewed."""
    timings: dict[str, float] = {}
    conn = db.session.connection()
    conn.exec_driver_sql("PRAGMA journal_mode=OFF")
    conn.exec_driver_sql("PRAGMA synchronous=OFF")
    started = time.perf_counter()

    def step(name: str, sql: str, **params: Any) -> None:
        t = time.perf_counter()
        conn.execute(text(sql), params)
        timings[name] = round(time.perf_counter() - t, 2)
        if time.perf_counter() - started > max_seconds:
            raise SystemExit(f"data generation exceeded {max_seconds:.0f} s at step {name}")

    hashed = generate_password_hash(PASSWORD)
    now = "2026-11-20 12:00:00"
    step(
        "teams",
        "WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < :t) "
        "INSERT INTO team (id, name, created_at) SELECT x, 'Team ' || x, :now FROM k",
        t=TEAMS,
        now=now,
    )
    step(
        "users",
        "WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < :a) "
        "INSERT INTO user (id, email, name, password_hash, role, team_id, weekly_capacity, active, "
        "created_at) SELECT x, 'agent' || x || '@bench-coachline.com', 'Agent ' || x, :h, 'agent', "
        "1 + x % :t, 40, 1, :now FROM k",
        a=AGENTS,
        t=TEAMS,
        h=hashed,
        now=now,
    )
    for uid, role, name in (
        (AGENTS + 1, "reviewer", "reviewer"),
        (AGENTS + 2, "lead", "lead"),
        (AGENTS + 3, "reviewer", "reviewer2"),
    ):
        conn.execute(
            text(
                "INSERT INTO user (id, email, name, password_hash, role, weekly_capacity, active, "
                "created_at) VALUES (:id, :e, :n, :h, :r, 40, 1, :now)"
            ),
            {
                "id": uid,
                "e": f"{name}@bench-coachline.com",
                "n": name.title(),
                "h": hashed,
                "r": role,
                "now": now,
            },
        )
    conn.execute(
        text("INSERT INTO team_leads (team_id, user_id) VALUES (1, :u)"), {"u": AGENTS + 2}
    )
    step(
        "interactions",
        "WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < :n) "
        "INSERT INTO interaction (id, source, external_id, channel, agent_id, team_id, queue, "
        "started_at, duration_seconds, wait_seconds, first_response_seconds, csat, escalated, "
        "status, created_at, updated_at) "
        "SELECT x, 'bench', 'B-' || x, "
        "CASE x % 4 WHEN 0 THEN 'call' WHEN 1 THEN 'chat' WHEN 2 THEN 'email' ELSE 'social' END, "
        "1 + x % :a, 1 + (x % :a) % :t, 'billing', "
        "datetime('2026-11-20', '-' || (x % 365) || ' days', '+' || (x % 86400) || ' seconds'), "
        "60 + x % 900, x % 120, x % 300, 1 + x % 5, x % 17 = 0, 'scored', :now, :now FROM k",
        n=n,
        a=AGENTS,
        t=TEAMS,
        now=now,
    )
    step(
        "auto_scores",
        "INSERT INTO auto_score (interaction_id, criterion, value, label, evidence, "
        "model_version, created_at) "
        "SELECT id, 'empathy', (id * 37) % 100, NULL, '[]', 'bench', :now FROM interaction "
        "UNION ALL SELECT id, 'resolution', (id * 53) % 100, 'resolved', '[]', 'bench', :now "
        "FROM interaction",
        now=now,
    )
    return timings


def generate_reviews(version_id: int, criteria: list[int], n: int) -> dict[str, float]:
    """5% of the interactions reviewed by the reviewer, with one answer per criterion."""
    conn = db.session.connection()
    t = time.perf_counter()
    conn.execute(
        text(
            "INSERT INTO review (interaction_id, reviewer_id, scorecard_version_id, status, score, "
            "started_at, submitted_at, duration_seconds) "
            "SELECT id, :r, :v, 'submitted', (id * 7) % 101, started_at, started_at, 95 "
            "FROM interaction WHERE id % 20 = 0 AND id < :n"
        ),
        {"r": AGENTS + 1, "v": version_id, "n": n},
    )
    for cid in criteria:
        conn.execute(
            text(
                "INSERT INTO answer (review_id, criterion_id, value, na) "
                "SELECT id, :c, 1, 0 FROM review"
            ),
            {"c": cid},
        )
    return {"reviews_and_answers": round(time.perf_counter() - t, 2)}


def target(segments: int = 200) -> tuple[int, int]:
    """A 200-segment call with a recording, AutoQA evidence, and the reviewer's draft with 5
    answers; returns (draft review id, submitted review id)."""
    from qa.models import (
        Answer,
        AutoScore,
        Interaction,
        Recording,
        Review,
        Scorecard,
        Segment,
        Transcript,
    )

    interaction = db.session.get(Interaction, 4)  # a call (id % 4 == 0)
    transcript = Transcript(
        interaction=interaction,
        language="en",
        duration_seconds=segments * 6.0,
        model="tiny.en",
        redactions={},
    )
    for k in range(segments):
        transcript.segments.append(
            Segment(
                position=k,
                speaker="agent" if k % 2 else "customer",
                start=k * 6.0,
                end=k * 6.0 + 5.5,
                text=f"Turn {k}: I'm so sorry about the double charge, let me look at the account for you now.",
            )
        )
    db.session.add(transcript)
    db.session.add(
        Recording(
            interaction=interaction, path="/nonexistent.ogg", sha256="0" * 64, size=1, channels=2
        )
    )
    for score in db.session.query(AutoScore).filter_by(interaction_id=interaction.id):
        score.evidence = [
            {
                "turn": t,
                "speaker": "agent",
                "text": f"Turn {t}: I'm so sorry",
                "weight": 0.3 - t / 100,
            }
            for t in (1, 3, 5, 7, 9)
        ]
    version = db.session.query(Scorecard).one().current
    draft = Review(interaction=interaction, reviewer_id=AGENTS + 3, scorecard_version=version)
    db.session.add(draft)
    for c in version.criteria[:5]:
        draft.answers.append(
            Answer(criterion=c, value=c.scale_max, comment="ok", segment_position=3)
        )
    db.session.add(draft)
    db.session.commit()
    submitted = db.session.query(Review).filter(Review.interaction_id == 20).one()
    return draft.id, submitted.id


def build(path: Path, n: int, max_seconds: float) -> dict[str, Any]:
    from qa.demo import SCORECARD
    from qa.models import Scorecard
    from qa.services.reviews import publish_version

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
    with app.app_context():
        db.create_all()
        t = time.perf_counter()
        timings = generate(n, max_seconds)
        scorecard = Scorecard(name="Support quality")
        db.session.add(scorecard)
        db.session.flush()
        version = publish_version(scorecard, [dict(c) for c in SCORECARD])
        db.session.flush()
        timings |= generate_reviews(version.id, [c.id for c in version.criteria], n)
        db.session.commit()
        ids = target()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        timings["total"] = round(time.perf_counter() - t, 2)
    (path.parent / (path.name + ".json")).write_text(
        json.dumps({"n": n, "ids": ids, "timings": timings})
    )
    return {"n": n, "ids": ids, "timings": timings}


def measure(path: Path, meta: dict[str, Any], runs: int) -> dict[str, Any]:
    from tests.conftest import Client

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "TESTING": True,
            "LOGIN_RATE_LIMIT": "10000 per minute",
        }
    )
    draft_id, submitted_id = meta["ids"]
    out: dict[str, Any] = {}
    with app.app_context():
        counts = {"n": 0}

        def before(*_: Any) -> None:
            counts["n"] += 1

        event.listen(db.engine, "before_cursor_execute", before)
        pages = {
            "review_workspace (reviewer, 200 segments, 5 answers)": (
                "reviewer2@bench-coachline.com",
                f"/reviews/{draft_id}/edit",
            ),
            "review_show (lead, submitted review)": (
                "lead@bench-coachline.com",
                f"/reviews/{submitted_id}",
            ),
            "reviewer_queue": ("reviewer@bench-coachline.com", "/queue"),
        }
        for name, (email, url) in pages.items():
            c = Client(app.test_client())
            assert c.login(email, PASSWORD).status_code == 302, "login failed"
            for _ in range(5):
                response = c.get(url)
                assert response.status_code == 200, (url, response.status_code)
            times = []
            for _ in range(runs):
                counts["n"] = 0
                t = time.perf_counter()
                response = c.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200
            times.sort()
            out[name] = {
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
                "max_ms": round(times[-1], 1),
                "queries": counts["n"],
                "bytes": len(response.get_data()),
            }
        event.remove(db.engine, "before_cursor_execute", before)
        out["_rows"] = {
            t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar()  # noqa: S608
            for t in ("interaction", "auto_score", "review", "answer", "segment")
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--db", type=Path, default=Path("/tmp/coachline-bench-web.db"))
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "web.json")
    args = parser.parse_args()
    meta_path = args.db.parent / (args.db.name + ".json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() and args.db.exists() else None
    if args.fresh or meta is None or meta["n"] != args.interactions:
        args.db.unlink(missing_ok=True)
        print(f"generating {args.interactions:,} interactions in {args.db} ...", flush=True)
        meta = build(args.db, args.interactions, args.max_seconds)
        print(f"generated in {meta['timings']['total']} s: {meta['timings']}", flush=True)
    results = measure(args.db, meta, args.runs)
    rows = results.pop("_rows")
    print(f"\nrows: {rows}")
    print(f"\n{'page':58} {'median':>8} {'p95':>8} {'max':>8} {'queries':>8}")
    for name, r in results.items():
        print(
            f"{name:58} {r['median_ms']:>6.1f}ms {r['p95_ms']:>6.1f}ms {r['max_ms']:>6.1f}ms {r['queries']:>8}"
        )
    report = {
        "benchmark": "review page server render time",
        "target_ms": 150,
        "database": "sqlite (file)",
        "rows": rows,
        "generation_seconds": meta["timings"],
        "runs": args.runs,
        "pages": results,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
