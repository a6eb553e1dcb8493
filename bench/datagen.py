"""Synthetic Coachline data at scale, generated inside PostgreSQL with INSERT ... SELECT.

    from bench import datagen            # with the repository root first on sys.path
    shape = datagen.Shape(interactions=1_000_000)
    info = datagen.ensure(url, shape)    # builds, or reuses a database built with the same shape

What it builds (all ids explicit, so the steps can refer to each other without round trips):
teams, one lead per team, reviewers, agents and an admin (one password for everyone); the demo
scorecard published through the app's own service (the default scorecard), one weekly sampling
policy per team; `interactions` over `weeks` weeks up to the build hour, in time order as imports
arrive; a transcript with 16-32 segments for a share of them; two AutoQA scores for every
interaction (with evidence pointing at segments when there is a transcript); a sampled share
reviewed (sample -> assignment -> submitted review with one answer per criterion, score by the
PRODUCT.md formula); disputes on a share of the reviews (open within the dispute window, decided
before); and `assigned_per_reviewer` open assignments per reviewer on the most recent
unreviewed interactions, a few already started as drafts.

Rows are produced by the database server (generate_series, random()), never by the ORM, so a
million interactions take minutes on 2 cores. The shape, layout version, timings and the id
high-water marks are kept in a marker table `bench_datagen`; `ensure` reuses a database whose
marker matches and `reset` takes it back to its built state (drops what a load run wrote).

PostgreSQL only: the SQLite benchmarks (bench/web.py, bench/dashboard.py, bench/sampler.py) keep
their own generators, which the measurements in docs/ were taken with.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

LAYOUT = "load-v3"  # bump when the generated data changes (v3: tiers, customers, escalations)
PASSWORD = "bench-password"
DOMAIN = "bench.example.com"
MARKER = "bench_datagen"
CHANNELS = ("chat", "chat", "email", "social", "call")
PHRASES = (
    "Hi, thanks for contacting support, how can I help you today?",
    "I was charged twice for my subscription this month and I need it fixed.",
    "I'm so sorry about that, being double charged is really frustrating.",
    "Let me pull up your account, could you confirm the email address on file?",
    "Sure, it's the one ending in example dot com, I've been waiting for days.",
    "Thank you, I can see both payments from the third of the month here.",
    "Can you refund one of them? Money is tight right now.",
    "I completely understand, I've issued a refund for the duplicate charge.",
    "It should be back on your card within three to five business days.",
    "Great, that's a relief, thank you for sorting it out so quickly.",
    "Is there anything else I can help you with today?",
    "No, that's everything, have a nice day.",
)


@dataclass(frozen=True)
class Shape:
    """What to generate; the marker stores it and a rebuild happens when it changes."""

    interactions: int = 1_000_000
    teams: int = 20
    agents: int = 500
    reviewers: int = 25
    weeks: int = 52
    transcript_every: int = 20  # every 20th interaction has a transcript (5%)
    review_every: int = 40  # every 40th is sampled and reviewed (2.5%), all before this week
    dispute_every: int = 20  # every 20th review is disputed (5%)
    assigned_per_reviewer: int = 40  # open assignments each, the most recent interactions
    drafts_per_reviewer: int = 5  # of which already started as drafts

    def ids(self) -> dict[str, int]:
        """Explicit user ids: admin 1, then leads, reviewers, agents."""
        lead0 = 2
        reviewer0 = lead0 + self.teams
        agent0 = reviewer0 + self.reviewers
        return {"admin": 1, "lead0": lead0, "reviewer0": reviewer0, "agent0": agent0}


def email(role: str, k: int) -> str:
    """Sign-in address of the k-th (0-based) lead, reviewer or agent; `admin` for the admin."""
    return f"admin@{DOMAIN}" if role == "admin" else f"{role}{k}@{DOMAIN}"


# --- marker --------------------------------------------------------------------------------------


def read_marker(engine: Engine) -> dict[str, Any] | None:
    """The marker row of a generated database, or None (no marker table, or an older layout)."""
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass(:t)"), {"t": MARKER}).scalar()
        if not exists:
            return None
        row = conn.execute(text(f"SELECT info FROM {MARKER} WHERE id = 1")).scalar()  # noqa: S608
    if row is None:
        return None
    info = row if isinstance(row, dict) else json.loads(row)
    return info if info.get("layout") == LAYOUT else None


def _write_marker(conn: Connection, info: dict[str, Any]) -> None:
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {MARKER} (id integer PRIMARY KEY, info json)"))
    conn.execute(text(f"DELETE FROM {MARKER}"))  # noqa: S608
    conn.execute(
        text(f"INSERT INTO {MARKER} (id, info) VALUES (1, CAST(:i AS json))"),  # noqa: S608
        {"i": json.dumps(info)},
    )


# --- build ---------------------------------------------------------------------------------------


def _people_and_scorecard(url: str, shape: Shape, end: datetime) -> dict[str, Any]:
    """Teams, users, the demo scorecard (through the app's publish service) and policies."""
    from werkzeug.security import generate_password_hash

    from qa import create_app
    from qa.demo import SCORECARD
    from qa.extensions import db
    from qa.models import SamplingPolicy, Scorecard
    from qa.services.reviews import publish_version

    ids = shape.ids()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-datagen"})
    with app.app_context():
        conn = db.session.connection()
        p = {
            "teams": shape.teams,
            "reviewers": shape.reviewers,
            "agents": shape.agents,
            "h": generate_password_hash(PASSWORD),
            "at": end - timedelta(weeks=shape.weeks + 1),
            "d": DOMAIN,
            **ids,
        }
        conn.execute(
            text(
                "INSERT INTO team (id, name, created_at, tier) "
                "SELECT t, 'Team ' || lpad(t::text, 2, '0'), :at, 1 + (t - 1) % 4 "
                "FROM generate_series(1, :teams) t"
            ),
            p,
        )
        conn.execute(
            text(
                'INSERT INTO "user" (id, email, name, password_hash, role, team_id, '
                "weekly_capacity, active, created_at) "
                "SELECT :admin, 'admin@' || :d, 'Admin', :h, 'admin', CAST(NULL AS integer), 40, true, :at "
                "UNION ALL SELECT :lead0 + k, 'lead' || k || '@' || :d, 'Lead ' || k, :h, "
                "'lead', NULL, 40, true, :at FROM generate_series(0, :teams - 1) k "
                "UNION ALL SELECT :reviewer0 + k, 'reviewer' || k || '@' || :d, "
                "'Reviewer ' || lpad(k::text, 2, '0'), :h, 'reviewer', NULL, 60, true, :at "
                "FROM generate_series(0, :reviewers - 1) k "
                "UNION ALL SELECT :agent0 + k, 'agent' || k || '@' || :d, "
                "'Agent ' || lpad(k::text, 3, '0'), :h, 'agent', 1 + k % :teams, 40, true, :at "
                "FROM generate_series(0, :agents - 1) k"
            ),
            p,
        )
        conn.execute(
            text(
                "INSERT INTO team_leads (team_id, user_id) "
                "SELECT 1 + k, :lead0 + k FROM generate_series(0, :teams - 1) k"
            ),
            p,
        )
        scorecard = Scorecard(name="Support quality", description="Default scorecard (bench)")
        db.session.add(scorecard)
        db.session.flush()
        version = publish_version(scorecard, [dict(c) for c in SCORECARD])
        version.published_at = p["at"]
        for team in range(1, shape.teams + 1):
            db.session.add(
                SamplingPolicy(
                    team_id=team,
                    name="Weekly 2.5%",
                    percentage=2.5,
                    min_per_agent=1,
                    max_per_agent=4,
                    seed=2026,
                    scorecard_id=scorecard.id,
                    channels=[],
                )
            )
        db.session.flush()
        for table in ("team", "user"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'  # noqa: S608
                )
            )
        db.session.commit()
        return {"version_id": version.id}


