"""Agent/customer assignment on mono calls with and without the agent's voice profile.

    python bench/voice_profile.py [--data ../shared/data] [--threads 2] [--split 0.4]
                                  [--out bench/results/voice_profile.json]

Data: the four SpokenWOZ stereo calls (``speech-spokenwoz-calls``, 8 kHz, left = caller,
right = agent), read in place. SpokenWOZ has no agent ids, so an agent's "earlier calls" are
simulated by the start of the same call: the profile is built from the agent's channel alone
over the first ``--split`` share of the call (the agent's word stretches there, as a stereo
call gives them), and the rest of the call, mixed down to mono (the mean of the channels, as
bench/diarization.py does), is diarized and labelled. The same voice on the same line in both
parts makes this an optimistic setting; a profile from other calls (other microphones, days)
would match less well. A second condition uses another call's agent profile (a different
person, as far as the sample shows): it must not mislead.

Transcripts are the dataset's word timings (speakers removed), not Whisper's, so the numbers
measure the role assignment, not ASR. Conditions:

- ``text``: the words as transcribed (the script cues can work);
- ``no_cues``: every word replaced by "uh" (no script cue: without a profile the first speaker
  is taken as the agent).

Accuracy is the share of word time whose agent/customer label matches the word's speaker in
the dataset. Four calls: a sanity check, not a benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transcription.audio import SAMPLE_RATE, decode_audio  # noqa: E402
from transcription.base import Segment, Transcript, Word  # noqa: E402
from transcription.diarization import Diarizer, assign_roles  # noqa: E402
from transcription.voice_profile import build_profile, match  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results" / "voice_profile.json"
ROLE = {"A": "customer", "B": "agent"}


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def stretches(
    words: list[dict[str, Any]], speaker: str, gap: float = 0.5
) -> list[tuple[float, float]]:
    """The speaker's words joined into stretches (pauses under ``gap`` seconds bridged)."""
    out: list[list[float]] = []
    for w in words:
        if w["speaker"] != speaker:
            continue
        if out and w["start"] - out[-1][1] < gap:
            out[-1][1] = w["end"]
        else:
            out.append([w["start"], w["end"]])
    return [(a, b) for a, b in out]


def transcript_of(
    words: list[dict[str, Any]], offset: float, cues: bool
) -> tuple[Transcript, dict[tuple[float, float], str]]:
    """Segments of consecutive same-speaker words (speaker "unknown"), times shifted by
    ``offset``; and each word's true role by its (start, end)."""
    segments: list[Segment] = []
    truth: dict[tuple[float, float], str] = {}
    group: list[dict[str, Any]] = []

    def flush() -> None:
        if not group:
            return
        ws = tuple(
            Word(g["start"] - offset, g["end"] - offset, g["word"] if cues else "uh", 0.9)
            for g in group
        )
        segments.append(
            Segment(ws[0].start, ws[-1].end, "unknown", " ".join(w.text for w in ws), ws)
        )
        for w, g in zip(ws, group, strict=True):
            truth[(w.start, w.end)] = ROLE[g["speaker"]]
        group.clear()

    for w in words:
        if group and w["speaker"] != group[-1]["speaker"]:
            flush()
        group.append(w)
    flush()
    duration = max((s.end for s in segments), default=0.0)
    return Transcript("en", 1.0, duration, tuple(segments)), truth


def accuracy(out: Transcript, truth: dict[tuple[float, float], str]) -> float:
    right = total = 0.0
    for seg in out.segments:
        for w in seg.words:
            role = truth.get((w.start, w.end))
            if role is None:
                continue
            total += w.end - w.start
            right += (w.end - w.start) * (seg.speaker == role)
    return right / total if total else 0.0


def run(data: Path, threads: int, split: float) -> dict[str, Any]:
    import torch

    torch.set_num_threads(threads)
    load_start = _load()
    folder = data / "speech-spokenwoz-calls"
    calls = sorted((folder / "audio").glob("*.wav"))
    if not calls:
        raise SystemExit(f"no SpokenWOZ calls under {folder}")
    diarizer = Diarizer()
    diarizer.load()
    prepared = []
    t0 = time.perf_counter()
    for wav in calls:
        words = json.loads((folder / "text" / f"{wav.stem}.json").read_text())
        _, (left, right) = decode_audio(wav)
        cut = split * len(left) / SAMPLE_RATE
        enrol_spans = [(a, b) for a, b in stretches(words, "B") if b <= cut]
        profile = build_profile([(right, enrol_spans)], min_seconds=5.0)
        mono = ((left + right) / 2).astype(np.float32)[int(cut * SAMPLE_RATE) :]
        test_words = [w for w in words if w["start"] >= cut]
        diarization = diarizer.diarize(mono)
        prepared.append((wav.stem, profile, diarization, test_words, cut))
    seconds = time.perf_counter() - t0
    rows = []
    for n, (name, profile, diarization, test_words, cut) in enumerate(prepared):
        other = prepared[(n + 1) % len(prepared)][1]  # the next call's agent
        row: dict[str, Any] = {
            "call": name,
            "enrol_seconds": profile.seconds if profile else 0.0,
            "test_seconds": round(max(w["end"] for w in test_words) - cut, 1),
            "speakers": diarization.speakers,
        }
        for label, prof in (("own", profile), ("other_agent", other)):
            found = match(diarization.centroids, prof) if prof else None
            row[f"match_{label}"] = (
                None if found is None else
                {"cosine": found.cosine, "runner_up": found.runner_up, "decisive": found.decisive}
            )  # fmt: skip
        for cues in (True, False):
            transcript, truth = transcript_of(test_words, cut, cues)
            key = "text" if cues else "no_cues"
            plain = assign_roles(transcript, diarization)
            own = assign_roles(transcript, diarization, profile)
            wrong = assign_roles(transcript, diarization, other)
            row[key] = {
                "without_profile": round(accuracy(plain, truth), 3),
                "with_profile": round(accuracy(own, truth), 3),
                "with_other_agents_profile": round(accuracy(wrong, truth), 3),
                "note_with_profile": own.diarization_note,
            }
        rows.append(row)

    def mean(key: str, which: str) -> float:
        return round(float(np.mean([r[key][which] for r in rows])), 3)

    summary = {
        key: {which: mean(key, which) for which in
              ("without_profile", "with_profile", "with_other_agents_profile")}
        for key in ("text", "no_cues")
    }  # fmt: skip
    return {
        "data": "speech-spokenwoz-calls (4 real stereo calls, mixed to mono after the split)",
        "method": __doc__.split("\n\n", 2)[1].strip() if __doc__ else "",
        "split": split,
        "rows": rows,
        "summary_mean_accuracy": summary,
        "calls": len(rows),
        "caveat": "4 calls, profile from the first part of the same call: tiny and optimistic",
        "diarize_and_enrol_seconds": round(seconds, 1),
        "threads": threads,
        "load_average_start_end": [load_start, _load()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--split", type=float, default=0.4)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not 0.1 <= args.split <= 0.8:
        parser.error("--split must be between 0.1 and 0.8")
    if not (args.data / "speech-spokenwoz-calls").is_dir():
        parser.error(f"no speech-spokenwoz-calls folder under {args.data}")
    result = run(args.data, args.threads, args.split)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["summary_mean_accuracy"], indent=2))
    for r in result["rows"]:
        print(r["call"], r["match_own"], r["match_other_agent"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
