"""Load test: concurrent reviewers, agents and leads against the real app (gunicorn, 2 workers)
on PostgreSQL with 1,000,000 interactions; throughput and p50/p95/p99 latency per page.

    .venv/bin/python bench/load.py                                  # 1M, 50 users, 120 s
    .venv/bin/python bench/load.py --interactions 100000 --duration 30 --warmup 10
    .venv/bin/python bench/load.py --pgdata /var/tmp/coachline-load  # keep the database

Without --database-url a PostgreSQL server is started with scripts/pg-temp.sh (in a temporary
directory, or in --pgdata to keep the generated database between runs) and stopped at the end.
The schema comes from the migrations (`flask db upgrade`); the data from bench/datagen.py
(server-side INSERT ... SELECT), reused when the marker table says it was built with the same
shape, and reset to its built state before each run. The app is served like `make run`:
gunicorn, 2 workers x 4 threads, on a free loopback port.

Each simulated user signs in for real (login form with its CSRF token; sign-ins ramp over 10 s
and are not measured), then loops: one page, then a think time (uniform 0 to 2 x --think s). Reviewers open their queue, open or start
the review of an interaction assigned to them, save drafts and sometimes submit; agents read
their feedback page and one of their reviews and sometimes acknowledge it; leads open the team
dashboard for a period (6, 13 or 52 weeks), the tier dashboard (qa/tiers) for the same periods,
an agent's dashboard and the disputes. Requests in
the --warmup seconds after every user signed in are not counted. Latency is measured by the client (what a user
waits); the server's own time per request comes from gunicorn's access log (%(D)s).

Prints a table, writes bench/results/load.json, and exits 1 if any request got a 5xx (or failed
to connect); the targets (p95 < 250 ms for the review page, the feedback page, the team
dashboard and the tier dashboard over their default 6-week period; zero 5xx) are printed as PASS/MISS.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # ahead of bench/, whose transcription.py shadows the package

from bench import datagen  # noqa: E402

TARGET_MS = 250
# the team dashboard as a lead opens it: /dashboard shows the last 6 weeks by default; the 13- and
# 52-week periods a lead picks are measured and reported beside it
TARGET_PAGES = ("review_page", "feedback", "team_dashboard[6w]", "tier_dashboard[6w]")
# Indexes proposed for the models: --proposed-indexes creates them in the bench database,
# otherwise they are dropped so a run measures the models' own indexes. (agent_id, started_at,
# id) was proposed here and is now the models' ix_interaction_agent_started, migration 0003.
PROPOSED_INDEXES = {
    "ix_bench_interaction_team_started_id": "interaction (team_id, started_at, agent_id, id)",
}
RETIRED_INDEXES = ("ix_bench_interaction_agent_started_id",)  # dropped if a run left them
DB_NAME = "coachline_load"
RESULTS = ROOT / "bench" / "results" / "load.json"
GUNICORN = ["--workers", "2", "--threads", "4", "--timeout", "600"]  # as `make run`
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


# --- plan: who the simulated users are and what they may open ----------------------------------


@dataclass
class Person:
    role: str
    email: str
    user_id: int
    team_id: int | None = None
    # reviewers: [(interaction id, draft review id or None)]; agents: review ids; leads: agent ids
    work: list[Any] = field(default_factory=list)
    unacknowledged: list[int] = field(default_factory=list)  # agents


@dataclass
class Plan:
    people: list[Person]
    criteria: list[tuple[int, int, int, bool]]  # (id, scale min, scale max, allows N/A)
    data_end: date  # the generated data ends here: dashboard periods are relative to it


def make_plan(url: str, info: dict[str, Any], users: int, mix: tuple[int, int, int]) -> Plan:
    """Pick the people to simulate (spread over teams) and their reviews, drafts and agents."""
    from sqlalchemy import create_engine, text

    shape = datagen.Shape(**info["shape"])
    ids = shape.ids()
    total = sum(mix)
    n_rev = round(users * mix[0] / total)
    n_lead = round(users * mix[2] / total)
    n_agent = users - n_rev - n_lead
    engine = create_engine(url)
    people: list[Person] = []
    with engine.connect() as conn:
        criteria = [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT id, scale_min, scale_max, allows_na FROM criterion "
                    "WHERE version_id = :v ORDER BY position"
                ),
                {"v": info["version_id"]},
            )
        ]
        for k in range(n_rev):
            r = k % shape.reviewers
            uid = ids["reviewer0"] + r
            work = [
                (iid, rid)
                for iid, rid in conn.execute(
                    text(
                        "SELECT a.interaction_id, r.id FROM assignment a LEFT JOIN review r "
                        "ON r.interaction_id = a.interaction_id AND r.reviewer_id = a.reviewer_id "
                        "AND r.status = 'draft' WHERE a.reviewer_id = :u "
                        "AND a.status = 'assigned' ORDER BY a.id"
                    ),
                    {"u": uid},
                )
            ]
            if k >= shape.reviewers:  # more simulated reviewers than people: share the work
                work = work[len(work) // 2 :]
            people.append(Person("reviewer", datagen.email("reviewer", r), uid, work=work))
        step = max(1, shape.agents // max(n_agent, 1))
        for k in range(n_agent):
            a = (k * step) % shape.agents
            uid = ids["agent0"] + a
            rows = conn.execute(
                text(
                    "SELECT r.id, r.acknowledged_at IS NULL FROM review r JOIN interaction i "
                    "ON i.id = r.interaction_id WHERE i.agent_id = :u "
                    "AND r.status = 'submitted' ORDER BY r.submitted_at DESC"
                ),
                {"u": uid},
            ).all()
            people.append(
                Person(
                    "agent",
                    datagen.email("agent", a),
                    uid,
                    team_id=1 + a % shape.teams,
                    work=[r[0] for r in rows],
                    unacknowledged=[r[0] for r in rows if r[1]],
                )
            )
        for k in range(n_lead):
            t = k % shape.teams
            agents = [
                r[0]
                for r in conn.execute(
                    text("SELECT id FROM \"user\" WHERE team_id = :t AND role = 'agent'"),
                    {"t": t + 1},
                )
            ]
            people.append(
                Person("lead", datagen.email("lead", t), ids["lead0"] + t, t + 1, work=agents)
            )
    engine.dispose()
    return Plan(people, criteria, datetime.fromisoformat(info["end"]).date())


# --- simulated users ---------------------------------------------------------------------------


class Stats:
    """Thread-safe samples: (page, variant, seconds, status) with the time they finished."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[tuple[str, str, float, int | str, float]] = []

    def add(self, page: str, variant: str, seconds: float, status: int | str) -> None:
        with self.lock:
            self.samples.append((page, variant, seconds, status, time.monotonic()))