def _phrase(tid: str, pos: str) -> str:
    """SQL for the text of segment `pos` of transcript `tid` (evidence quotes the same text)."""
    arr = "ARRAY[" + ", ".join("'" + s.replace("'", "''") + "'" for s in PHRASES) + "]"
    return f"({arr})[1 + ({tid} + {pos}) % {len(PHRASES)}]"


def _steps(shape: Shape) -> list[tuple[str, str]]:
    """The bulk steps, in order: (name, SQL). Parameters are bound from `params`."""
    span = shape.weeks * 7 * 86400
    channels = "ARRAY[" + ", ".join(f"'{c}'" for c in CHANNELS) + "]"
    return [
        (
            "interactions",
            # chronological: started_at grows with id (with up to an hour of jitter), as imports
            # arrive; each agent belongs to team 1 + k % teams (see _people_and_scorecard)
            "INSERT INTO interaction (id, source, external_id, channel, agent_id, team_id, queue, "
            "started_at, duration_seconds, wait_seconds, first_response_seconds, csat, escalated, "
            "resolved_first_contact, status, created_at, updated_at, tier, customer) "
            "SELECT x, 'bench', 'L-' || x, ch, :agent0 + k, 1 + k % :teams, "
            "(ARRAY['billing', 'technical', 'orders', 'account'])[1 + k % 4], ts, "
            "round((60 + 1100 * r1 * r1)::numeric, 1), "
            "CASE WHEN ch = 'call' THEN round((400 * r2 * r2)::numeric, 1) END, "
            "CASE WHEN ch <> 'call' THEN round((20000 * r2 * r2 * r2)::numeric, 1) END, "
            "CASE WHEN r3 < 0.35 THEN NULL ELSE least(5, 1 + floor(r1 * 2.5 + r3 * 2.5)::int) END, "
            "r3 > 0.93, CASE WHEN r2 < 0.2 THEN NULL ELSE r1 < 0.75 END, 'scored', ts, ts, "
            "1 + (k % :teams) % 4, 'C-' || floor(random() * 150000)::int "
            "FROM (SELECT x, floor(random() * :agents)::int AS k, "
            f"({channels})[1 + floor(random() * {len(CHANNELS)})::int] AS ch, "
            "random() AS r1, random() AS r2, random() AS r3, "
            "CAST(:end AS timestamp) - make_interval(secs => "
            f"{span}.0 * (:n - x) / :n + random() * 3600) AS ts "
            "FROM generate_series(1, :n) x) s",
        ),
        (
            # the escalated ones (7%) to the next interaction, one tier up: a fifth sent back,
            # a tenth solved with a KB answer, the rest solved there (qa/tiers dashboard)
            "escalations",
            "INSERT INTO escalation (from_interaction_id, to_interaction_id, from_tier, to_tier, "
            "reason, escalated_at, seconds_to_escalate, outcome, created_at) "
            "SELECT i.id, CASE WHEN i.id < :n THEN i.id + 1 END, i.tier, least(i.tier + 1, 4), "
            "(ARRAY['needs account access', 'technical fault', 'refund over limit'])[1 + i.id % 3], "
            "i.started_at + make_interval(secs => 60 + i.id % 1800), 60 + i.id % 1800, "
            "CASE WHEN i.id % 10 < 2 THEN 'bounced_back' WHEN i.id % 10 = 2 THEN 'unnecessary' "
            "ELSE 'solved' END, i.started_at FROM interaction i WHERE i.escalated",
        ),
        (
            "transcripts",
            "INSERT INTO transcript (id, interaction_id, language, language_probability, "
            "duration_seconds, model, redactions, created_at) "
            "SELECT row_number() OVER (ORDER BY i.id), i.id, 'en', 0.98, i.duration_seconds, "
            "'tiny.en', CAST('{}' AS json), i.started_at FROM interaction i "
            "WHERE i.id % :t_every = 0 OR i.id % :r_every = 0",
        ),
        (
            "segments",
            'INSERT INTO segment (transcript_id, position, speaker, start, "end", text) '
            "SELECT t.id, p, CASE WHEN p % 2 = 1 THEN 'agent' ELSE 'customer' END, "
            f"p * 6.0, p * 6.0 + 5.5, {_phrase('t.id', 'p')} "
            "FROM transcript t, generate_series(0, 15 + t.id % 17) p",
        ),
        (
            "auto_scores",
            # evidence (for transcripts) quotes the agent turns 1 and 3, as the scorer does
            "INSERT INTO auto_score (interaction_id, criterion, value, label, evidence, "
            "model_version, created_at) "
            "SELECT id, key, v, CASE WHEN key = 'resolution' THEN "
            "CASE WHEN v >= 50 THEN 'resolved' ELSE 'unresolved' END END, "
            "CASE WHEN tid IS NULL THEN CAST('[]' AS json) ELSE json_build_array("
            f"json_build_object('turn', 1, 'speaker', 'agent', 'text', {_phrase('tid', '1')}, "
            "'weight', 0.31), "
            f"json_build_object('turn', 3, 'speaker', 'agent', 'text', {_phrase('tid', '3')}, "
            "'weight', 0.22)) END, 'bench-1', started_at "
            "FROM (SELECT i.id, i.started_at, t.id AS tid, c.key, round(((random() + random() + "
            "random()) / 3 * 100)::numeric, 1)::float8 AS v "
            "FROM interaction i LEFT JOIN transcript t ON t.interaction_id = i.id "
            "CROSS JOIN (VALUES ('empathy'), ('resolution')) c(key)) q",
        ),
        (
            "samples",
            # reviewed samples: every r_every-th interaction before this week; sample, assignment
            # and review share one id
            "INSERT INTO sample (id, policy_id, week, interaction_id, stratum, risk_reason, "
            "created_at) SELECT row_number() OVER (ORDER BY i.id), p.id, "
            "to_char(i.started_at, 'IYYY-\"W\"IW'), i.id, "
            "CASE WHEN i.id % 3 = 0 THEN 'risk' ELSE 'random' END, "
            "CASE WHEN i.id % 3 = 0 THEN 'low AutoQA' END, i.started_at "
            "FROM interaction i JOIN sampling_policy p ON p.team_id = i.team_id "
            "WHERE i.id % :r_every = 0 AND i.started_at < :week_start",
        ),
        (
            "assignments",
            "INSERT INTO assignment (id, sample_id, interaction_id, reviewer_id, status, "
            "created_at) SELECT s.id, s.id, s.interaction_id, :reviewer0 + s.id % :reviewers, "
            "'done', s.created_at FROM sample s",
        ),
        (
            "reviews",
            "INSERT INTO review (id, interaction_id, reviewer_id, scorecard_version_id, "
            "assignment_id, status, score, comment, started_at, submitted_at, acknowledged_at, "
            "duration_seconds) "
            "SELECT a.id, a.interaction_id, a.reviewer_id, :version_id, a.id, 'submitted', NULL, "
            "CASE WHEN a.id % 4 = 0 THEN 'Good call overall; see the comments per criterion.' "
            "END, sub - interval '10 minutes', sub, "
            "CASE WHEN a.id % 3 <> 0 AND sub < CAST(:end AS timestamp) - interval '2 days' "
            "THEN sub + interval '1 day' END, 60 + a.id % 600 "
            "FROM assignment a JOIN sample s ON s.id = a.sample_id "
            "CROSS JOIN LATERAL (SELECT least(s.created_at + make_interval(hours => "
            "12 + a.id % 96), CAST(:end AS timestamp) - interval '1 hour') AS sub) x",
        ),
        (
            "answers",
            # per criterion: mostly good answers, critical items failed rarely, N/A sometimes
            "INSERT INTO answer (review_id, criterion_id, value, na, comment, segment_position) "
            "SELECT rid, cid, CASE WHEN na THEN NULL ELSE lo + least(hi - lo, "
            "floor((hi - lo + 1) * power(u, CASE WHEN critical THEN 0.08 ELSE 0.5 END))::int) "
            "END, na, CASE WHEN (rid + pos) % 9 = 0 THEN 'See segment 2.' END, "
            "CASE WHEN (rid + pos) % 9 = 0 THEN 1 END "
            "FROM (SELECT r.id AS rid, c.id AS cid, c.position AS pos, c.scale_min AS lo, "
            "c.scale_max AS hi, c.critical, c.allows_na AND random() < 0.1 AS na, random() AS u "
            "FROM review r JOIN criterion c ON c.version_id = :version_id "
            "WHERE r.status = 'submitted') q",
        ),
        (
            "review_scores",
            # PRODUCT.md: weighted mean of criterion scores over answered criteria; a failed
            # critical criterion (below half its scale) sets the score to 0
            "UPDATE review r SET score = s.score FROM (SELECT a.review_id, CASE WHEN bool_or("
            "c.critical AND NOT a.na AND (a.value - c.scale_min) * 2 < c.scale_max - c.scale_min) "
            "THEN 0 ELSE round((sum((a.value - c.scale_min) * 100.0 / (c.scale_max - c.scale_min)"
            " * c.weight) FILTER (WHERE NOT a.na) / nullif(sum(c.weight) FILTER (WHERE NOT a.na),"
            " 0))::numeric, 2) END AS score FROM answer a JOIN criterion c ON c.id = "
            "a.criterion_id GROUP BY a.review_id) s WHERE r.id = s.review_id",
        ),
        (
            "disputes",
            "INSERT INTO dispute (review_id, agent_id, reason, criteria, status, resolver_id, "
            "changes, resolution_comment, score_before, score_after, created_at, resolved_at) "
            "SELECT r.id, i.agent_id, 'I followed the process, the customer had already hung up.',"
            " CAST('[]' AS json), st, CASE WHEN st <> 'open' THEN :lead0 + i.team_id - 1 END, "
            "CAST('{}' AS json), CASE WHEN st <> 'open' THEN 'Checked the call.' END, "
            "CASE WHEN st <> 'open' THEN r.score END, CASE WHEN st = 'changed' THEN "
            "least(100, r.score + 10) WHEN st = 'upheld' THEN r.score END, "
            "r.submitted_at + interval '1 day', CASE WHEN st <> 'open' THEN r.submitted_at + "
            "interval '3 days' END FROM review r JOIN interaction i ON i.id = r.interaction_id "
            "CROSS JOIN LATERAL (SELECT CASE WHEN r.submitted_at > CAST(:end AS timestamp) - "
            "interval '6 days' THEN 'open' WHEN r.id % 3 = 0 THEN 'changed' ELSE 'upheld' END "
            "AS st) d WHERE r.id % :d_every = 0",
        ),
        (
            "open_assignments",
            # the reviewers' queues: the `open` most recent interactions not reviewed, transcribed
            # ones first (1M default: the last ~15 days). No fixed date window: a window holds
            # n * days / (7 * weeks) / r_every of them, fewer than `open` at 1M (960 of 1000) and
            # far fewer at smaller scales, and every reviewer must get assigned_per_reviewer;
            # ids b+1..b+open go round the reviewers, so each gets exactly that many
            "WITH pick AS (SELECT c.id, c.team_id, c.started_at, row_number() OVER "
            "(ORDER BY c.later, c.id DESC) AS n FROM (SELECT i.id, i.team_id, i.started_at, "
            "i.id % :t_every <> 0 AS later FROM interaction i WHERE i.id % :r_every <> 0 "
            "ORDER BY later, i.id DESC LIMIT :open) c), "
            "base AS (SELECT coalesce(max(id), 0) AS b FROM sample), "
            "s AS (INSERT INTO sample (id, policy_id, week, interaction_id, stratum, created_at) "
            "SELECT b + n, p.id, to_char(pick.started_at, 'IYYY-\"W\"IW'), pick.id, 'random', "
            ":end FROM pick JOIN sampling_policy p ON p.team_id = pick.team_id, base "
            "RETURNING id, interaction_id) "
            "INSERT INTO assignment (id, sample_id, interaction_id, reviewer_id, status, "
            "created_at) SELECT s.id, s.id, s.interaction_id, :reviewer0 + s.id % :reviewers, "
            "'assigned', :end FROM s",
        ),
        (
            "drafts",
            "INSERT INTO review (id, interaction_id, reviewer_id, scorecard_version_id, "
            "assignment_id, status, started_at) "
            "SELECT a.id, a.interaction_id, a.reviewer_id, :version_id, a.id, 'draft', :end "
            "FROM (SELECT a.*, row_number() OVER (PARTITION BY a.reviewer_id ORDER BY a.id) AS n "
            "FROM assignment a WHERE a.status = 'assigned') a WHERE a.n <= :drafts",
        ),
        (
            "draft_answers",
            "INSERT INTO answer (review_id, criterion_id, value, na) "
            "SELECT r.id, c.id, c.scale_max, false FROM review r "
            "JOIN criterion c ON c.version_id = :version_id AND c.position < 3 "
            "WHERE r.status = 'draft'",
        ),
        ("analyze", "ANALYZE"),
    ]


