"""Diarization of mono calls: diarization error rate, agent/customer assignment, speed.

    python bench/diarization.py [--data ../shared/data] [--threads 2] [--whisper tiny.en]
                                [--out bench/results/diarization.json]

Two sets, read in place:

- ``speech-pyannote-sample``: 30 s two-speaker phone-style chat with an RTTM reference (DER
  only: it is not an agent/customer call).
- ``speech-spokenwoz-calls``: four real 8 kHz stereo calls (left = caller, right = agent),
  mixed down to mono (the mean of the channels) before diarization. The reference turns are
  Silero VAD on each channel alone (the channel says who speaks); the caller is the customer.

DER is the NIST definition on a 10 ms grid, (missed + false alarm + confusion) / reference
speech, overlapping speech counted once per speaker, with the optimal one-to-one speaker mapping
(Hungarian). It is reported with the standard 0.25 s collar (no scoring within 0.25 s of a
reference boundary) and with none.

Agent/customer assignment: the mono mix is transcribed by Whisper (the app's settings: beam 5,
float32), the transcript's segments split and labelled by `transcription.diarization`, and the
share of word time whose label matches the reference channel speaking then (the channel with
most VAD speech during the word; words outside reference speech are not counted).

RTF is diarization seconds over audio seconds with torch and onnxruntime on ``--threads``
threads; the machine is shared, so the load average at start and end is printed with it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transcription.audio import SAMPLE_RATE, decode_audio  # noqa: E402
from transcription.base import Transcript  # noqa: E402
from transcription.diarization import (  # noqa: E402
    Diarization,
    Diarizer,
    assign_roles,
    speech_regions,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results" / "diarization.json"
STEP = 0.01  # seconds per scoring frame
RefTurn = tuple[float, float, str]


# --- DER -------------------------------------------------------------------------------------


def _grid(turns: Sequence[RefTurn], n: int) -> tuple[list[str], npt.NDArray[np.bool_]]:
    """Speaker names and a (speakers, frames) activity matrix on the 10 ms grid."""
    names = sorted({s for _, _, s in turns})
    grid = np.zeros((len(names), n), dtype=bool)
    for start, end, spk in turns:
        grid[names.index(spk), round(start / STEP) : round(end / STEP)] = True
    return names, grid


def der(
    reference: Sequence[RefTurn], hypothesis: Sequence[RefTurn], collar: float = 0.25
) -> dict[str, float]:
    """NIST diarization error rate and its parts (shares of scored reference speech)."""
    from scipy.optimize import linear_sum_assignment

    end = max([e for _, e, _ in [*reference, *hypothesis]], default=0.0)
    n = int(math.ceil(end / STEP)) + 1
    _, ref = _grid(reference, n)
    _, hyp = _grid(hypothesis, n)
    scored = np.ones(n, dtype=bool)
    if collar > 0:
        c = round(collar / STEP)
        for start, stop, _ in reference:
            for edge in (round(start / STEP), round(stop / STEP)):
                scored[max(0, edge - c) : edge + c] = False
    ref, hyp = ref[:, scored], hyp[:, scored]
    n_ref, n_hyp = ref.sum(axis=0), hyp.sum(axis=0)
    if len(ref) and len(hyp):
        overlap = ref.astype(np.int64) @ hyp.T.astype(np.int64)
        rows, cols = linear_sum_assignment(-overlap)
        correct = np.zeros(ref.shape[1], dtype=np.int64)
        for r, h in zip(rows, cols, strict=True):
            correct += ref[r] & hyp[h]
    else:
        correct = np.zeros(ref.shape[1], dtype=np.int64)
    total = float(n_ref.sum())
    missed = float(np.maximum(n_ref - n_hyp, 0).sum())
    false_alarm = float(np.maximum(n_hyp - n_ref, 0).sum())
    confusion = float((np.minimum(n_ref, n_hyp) - correct).sum())
    share = (lambda x: x / total) if total else (lambda x: 0.0)
    return {
        "der": share(missed + false_alarm + confusion),
        "missed": share(missed),
        "false_alarm": share(false_alarm),
        "confusion": share(confusion),
        "scored_seconds": total * STEP,
    }


def read_rttm(path: Path) -> list[RefTurn]:
    """SPEAKER lines of an RTTM file as (start, end, speaker)."""
    out = []
    for line in path.read_text().splitlines():
        f = line.split()
        if f and f[0] == "SPEAKER":
            out.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return out


def hypothesis_turns(d: Diarization) -> list[RefTurn]:
    return [(t.start, t.end, f"spk{t.speaker}") for t in d.turns]


# --- data ------------------------------------------------------------------------------------


def channel_reference(
    channels: Sequence[npt.NDArray[np.float32]], names: Sequence[str]
) -> list[RefTurn]:
    """Reference turns of a stereo call: speech on each channel alone is that speaker's."""
    return [
        (s, e, name)
        for ch, name in zip(channels, names, strict=True)
        for s, e in speech_regions(ch)
    ]