@dataclass
class Settings:
    base: str
    think: float  # mean think time, seconds
    periods: list[tuple[int, float]]  # dashboard period in weeks, weight
    timeout: float = 30.0


class User(threading.Thread):
    """One signed-in person with their own session, looping until `stop` is set."""

    EXPECTED = {"GET": 200, "POST": 302}

    def __init__(
        self, person: Person, plan: Plan, settings: Settings, stats: Stats, stop: threading.Event,
        seed: int, signed_in: threading.Semaphore, start_delay: float = 0.0,
    ) -> None:  # fmt: skip
        super().__init__(daemon=True, name=f"{person.role}:{person.email}")
        self.person, self.plan, self.settings = person, plan, settings
        self.stats, self.stop = stats, stop
        self.rng = random.Random(seed)
        self.start_delay = start_delay
        self.session = requests.Session()
        # gunicorn closes idle keep-alive connections after 2 s, racing a request sent on them
        # after a think time ("connection reset"); a browser would retry, here: one connection
        # per request (cheap on loopback)
        self.session.headers["Connection"] = "close"
        self.signed_in = signed_in
        self.csrf = ""
        self.csrf_fresh = False
        self.draft: int | None = None  # reviewers: the review being scored
        self.errors: list[str] = []

    # one request, timed; redirects are not followed (each page is measured on its own)
    def call(
        self, page: str, method: str, path: str, data: dict | None = None, variant: str = ""
    ) -> requests.Response | None:
        t = time.perf_counter()
        try:
            response = self.session.request(
                method,
                self.settings.base + path,
                data=data,
                allow_redirects=False,
                timeout=self.settings.timeout,
            )
        except requests.RequestException as exc:
            self.stats.add(page, variant, time.perf_counter() - t, "exception")
            if len(self.errors) < 5:
                self.errors.append(f"{method} {path}: {type(exc).__name__}: {exc}")
            return None
        self.stats.add(page, variant, time.perf_counter() - t, response.status_code)
        if response.status_code != self.EXPECTED[method] and len(self.errors) < 5:
            self.errors.append(f"{method} {path}: {response.status_code}")
        # the token is the session's, the same on every page: read it once after signing in
        # (parsing every page would cost the client more CPU than the server it measures)
        if method == "GET" and not self.csrf_fresh and response.status_code == 200:
            found = CSRF.search(response.text)
            if found:
                self.csrf, self.csrf_fresh = found.group(1), True
        return response

    def login(self) -> bool:
        self.call("login_form", "GET", "/login")
        response = self.call(
            "login",
            "POST",
            "/login",
            {"csrf_token": self.csrf, "email": self.person.email, "password": datagen.PASSWORD},
        )
        self.csrf_fresh = False  # signing in may start a new session
        return response is not None and response.status_code == 302

    def run(self) -> None:
        try:
            if self.stop.wait(self.start_delay):
                return
            if not self.login():
                self.errors.append(f"login failed for {self.person.email}")
                return
        finally:
            self.signed_in.release()
        act = {"reviewer": self.reviewer, "agent": self.agent, "lead": self.lead}[self.person.role]
        while not self.stop.is_set():
            act()
            if self.settings.think > 0 and self.stop.wait(
                self.rng.uniform(0, 2 * self.settings.think)
            ):
                break

    # reviewers: queue 25%, review page 45%, save a draft 20%, submit 10%. The last assignment
    # is saved, never submitted: a reviewer who ran out of work would only open the queue (and
    # reviewers start working as soon as they sign in, during the ramp, before the measurement)
    def reviewer(self) -> None:
        roll = self.rng.random()
        if roll < 0.25 or (self.draft is None and not self.person.work):
            self.call("queue", "GET", "/queue")
            return
        if self.draft is None:
            iid, rid = self.person.work[0]
            if rid is None:
                response = self.call(
                    "review_start", "POST", f"/interactions/{iid}/review", {"csrf_token": self.csrf}
                )
                match = (
                    re.search(r"/reviews/(\d+)/edit", response.headers.get("Location", ""))
                    if response
                    else None
                )
                if match is None:
                    self.person.work.pop(0)
                    return
                rid = int(match.group(1))
                self.person.work[0] = (iid, rid)
            self.draft = rid
            self.call("review_page", "GET", f"/reviews/{rid}/edit")
            return
        if roll < 0.70:
            self.call("review_page", "GET", f"/reviews/{self.draft}/edit")
            return
        submit = roll >= 0.90 and len(self.person.work) > 1
        data: dict[str, Any] = {"csrf_token": self.csrf, "comment": "Clear call.", "elapsed": "42"}
        for cid, lo, hi, allows_na in self.plan.criteria:
            if not submit and self.rng.random() < 0.5:
                continue
            data[f"c_{cid}"] = (
                "na" if allows_na and self.rng.random() < 0.1 else str(self.rng.randint(lo, hi))
            )
        data["submit" if submit else "save"] = "Submit review" if submit else "Save draft"
        response = self.call(
            "review_submit" if submit else "review_save",
            "POST",
            f"/reviews/{self.draft}/edit",
            data,
        )
        if submit and response is not None and response.status_code == 302:
            self.person.work.pop(0)
            self.draft = None

    # agents: feedback page 50%, one of their reviews 45%, acknowledge one 5%
    def agent(self) -> None:
        roll = self.rng.random()
        if roll < 0.5 or not self.person.work:
            self.call("feedback", "GET", "/feedback")
        elif roll < 0.95 or not self.person.unacknowledged:
            rid = self.rng.choice(self.person.work[:20])  # recent feedback is read most
            self.call("review_show", "GET", f"/reviews/{rid}")
        else:
            rid = self.person.unacknowledged.pop()
            self.call(
                "acknowledge", "POST", f"/reviews/{rid}/acknowledge", {"csrf_token": self.csrf}
            )

    def _period(self) -> tuple[int, str]:
        from qa.services.dashboard import default_period

        weeks = self.rng.choices(
            [w for w, _ in self.settings.periods], [p for _, p in self.settings.periods]
        )[0]
        period = default_period(self.plan.data_end, weeks)
        return weeks, f"start={period.start}&end={period.end}"

    # leads: team dashboard 35%, tier dashboard 20%, an agent's dashboard 25%, disputes 20%
    def lead(self) -> None:
        roll = self.rng.random()
        if roll < 0.35:
            weeks, query = self._period()
            self.call(
                "team_dashboard", "GET", f"/dashboard?team={self.person.team_id}&{query}",
                variant=f"{weeks}w",
            )  # fmt: skip
        elif roll < 0.55:
            weeks, query = self._period()
            self.call(
                "tier_dashboard", "GET", f"/tiers/?team={self.person.team_id}&{query}",
                variant=f"{weeks}w",
            )  # fmt: skip
        elif roll < 0.8 and self.person.work:
            weeks, query = self._period()
            agent = self.rng.choice(self.person.work)
            self.call(
                "agent_dashboard", "GET", f"/dashboard/agents/{agent}?{query}", variant=f"{weeks}w"
            )
        else:
            self.call("disputes", "GET", "/disputes")


