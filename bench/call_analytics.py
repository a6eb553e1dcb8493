"""Call analytics on the real SpokenWOZ stereo calls, from their reference word timings.

    python bench/call_analytics.py [DATA_DIR] [--out bench/results/call_analytics.json]

DATA_DIR (default ../shared/data/speech-spokenwoz-calls) holds audio/<call>.wav (8 kHz stereo,
left = caller, right = agent) and text/<call>.json, the reference words with their speaker
("A" = caller, "B" = agent) and start/end times; both are read in place, never copied. No
recognition runs: the words become agent/customer Segments (a new segment at a change of
speaker or a pause over 1 s), the duration is read from the WAV header, and
transcription.call_analytics computes the figures with its default thresholds. Prints a table
and writes the JSON results.
"""

from __future__ import annotations

import argparse
import json
import sys
import wave
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transcription import CallAnalytics, Segment, Word, call_analytics  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "speech-spokenwoz-calls"
RESULTS = ROOT / "bench" / "results" / "call_analytics.json"
SPEAKERS = {"A": "customer", "B": "agent"}
SEGMENT_PAUSE_S = 1.0


def reference_segments(words: list[dict[str, Any]]) -> list[Segment]:
    """Reference words as Segments with word timings, one per speaker stretch."""
    groups: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (float(w["start"]), float(w["end"]))):
        last = groups[-1][-1] if groups else None
        if (
            last is None
            or last["speaker"] != word["speaker"]
            or float(word["start"]) - float(last["end"]) > SEGMENT_PAUSE_S
        ):
            groups.append([])
        groups[-1].append(word)
    return [
        Segment(
            start=float(g[0]["start"]),
            end=max(float(w["end"]) for w in g),
            speaker=SPEAKERS.get(g[0]["speaker"], "unknown"),
            text=" ".join(w["word"] for w in g),
            words=tuple(Word(float(w["start"]), float(w["end"]), w["word"], 1.0) for w in g),
        )
        for g in groups
    ]


def wav_duration(path: Path) -> float:
    """Seconds of audio, from the WAV header only."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def analyse(data: Path) -> dict[str, CallAnalytics]:
    """Analytics of every call in the folder that has both its audio and its reference."""
    out: dict[str, CallAnalytics] = {}
    for ref in sorted((data / "text").glob("*.json")):
        wav = data / "audio" / f"{ref.stem}.wav"
        if wav.exists():
            segments = reference_segments(json.loads(ref.read_text()))
            out[ref.stem] = call_analytics(segments, wav_duration(wav))
    return out


def _fmt(value: float | int | None, spec: str = ".1f") -> str:
    """A table cell; "-" for None."""
    return "-" if value is None else format(value, spec)


def table(results: dict[str, CallAnalytics]) -> str:
    """The results as a plain-text table, one call per line."""
    head = (
        f"{'call':8} {'dur s':>6} {'agent s':>7} {'cust s':>6} {'ratio':>5} {'dead s':>6} "
        f"{'longest':>14} {'>=3s':>4} {'overtalk':>9} {'int a/c':>7} {'holds':>5} {'wpm a/c':>11}"
    )
    rows = [head, "-" * len(head)]
    for call, r in results.items():
        longest = r.longest_silence
        where = "-" if longest is None else f"{longest.seconds:.1f}@{longest.start:.0f}s"
        wpm = r.words_per_minute
        rows.append(
            f"{call:8} {r.duration:6.1f} {r.talk_seconds.get('agent', 0):7.1f} "
            f"{r.talk_seconds.get('customer', 0):6.1f} {_fmt(r.talk_ratio, '.2f'):>5} "
            f"{r.dead_air_seconds:6.1f} {where:>14} {r.long_silences:4d} "
            f"{_fmt(r.overtalk_count, 'd'):>3}/{_fmt(r.overtalk_seconds):>5} "
            f"{_fmt(r.agent_interruptions, 'd'):>3}/{_fmt(r.customer_interruptions, 'd'):<3} "
            f"{len(r.holds):5d} {_fmt(wpm.get('agent'), '.0f'):>5}/{_fmt(wpm.get('customer'), '.0f'):<5}"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Analyse the calls, print the table, write the JSON; 1 if the folder is absent."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not (args.data / "text").is_dir():
        print(f"{args.data}: no SpokenWOZ calls here (expected audio/ and text/)", file=sys.stderr)
        return 1
    results = analyse(args.data)
    print(table(results))
    payload = {
        "data": args.data.name,
        "reference": "SpokenWOZ word timings (approximate), A = customer, B = agent",
        "calls": {call: r.to_dict(timeline=False) for call, r in results.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