def write_wav(path: Path, audio: npt.NDArray[np.float32]) -> None:
    """16 kHz mono 16-bit WAV."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def role_accuracy(transcript: Transcript, reference: Sequence[RefTurn]) -> dict[str, float]:
    """Share of word time whose agent/customer label matches the reference speaker."""
    right = wrong = unlabelled = 0.0
    for seg in transcript.segments:
        for w in seg.words or ():
            cover: dict[str, float] = {}
            for s, e, spk in reference:
                o = min(w.end, e) - max(w.start, s)
                if o > 0:
                    cover[spk] = cover.get(spk, 0.0) + o
            if not cover:
                continue
            truth = max(cover, key=lambda k: cover[k])
            span = w.end - w.start
            if seg.speaker == "unknown":
                unlabelled += span
            elif seg.speaker == truth:
                right += span
            else:
                wrong += span
    total = right + wrong + unlabelled
    return {
        "accuracy": right / total if total else 0.0,
        "word_seconds": total,
        "unlabelled_share": unlabelled / total if total else 0.0,
    }


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def run(data: Path, threads: int, whisper: str | None) -> dict[str, Any]:
    import torch

    torch.set_num_threads(threads)
    diarizer = Diarizer()
    diarizer.load()
    transcriber = None
    if whisper:
        from transcription import WhisperTranscriber

        transcriber = WhisperTranscriber(
            whisper, compute_type="float32", beam_size=5, cpu_threads=threads, redact=False
        )
    rows: list[dict[str, Any]] = []
    sample = data / "speech-pyannote-sample"
    if (sample / "sample.wav").exists():
        _, (audio,) = decode_audio(sample / "sample.wav")
        rows.append(
            _diarize_row("pyannote-sample", audio, read_rttm(sample / "sample.rttm"), diarizer)
        )
    else:
        print(f"absent: {sample}", file=sys.stderr)
    calls = data / "speech-spokenwoz-calls" / "audio"
    if not calls.is_dir():
        print(f"absent: {calls}", file=sys.stderr)
    for wav in sorted(calls.glob("*.wav")) if calls.is_dir() else []:
        _, (left, right) = decode_audio(wav)
        reference = channel_reference([left, right], ["customer", "agent"])
        mono = ((left + right) / 2).astype(np.float32)
        row = _diarize_row(wav.stem, mono, reference, diarizer)
        if transcriber is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "mono.wav"
                write_wav(path, mono)
                transcript = transcriber.transcribe(path)
            labelled = assign_roles(transcript, row.pop("_diarization"))
            row["roles"] = role_accuracy(labelled, reference)
            row["note"] = labelled.diarization_note
        row.pop("_diarization", None)
        rows.append(row)
    for row in rows:
        row.pop("_diarization", None)
    return {"threads": threads, "whisper": whisper, "rows": rows, "summary": _summary(rows)}


def _diarize_row(
    name: str, audio: npt.NDArray[np.float32], reference: list[RefTurn], diarizer: Diarizer
) -> dict[str, Any]:
    load_before = _load()
    t0, c0 = time.perf_counter(), time.process_time()
    d = diarizer.diarize(audio)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    duration = len(audio) / SAMPLE_RATE
    hyp = hypothesis_turns(d)
    return {
        "name": name,
        "duration": round(duration, 2),
        "speakers": d.speakers,
        "reference_speakers": len({s for _, _, s in reference}),
        "der_collar_0.25": der(reference, hyp, 0.25),
        "der_no_collar": der(reference, hyp, 0.0),
        "rtf": seconds / duration,
        "cpu_seconds_per_audio_second": cpu / duration,
        "load": f"{load_before} -> {_load()}",
        "_diarization": d,
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Pooled figures (weighted by scored speech) for the SpokenWOZ calls and overall."""

    def pooled(sel: list[dict[str, Any]], key: str) -> float | None:
        tot = sum(r[key]["scored_seconds"] for r in sel)
        return sum(r[key]["der"] * r[key]["scored_seconds"] for r in sel) / tot if tot else None

    woz = [r for r in rows if r["name"] != "pyannote-sample"]
    with_roles = [r for r in woz if "roles" in r]
    role_time = sum(r["roles"]["word_seconds"] for r in with_roles)
    return {
        "spokenwoz_der_collar_0.25": pooled(woz, "der_collar_0.25"),
        "spokenwoz_der_no_collar": pooled(woz, "der_no_collar"),
        "all_der_collar_0.25": pooled(rows, "der_collar_0.25"),
        "role_accuracy": (
            sum(r["roles"]["accuracy"] * r["roles"]["word_seconds"] for r in with_roles) / role_time
            if role_time
            else None
        ),
        "rtf_mean": float(np.mean([r["rtf"] for r in rows])) if rows else None,
        "cpu_per_audio_second_mean": (
            float(np.mean([r["cpu_seconds_per_audio_second"] for r in rows])) if rows else None
        ),
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        f"{'recording':16} {'dur s':>6} {'spk':>4} {'DER .25':>8} {'DER 0':>7} "
        f"{'miss':>6} {'FA':>6} {'conf':>6} {'roles':>6} {'RTF':>6}"
    ]
    for r in result["rows"]:
        d = r["der_collar_0.25"]
        roles = r.get("roles", {}).get("accuracy")
        lines.append(
            f"{r['name']:16} {r['duration']:6.1f} {r['speakers']:>2}/{r['reference_speakers']} "
            f"{d['der']:8.3f} {r['der_no_collar']['der']:7.3f} {d['missed']:6.3f} "
            f"{d['false_alarm']:6.3f} {d['confusion']:6.3f} "
            f"{'-' if roles is None else format(roles, '.3f'):>6} {r['rtf']:6.3f}"
        )
    s = result["summary"]
    lines.append(
        "pooled SpokenWOZ DER (collar 0.25) "
        + (
            "-"
            if s["spokenwoz_der_collar_0.25"] is None
            else f"{s['spokenwoz_der_collar_0.25']:.3f}"
        )
        + ", no collar "
        + ("-" if s["spokenwoz_der_no_collar"] is None else f"{s['spokenwoz_der_no_collar']:.3f}")
        + "; role accuracy by word time "
        + ("-" if s["role_accuracy"] is None else f"{s['role_accuracy']:.3f}")
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--whisper", default="tiny.en", help="'' to skip the role measurement")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = run(args.data, args.threads, args.whisper or None)
    print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