def _sequences(conn: Connection) -> None:
    for table in (
        "interaction", "transcript", "segment", "auto_score", "sample", "assignment", "review",
        "answer", "dispute", "sampling_policy", "scorecard", "scorecard_version", "criterion",
    ):  # fmt: skip
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)'  # noqa: S608
            )
        )


HIGH_WATER = ("review", "answer", "dispute", "audit_event", "notification", "assignment", "sample")


def build(
    url: str, shape: Shape, *, log: Callable[[str], None] = print, max_seconds: float = 1800
) -> dict[str, Any]:
    """Generate into an empty, migrated database; returns (and stores) the marker info."""
    engine = create_engine(url)
    end = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    t = time.perf_counter()
    setup = _people_and_scorecard(url, shape, end)
    timings["people_scorecard"] = round(time.perf_counter() - t, 2)
    week_start = datetime.combine((end - timedelta(days=end.weekday())).date(), datetime.min.time())
    params = {
        "n": shape.interactions,
        "teams": shape.teams,
        "agents": shape.agents,
        "reviewers": shape.reviewers,
        "t_every": shape.transcript_every,
        "r_every": shape.review_every,
        "d_every": shape.dispute_every,
        "open": shape.assigned_per_reviewer * shape.reviewers,
        "drafts": shape.drafts_per_reviewer,
        "end": end,
        "week_start": week_start,
        "version_id": setup["version_id"],
        **shape.ids(),
    }
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        conn.execute(text("SET LOCAL work_mem = '64MB'"))
        conn.execute(text("SELECT setseed(0.2026)"))
        # plain indexes of the big tables are built once at the end (much faster than row by row)
        deferred = list(
            conn.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                    "AND tablename IN ('interaction', 'auto_score', 'segment') "
                    "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
                )
            )
        )
        for name, _ in deferred:
            conn.execute(text(f'DROP INDEX "{name}"'))
        steps = _steps(shape)
        at = next(k for k, (name, _) in enumerate(steps) if name == "samples")
        steps[at:at] = [(name, sql) for name, sql in deferred]
        for name, sql in steps:
            t = time.perf_counter()
            rows = conn.execute(text(sql), params).rowcount
            timings[name] = round(time.perf_counter() - t, 2)
            log(f"  {name:<40} {rows if rows >= 0 else '':>10} rows  {timings[name]:>7.1f} s")
            if time.perf_counter() - started > max_seconds:
                raise RuntimeError(f"data generation exceeded {max_seconds:.0f} s at {name}")
        _sequences(conn)
        counts = {
            table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()  # noqa: S608
            for table in (
                "interaction",
                "transcript",
                "segment",
                "auto_score",
                "review",
                "answer",
                "dispute",
                "assignment",
            )  # fmt: skip
        }
        high = {
            table: conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar()  # noqa: S608
            for table in HIGH_WATER
        }
        info = {
            "layout": LAYOUT,
            "shape": asdict(shape),
            "end": end.isoformat(),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 1),
            "timings": timings,
            "counts": counts,
            "high_water": high,
            "version_id": setup["version_id"],
        }
        _write_marker(conn, info)
    engine.dispose()
    return info