def run_users(
    plan: Plan, settings: Settings, *, duration: float, warmup: float, seed: int = 1,
    on_measure: Any = None,
) -> tuple[Stats, float, float, list[str]]:  # fmt: skip
    """Sign every user in (ramped over 10 s), then `warmup` seconds, then `duration` measured
    seconds; returns the stats, the monotonic bounds of the measured window and sample errors.
    Sign-ins are not measured: scrypt makes them deliberately slow and they happen once."""
    stats, stop = Stats(), threading.Event()
    n = len(plan.people)
    signed_in = threading.Semaphore(0)
    users = [
        User(p, plan, settings, stats, stop, seed * 1000 + k, signed_in, k * 10 / max(n, 1))
        for k, p in enumerate(plan.people)
    ]
    for u in users:
        u.start()
    try:
        deadline = time.monotonic() + 10 + 2 * settings.timeout
        for _ in users:  # bounded: a user that cannot sign in gives up after its timeouts
            signed_in.acquire(timeout=max(0.1, deadline - time.monotonic()))
        stop.wait(warmup)
        measured_from = time.monotonic()
        if on_measure is not None:
            on_measure()
        stop.wait(duration)
        measured_to = time.monotonic()
    finally:
        stop.set()
        deadline = time.monotonic() + settings.timeout + 5
        for u in users:
            u.join(max(0.1, deadline - time.monotonic()))
    errors = [e for u in users for e in u.errors]
    return stats, measured_from, measured_to, errors


