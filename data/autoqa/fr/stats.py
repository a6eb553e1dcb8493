"""Counts for the French corpus, as the Markdown block in README.md (tests check it is current).

Usage: python data/autoqa/fr/stats.py [path/to/handwritten.jsonl]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
STYLES = ("phone", "chat", "email", "social")


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def summary(rows: list[dict]) -> str:
    """One Markdown table per style and per domain: conversations, resolved, agent turns, empathy."""
    lines = ["| style | conversations | resolved | agent turns | empathetic turns |",
             "|---|---|---|---|---|"]

    def line(name: str, sel: list[dict]) -> str:
        emp = [e for r in sel for e in r["agent_empathy"]]
        res = sum(r["resolved"] for r in sel)
        return (f"| {name} | {len(sel)} | {res} ({pct(res, len(sel))}) | {len(emp)} | "
                f"{sum(emp)} ({pct(sum(emp), len(emp))}) |")

    for style in STYLES:
        lines.append(line(style, [r for r in rows if r["style"] == style]))
    lines.append(line("**all**", rows))
    lines += ["", "| domain | conversations | resolved | agent turns | empathetic turns |",
              "|---|---|---|---|---|"]
    for domain, _ in sorted(Counter(r["domain"] for r in rows).items()):
        lines.append(line(domain, [r for r in rows if r["domain"] == domain]))
    tags = Counter(t for r in rows for t in r["tags"])
    lines += ["", "Tags: " + ", ".join(f"`{t}` {n}" for t, n in sorted(tags.items()))]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(load(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "handwritten.jsonl")))