def reset(url: str, info: dict[str, Any]) -> dict[str, int]:
    """Back to the built state: delete rows a load run added, reopen assignments and drafts."""
    high, end = info["high_water"], info["end"]
    removed: dict[str, int] = {}
    engine = create_engine(url)
    with engine.begin() as conn:
        statements = {
            # Stored sums of the old state: cleared the way the app clears them (payload NULL,
            # generation bumped), not deleted, so a reader still computing from the old state
            # cannot store it (a deleted row would restart at generation 1).
            "dashboard_days": "UPDATE dashboard_day SET payload = NULL, spec = NULL, "
            "generation = generation + 1",
            "answers": "DELETE FROM answer WHERE id > :answer",
            "disputes": "DELETE FROM dispute WHERE id > :dispute",
            "notifications": "DELETE FROM notification WHERE id > :notification",
            "audit_events": "DELETE FROM audit_event WHERE id > :audit_event",
            "reviews": "DELETE FROM review WHERE id > :review",
            "reopened": "UPDATE assignment SET status = 'assigned' WHERE created_at = "
            "CAST(:end AS timestamp) AND status <> 'assigned'",
            "drafts": "UPDATE review SET status = 'draft', score = NULL, submitted_at = NULL, "
            "comment = NULL, duration_seconds = NULL "
            "WHERE started_at = CAST(:end AS timestamp) AND status <> 'draft'",
            "acknowledged": "UPDATE review SET acknowledged_at = NULL "
            "WHERE acknowledged_at > CAST(:built AS timestamp)",
        }
        p = {**high, "end": end, "built": info["built_at"][:19]}
        for name, sql in statements.items():
            removed[name] = conn.execute(text(sql), p).rowcount
        # draft answers back to the first three criteria at their maximum
        conn.execute(
            text(
                "UPDATE answer a SET value = c.scale_max, na = false, comment = NULL, "
                "segment_position = NULL FROM review r, criterion c WHERE r.id = a.review_id "
                "AND c.id = a.criterion_id AND r.started_at = CAST(:end AS timestamp)"
            ),
            p,
        )
        _sequences(conn)
    engine.dispose()
    return removed


def ensure(
    url: str,
    shape: Shape,
    *,
    rebuild: bool = False,
    allow_truncate: bool = False,
    log: Callable[[str], None] = print,
    max_seconds: float = 1800,
) -> tuple[dict[str, Any], bool]:
    """(marker info, reused?): reuse a database built with this shape, else build it.

    The database must be migrated (`flask db upgrade`). Building empties every table first, so
    a database holding anything but generated data is refused unless `allow_truncate`.
    """
    engine = create_engine(url)
    info = read_marker(engine)
    if info is not None and info["shape"] == asdict(shape) and not rebuild:
        engine.dispose()
        reset(url, info)
        return info, True
    with engine.begin() as conn:
        people = conn.execute(text('SELECT count(*) FROM "user"')).scalar()
        if people and info is None and not allow_truncate:
            engine.dispose()
            raise RuntimeError(
                f"{url} holds {people} users and no generated-data marker: refusing to empty it"
            )
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    engine.dispose()
    log(f"generating {shape.interactions:,} interactions ...")
    return build(url, shape, log=log, max_seconds=max_seconds), False


__all__ = ["DOMAIN", "LAYOUT", "PASSWORD", "Shape", "build", "email", "ensure", "reset"]
