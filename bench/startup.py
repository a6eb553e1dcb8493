"""AutoQA start-up benchmark: how long until the shipped model can score, without the scoring.

python bench/startup.py [--runs 5] [--root DIR] [--out bench/results/startup.json]

Each run is a fresh interpreter (nothing cached in the process, the OS file cache warm after the
first run), timed from just before it is spawned:

* ``import``: interpreter start-up + ``import scoring``;
* ``heads``: ``load_default_model()`` (the joblib heads; the encoder is lazy);
* ``encoder``: the MiniLM weights and tokenizer loaded (first use of the encoder);
* ``first``: one 10-turn conversation scored (the first prediction is ready);
* ``cli``: the whole ``python -m scoring predict`` on a one-conversation file (wall-clock).

Reports min and median over the runs (the machine is shared, so the median moves; the min is
the better estimate of the cost itself), plus the modules loaded and whether transformers was.
``--root`` runs the same measurement against another checkout (e.g. an older commit).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("import", "heads", "encoder", "first", "cli")

# Runs in the child; prints wall-clock stamps (time.time(), the clock the parent also reads).
CHILD = r"""
import json, sys, time
import scoring
t_import = time.time()
model = scoring.load_default_model()
t_heads = time.time()
_ = model.encoder.dim
t_encoder = time.time()
turns = [scoring.Turn("customer" if k % 2 == 0 else "agent",
                      f"Turn {k}: my parcel has not arrived yet, could you check it please?")
         for k in range(10)]
model.predict([turns])
t_first = time.time()
print(json.dumps({"import": t_import, "heads": t_heads, "encoder": t_encoder, "first": t_first,
                  "modules": len(sys.modules), "transformers": "transformers" in sys.modules,
                  "sklearn_linear_model": "sklearn.linear_model" in sys.modules}))
"""

ONE = {"id": "startup-1", "turns": [
    {"speaker": "customer", "text": "My parcel has not arrived."},
    {"speaker": "agent", "text": "I'm sorry about that, I'll check with the courier now."},
]}


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    return env


def run_phases(root: Path, python: str) -> dict[str, Any]:
    """One fresh interpreter: seconds from spawn to each phase's end, cumulative."""
    start = time.time()
    out = subprocess.run([python, "-c", CHILD], cwd=root, env=child_env(), check=True,
                         capture_output=True, text=True).stdout
    stamps = json.loads(out.strip().splitlines()[-1])
    row = {phase: round(stamps[phase] - start, 3) for phase in PHASES[:-1]}
    row.update({k: stamps[k] for k in ("modules", "transformers", "sklearn_linear_model")})
    return row


def run_cli(root: Path, python: str, tmp: Path) -> float:
    """Wall-clock of `python -m scoring predict` on a one-conversation file."""
    src, dst = tmp / "one.jsonl", tmp / "out.jsonl"
    src.write_text(json.dumps(ONE) + "\n", encoding="utf-8")
    start = time.time()
    subprocess.run([python, "-m", "scoring", "predict", str(src), str(dst)], cwd=root,
                   env=child_env(), check=True, capture_output=True)
    return round(time.time() - start, 3)


def summarise(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """min / median of each phase (cumulative seconds since spawn) over the runs."""
    out: dict[str, dict[str, float]] = {}
    for phase in PHASES:
        values = [r[phase] for r in rows]
        out[phase] = {"min": min(values), "median": round(statistics.median(values), 3)}
    return out


def print_table(label: str, summary: dict[str, dict[str, float]], rows: list[dict[str, Any]]
                ) -> None:
    print(f"\n{label}: {len(rows)} fresh interpreters, seconds since spawn (cumulative)")
    print(f"{'phase':<10}{'min':>8}{'median':>9}")
    for phase in PHASES:
        print(f"{phase:<10}{summary[phase]['min']:>8.2f}{summary[phase]['median']:>9.2f}")
    print(f"modules loaded: {rows[0]['modules']}, transformers imported: "
          f"{rows[0]['transformers']}, sklearn.linear_model imported: "
          f"{rows[0]['sklearn_linear_model']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="checkout to measure (default: this one)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "startup.json")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        run_phases(root, args.python)  # warm the OS file cache; not counted
        for _ in range(args.runs):
            row = run_phases(root, args.python)
            row["cli"] = run_cli(root, args.python, Path(tmp))
            rows.append(row)
    summary = summarise(rows)
    print_table(str(root), summary, rows)
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or None
    result = {"root": str(root), "commit": commit, "runs": rows, "summary": summary,
              "python": platform.python_version(), "cpus": os.cpu_count(),
              "load_average": list(os.getloadavg()),
              "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