# --- statistics --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted `values` (q in 0..100)."""
    if not values:
        return float("nan")
    rank = max(1, min(len(values), math.ceil(q / 100 * len(values))))
    return values[rank - 1]


def summarize(
    samples: list[tuple[str, str, float, int | str, float]], t0: float, t1: float,
    server: dict[str, list[float]] | None = None,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Per page (and page[variant]): count, req/s, p50/p95/p99/max ms, status counts."""
    groups: dict[str, list[tuple[float, int | str]]] = defaultdict(list)
    for page, variant, seconds, status, at in samples:
        if t0 <= at <= t1:
            groups[page].append((seconds, status))
            if variant:
                groups[f"{page}[{variant}]"].append((seconds, status))
    window = max(t1 - t0, 1e-9)
    out: dict[str, dict[str, Any]] = {}
    for page in sorted(groups, key=lambda p: (p.split("[")[0], p)):
        row = _latency_row(groups[page], window)
        if server and page in server and server[page]:
            svals = sorted(server[page])
            row["server_p50_ms"] = round(percentile(svals, 50), 1)
            row["server_p95_ms"] = round(percentile(svals, 95), 1)
        out[page] = row
    every = [(s, status) for _, _, s, status, at in samples if t0 <= at <= t1]
    if every:
        out["TOTAL"] = _latency_row(every, window)
    return out


def _latency_row(timed: list[tuple[float, Any]], window: float) -> dict[str, Any]:
    """Requests, rate, percentiles and statuses of (seconds, status) samples."""
    values = sorted(s * 1000 for s, _ in timed)
    statuses: dict[str, int] = defaultdict(int)
    for _, status in timed:
        statuses[str(status)] += 1
    return {
        "requests": len(values),
        "rps": round(len(values) / window, 2),
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "p99_ms": round(percentile(values, 99), 1),
        "max_ms": round(values[-1], 1),
        "status": dict(statuses),
        "errors_5xx": sum(n for s, n in statuses.items() if s.startswith("5")),
        "failed": statuses.get("exception", 0),
    }


# Server-side time per page from gunicorn's access log: "METHOD PATH STATUS MICROSECONDS".
ROUTES = [
    ("login_form", "GET", r"/login"),
    ("login", "POST", r"/login"),
    ("queue", "GET", r"/queue"),
    ("review_start", "POST", r"/interactions/\d+/review"),
    ("review_page", "GET", r"/reviews/\d+/edit"),
    ("review_save", "POST", r"/reviews/\d+/edit"),  # save and submit share the URL
    ("feedback", "GET", r"/feedback"),
    ("review_show", "GET", r"/reviews/\d+"),
    ("acknowledge", "POST", r"/reviews/\d+/acknowledge"),
    ("team_dashboard", "GET", r"/dashboard"),
    ("agent_dashboard", "GET", r"/dashboard/agents/\d+"),
    ("disputes", "GET", r"/disputes"),
    ("tier_dashboard", "GET", r"/tiers/"),
]


def server_times(log: Path, offset: int) -> dict[str, list[float]]:
    """Milliseconds per page from the access log, from byte `offset` (the warm-up's end) on."""
    out: dict[str, list[float]] = defaultdict(list)
    if not log.exists():
        return out
    with log.open("rb") as f:
        f.seek(offset)
        lines = f.read().decode(errors="replace").splitlines()
    compiled = [(name, method, re.compile(pattern + "$")) for name, method, pattern in ROUTES]
    for line in lines:
        parts = line.split()
        if len(parts) != 4 or not parts[3].isdigit():
            continue
        method, path, _status, micros = parts
        name = next((n for n, m, p in compiled if m == method and p.match(path)), None)
        if name:
            out[name].append(int(micros) / 1000)
    return out


# --- processes: PostgreSQL, migrations, gunicorn ----------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Postgres:
    """A server started with scripts/pg-temp.sh in `directory`; stop() stops it."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory, self.port = directory, port
        self.bin = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
        )[-1]
        self.started = False

    def start(self) -> str:
        data = self.directory / "data"
        if (data / "postmaster.pid").exists():  # left over by a killed run of this script
            subprocess.run(
                _as_postgres([str(self.bin / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                capture_output=True,
                check=False,
            )
        subprocess.run(
            [str(ROOT / "scripts" / "pg-temp.sh"), str(self.directory), str(self.port)],
            check=True,
            capture_output=True,
            text=True,
        )
        self.started = True
        from sqlalchemy import create_engine, text

        admin = create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres",
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            if not conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": DB_NAME}
            ).scalar():
                conn.execute(text(f"CREATE DATABASE {DB_NAME}"))
        admin.dispose()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DB_NAME}"

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                _as_postgres(
                    [
                        str(self.bin / "pg_ctl"),
                        "-D",
                        str(self.directory / "data"),
                        "-m",
                        "fast",
                        "-w",
                        "stop",
                    ]
                ),
                capture_output=True,
                check=False,
                timeout=60,
            )
            self.started = False


def app_env(url: str, instance: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "FLASK_APP": "wsgi",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TRANSFORMERS_VERBOSITY": "error",
            "QA_DATABASE_URL": url,
            "QA_INSTANCE_PATH": str(instance),
            "QA_SECRET_KEY": "coachline-load-bench",
            # every simulated user signs in from 127.0.0.1
            "QA_LOGIN_RATE_LIMIT": "100000 per minute",
        }
    )
    env.pop("QA_CELERY_BROKER_URL", None)
    return env


def flask_cli(url: str, instance: Path, *args: str, timeout: float = 300) -> str:
    """Run a `flask` command of the app against the bench database; its output."""
    flask = Path(sys.executable).parent / "flask"
    done = subprocess.run(
        [str(flask), *args], cwd=ROOT, env=app_env(url, instance),
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout.strip()


def migrate(url: str, instance: Path) -> None:
    flask_cli(url, instance, "db", "upgrade")


class Gunicorn:
    """The app served like `make run`, in its own process group, with an access log."""

    def __init__(self, url: str, instance: Path, port: int, log: Path) -> None:
        self.port, self.log = port, log
        exe = Path(sys.executable).parent / "gunicorn"
        self.cmd = [
            str(exe), *GUNICORN, "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log),
            "--access-logformat", "%(m)s %(U)s %(s)s %(D)s", "wsgi:app",
        ]  # fmt: skip
        self.errlog = log.with_suffix(".err")
        self.proc = subprocess.Popen(  # noqa: S603
            self.cmd,
            cwd=ROOT,
            env=app_env(url, instance),
            stdout=subprocess.DEVNULL,
            stderr=self.errlog.open("wb"),
            start_new_session=True,
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.errlog.read_text()[-2000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base + "/login", timeout=5).status_code == 200:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


# --- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--database-url", help="a migrated PostgreSQL database to use (no server started)"
    )
    p.add_argument("--pgdata", type=Path, help="keep the PostgreSQL server's files here (reuse)")
    p.add_argument("--interactions", type=int, default=1_000_000)
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--mix", default="2:2:1", help="reviewers:agents:leads (default 2:2:1)")
    p.add_argument("--duration", type=float, default=120, help="measured seconds")
    p.add_argument(
        "--warmup", type=float, default=20, help="seconds after the sign-ins before measuring"
    )
    p.add_argument("--think", type=float, default=1.0, help="mean think time between pages, s")
    p.add_argument(
        "--periods", default="6:0.6,13:0.3,52:0.1",
        help="dashboard periods in weeks and their weights (default 6:0.6,13:0.3,52:0.1)",
    )  # fmt: skip
    p.add_argument("--rebuild", action="store_true", help="generate the data again")
    p.add_argument(
        "--proposed-indexes", action="store_true",
        help="add the indexes proposed for the models (see PROPOSED_INDEXES) before the run",
    )  # fmt: skip
    p.add_argument("--max-build-seconds", type=float, default=1800)
    p.add_argument(
        "--cold-dashboards",
        action="store_true",
        help="skip `flask dashboard refresh`: dashboards fill the stored days as they go",
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=RESULTS)
    return p.parse_args(argv)


def set_indexes(url: str, proposed: bool) -> None:
    """Create (or drop) the proposed indexes in the bench database, then ANALYZE."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        for name in RETIRED_INDEXES:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
        for name, spec in PROPOSED_INDEXES.items():
            sql = (
                f"CREATE INDEX IF NOT EXISTS {name} ON {spec}"
                if proposed
                else f"DROP INDEX IF EXISTS {name}"
            )
            conn.execute(text(sql))
        conn.execute(text("ANALYZE interaction"))
    engine.dispose()


def db_facts(url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        facts = {
            "server_version": conn.execute(text("SHOW server_version")).scalar(),
            "size_mb": round(
                conn.execute(text("SELECT pg_database_size(current_database())")).scalar() / 2**20
            ),
            "shared_buffers": conn.execute(text("SHOW shared_buffers")).scalar(),
        }
    engine.dispose()
    return facts


def report(result: dict[str, Any]) -> None:
    pages = result["pages"]
    print(
        f"\n{'page':<26}{'reqs':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'srv p95':>9}  statuses"
    )
    for name, r in pages.items():
        label = name if "[" not in name else "  " + name[name.index("[") :]
        label = "TOTAL" if name == "TOTAL" else label
        statuses = " ".join(f"{s}:{n}" for s, n in sorted(r["status"].items()))
        srv = r.get("server_p95_ms")
        print(
            f"{label:<26}{r['requests']:>7}{r['rps']:>8.1f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
            f"{r['p99_ms']:>9.1f}{r['max_ms']:>9.1f}{(f'{srv:.1f}' if srv else '-'):>9}  {statuses}"
        )
    print()
    for line in result["verdicts"]:
        print(line)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mix = tuple(int(x) for x in args.mix.split(":"))
    periods = [(int(w), float(p)) for w, p in (x.split(":") for x in args.periods.split(","))]
    shape = datagen.Shape(interactions=args.interactions)
    work = Path(tempfile.mkdtemp(prefix="coachline-load-"))
    pg: Postgres | None = None
    server: Gunicorn | None = None
    load_before = os.getloadavg()

    def terminate(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, terminate)
    try:
        if args.database_url:
            url = args.database_url
        else:
            pgdir = args.pgdata or work / "pg"
            pg = Postgres(pgdir, free_port())
            print(f"starting PostgreSQL in {pgdir} on port {pg.port} ...", flush=True)
            url = pg.start()
        instance = work / "instance"
        t = time.perf_counter()
        migrate(url, instance)
        print(f"migrated ({time.perf_counter() - t:.1f} s)", flush=True)
        info, reused = datagen.ensure(
            url, shape, rebuild=args.rebuild, allow_truncate=args.rebuild or not args.database_url,
            log=lambda s: print(s, flush=True), max_seconds=args.max_build_seconds,
        )  # fmt: skip
        print(
            ("reused" if reused else "built")
            + f" database: {info['counts']} (build {info['seconds']} s)",
            flush=True,
        )
        set_indexes(url, args.proposed_indexes)
        prefill: dict[str, Any] = {"ran": False}
        if not args.cold_dashboards:
            # what the nightly `flask dashboard refresh` leaves: closed days stored (the reset
            # above cleared them, since it rewinds reviews with SQL the app doesn't see)
            t = time.perf_counter()
            out = flask_cli(url, instance, "dashboard", "refresh", "--days", "400", timeout=1800)
            prefill = {"ran": True, "seconds": round(time.perf_counter() - t, 1), "output": out}
            print(f"dashboard refresh: {out}", flush=True)
        plan = make_plan(url, info, args.users, mix)  # type: ignore[arg-type]
        log = work / "access.log"
        server = Gunicorn(url, instance, free_port(), log)
        server.wait_ready()
        print(
            f"serving on {server.base}; {len(plan.people)} users "
            f"({args.mix} reviewers:agents:leads), warm-up {args.warmup:.0f} s, "
            f"measuring {args.duration:.0f} s, think {args.think} s",
            flush=True,
        )
        settings = Settings(server.base, args.think, periods)
        offset = {"bytes": 0}

        def mark_warmup_end() -> None:
            offset["bytes"] = log.stat().st_size if log.exists() else 0

        cpu = time.process_time()
        stats, t0, t1, errors = run_users(
            plan, settings, duration=args.duration, warmup=args.warmup, seed=args.seed,
            on_measure=mark_warmup_end,
        )  # fmt: skip
        client_cpu = time.process_time() - cpu
        server.stop()  # flushes the access log
        pages = summarize(stats.samples, t0, t1, server_times(log, offset["bytes"]))
        facts = db_facts(url)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping gunicorn and PostgreSQL", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            server.stop()
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)  # the server (with --pgdata) lives elsewhere

    verdicts = []
    for page in TARGET_PAGES:
        r = pages.get(page)
        ok = r is not None and r["p95_ms"] < TARGET_MS
        p95 = f"{r['p95_ms']:.0f} ms" if r else "no requests"
        verdicts.append(f"{'PASS' if ok else 'MISS'}  {page}: p95 {p95} (target < {TARGET_MS} ms)")
    every = pages.get("team_dashboard")
    if every is not None:
        verdicts.append(
            f"info  team_dashboard, every period ({args.periods}): p95 {every['p95_ms']:.0f} ms"
        )
    total = pages.get("TOTAL", {})
    n5xx, failed = total.get("errors_5xx", 0), total.get("failed", 0)
    verdicts.append(
        f"{'PASS' if n5xx == 0 else 'MISS'}  5xx responses: {n5xx} (target 0)"
        + (f"; {failed} requests failed without a response" if failed else "")
    )
    result = {
        "benchmark": "load: concurrent users against gunicorn (2 workers x 4 threads) + PostgreSQL",
        "date": datetime.now().isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "bench/load.py", *(argv or sys.argv[1:])]),
        "parameters": {
            "users": len(plan.people),
            "mix_reviewers_agents_leads": args.mix,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "think_mean_s": args.think,
            "dashboard_periods_weeks": dict(periods),
            "gunicorn": GUNICORN,
            "proposed_indexes": PROPOSED_INDEXES if args.proposed_indexes else {},
            "dashboard_days_prefilled": prefill,
            "seed": args.seed,
        },
        "data": {
            "shape": info["shape"],
            "counts": info["counts"],
            "build_seconds": info["seconds"],
            "build_timings": info["timings"],
            "reused": reused,
            "data_end": info["end"],
        },
        "database": facts,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            # CPU the simulated users took on the same machine (warm-up and sign-ins included)
            "client_cpu_seconds": round(client_cpu, 1),
        },
        "targets": {"p95_ms": TARGET_MS, "pages": list(TARGET_PAGES), "errors_5xx": 0},
        "pages": pages,
        "verdicts": verdicts,
        "sample_errors": errors[:20],
    }
    print(
        f"\n{facts['server_version']=} db {facts['size_mb']} MB; {os.cpu_count()} cpus, "
        f"{platform.platform()}; load average before {result['machine']['load_average_before']}"
        f" after {result['machine']['load_average_after']}; the simulated users used "
        f"{client_cpu:.0f} s of CPU"
    )
    report(result)
    if errors:
        print("\nsample errors:\n  " + "\n  ".join(errors[:10]))
    if n5xx or failed:
        print(f"\n!!! {n5xx} SERVER ERRORS (5xx) and {failed} failed requests !!!", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    return 1 if n5xx or failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
