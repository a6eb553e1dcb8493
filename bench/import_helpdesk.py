"""Benchmark the helpdesk import: a synthetic Zendesk export, streamed and stored in batches.

    python bench/import_helpdesk.py [--tickets 10000] [--comments 6] [--database-url URL]
                                    [--label before]

Writes a JSON array of `--tickets` Zendesk tickets (each with `--comments` comments: requester
and agent turns alternating, HTML and plain bodies, quoted replies, signatures, one private note
in three tickets), and a users export, into a temporary folder; migrates a fresh database (an
SQLite file there by default) with 50 agents in 5 teams; then imports the export with the same
code as `flask helpdesk import zendesk FILE --users USERS --no-process`: **AutoQA is off**
(process="none"): the target is "<= 60 s plus AutoQA time", and AutoQA's own throughput is
measured by bench/autoqa.py. Prints a table (tickets, comments, seconds, peak RSS) and merges
the run into bench/results/import_helpdesk.json, keyed `BACKEND-TICKETS[-LABEL]` (a label keeps
e.g. a run of the code before a change beside the current one). The load average before the
run is recorded: the 2 cores may be shared with other jobs, which inflates the seconds and, less,
the CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QA_INSTANCE_PATH", tempfile.mkdtemp(prefix="coachline-bench-"))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from qa import create_app  # noqa: E402
from qa.extensions import db  # noqa: E402
from qa.models import Interaction, Role, Segment, Team, User  # noqa: E402
from qa.services.helpdesk import import_export, read_users  # noqa: E402
from qa.services.ingest import IngestSettings  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "import_helpdesk.json"
AGENTS, TEAMS = 50, 5
START = datetime(2026, 11, 2, 8, 0)
CUSTOMER = [
    "<p>Hello,</p><p>I was charged <b>twice</b> for order {n}. Can you check?</p>"
    "<p>Best regards,<br>Customer {n}<br>ACME Ltd</p>",
    "Thanks, but the refund for {n} is still not on my card.\n\nSent from my iPhone\n\n"
    "On Mon, 2 Nov 2026 at 09:00, Support <help@shop.test> wrote:\n> We refunded it.",
    "Bonjour, ma commande {n} est arrivée cassée.\n\nCordialement,\nClient {n}",
]
AGENT = [
    "I'm so sorry about the double charge on order {n}; I have refunded the duplicate now.",
    "<p>I understand how frustrating this is. Here is what happens next:</p>"
    "<ol><li>The bank posts the refund</li><li>It shows within <a href='https://x'>5 days</a></li></ol>",
    "Je suis désolée, je vous envoie un remplacement pour {n} aujourd'hui.\n-- \nSupport",
]


def _ticket(n: int, comments: int) -> dict[str, Any]:
    created = START + timedelta(minutes=7 * n)
    agent_id = 1000 + n % AGENTS
    body = []
    for k in range(comments):
        agent_turn = k % 2 == 1
        text = (AGENT if agent_turn else CUSTOMER)[(n + k) % 3].format(n=n)
        key = "html_body" if text.startswith("<") else "body"
        body.append({"id": n * 100 + k, "author_id": agent_id if agent_turn else 10 + n % 900,
                     "public": not (agent_turn and n % 3 == 0 and k == 1), key: text,
                     "created_at": (created + timedelta(minutes=5 * k)).isoformat() + "Z"})  # fmt: skip
    return {"id": n, "subject": f"Order {n}", "status": "solved" if n % 20 else "open",
            "created_at": created.isoformat() + "Z", "requester_id": 10 + n % 900,
            "assignee_id": agent_id, "via": {"channel": ("email", "chat", "web")[n % 3]},
            "tags": ["billing" if n % 2 else "delivery", f"p{n % 4}"],
            "satisfaction_rating": {"score": ("good", "bad", "offered")[n % 3]},
            "comments": body}  # fmt: skip


def write_export(folder: Path, tickets: int, comments: int) -> tuple[Path, Path]:
    """The export (a JSON array written ticket by ticket) and its users file."""
    export, users = folder / "tickets.json", folder / "users.json"
    with export.open("w", encoding="utf-8") as fh:
        fh.write("[\n")
        for n in range(1, tickets + 1):
            fh.write(("," if n > 1 else "") + json.dumps(_ticket(n, comments)) + "\n")
        fh.write("]\n")
    people = [
        {"id": 1000 + a, "email": f"agent{a}@shop.test", "role": "agent"} for a in range(AGENTS)
    ]
    people += [{"id": 10 + c, "email": f"c{c}@mail.test", "role": "end-user"} for c in range(900)]
    users.write_text(json.dumps(people))
    return export, users


def _agents() -> None:
    teams = [Team(name=f"Team {t}") for t in range(TEAMS)]
    db.session.add_all(teams)
    for a in range(AGENTS):
        user = User(email=f"agent{a}@shop.test", name=f"Agent {a}", role=Role.AGENT,
                    team=teams[a % TEAMS], password_hash="x")  # fmt: skip
        db.session.add(user)
    db.session.commit()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=6)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--label", default="", help="suffix of the run's key in the results")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="coachline-import-"))
    export, users_file = write_export(folder, args.tickets, args.comments)
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(folder / "rec")})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        _agents()
        rss_before = _rss_mb()
        load_before = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        with export.open(encoding="utf-8") as stream:
            report = import_export(
                stream, "zendesk", settings=IngestSettings.from_config(app.config), actor=None,
                users=read_users(users_file.open()), process="none",
            )  # fmt: skip
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        stored = db.session.scalar(select(func.count(Interaction.id)))
        segments = db.session.scalar(select(func.count(Segment.id)))
    run = {
        "date": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "backend": url.split(":")[0], "tickets": report.tickets, "comments": report.comments,
        "created": len(report.created), "open_skipped": report.open_skipped,
        "errors": len(report.errors), "interactions": stored, "segments": segments,
        "export_mb": round(export.stat().st_size / 2**20, 1), "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
        "tickets_per_second": round(report.tickets / seconds), "autoqa": "off (process=none)",
        "rss_before_mb": round(rss_before), "peak_rss_mb": round(_rss_mb()),
        "load_average_before": round(load_before, 2),
    }  # fmt: skip
    print(f"{'tickets':>8} {'comments':>9} {'stored':>7} {'seconds':>8} {'CPU s':>6} "
          f"{'tickets/s':>9} {'peak RSS':>9}  (AutoQA off; RSS before import "
          f"{run['rss_before_mb']} MB; load average before {run['load_average_before']})")  # fmt: skip
    print(f"{run['tickets']:>8} {run['comments']:>9} {stored:>7} {run['seconds']:>8} "
          f"{run['cpu_seconds']:>6} {run['tickets_per_second']:>9} {run['peak_rss_mb']:>6} MB")  # fmt: skip
    results = json.loads(args.out.read_text()) if args.out.is_file() else {"runs": {}}
    results["machine"] = {"cores": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version()}  # fmt: skip
    key = f"{run['backend']}-{args.tickets}" + (f"-{args.label}" if args.label else "")
    results["runs"][key] = run
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return 0 if report.tickets == args.tickets else 1


if __name__ == "__main__":
    raise SystemExit(main())
