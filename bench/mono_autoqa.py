"""AutoQA on mono-mixed calls against the same calls in stereo (issue 16).

    python bench/mono_autoqa.py [--corpus data/autoqa/conversations.jsonl] [--n 24] [--seed 0]
                                [--phone] [--data ../shared/data] [--cache /var/tmp/...]
                                [--out bench/results/mono_autoqa.json]

Labelled calls do not exist as audio (the four real SpokenWOZ calls have no AutoQA labels), so
labelled conversations of the project corpus are rendered to audio:

1. a balanced sample (fixed seed): as many conversations of each (resolved, empathic) cell,
   ``--min-turns`` to ``--max-turns`` turns;
2. each turn spoken by espeak-ng (customer and agent with different voices and pitch, a short
   pause between turns; voices as qa/demo/calls/make_calls.sh), leading and trailing silence
   trimmed, then laid on a stereo timeline: customer LEFT, agent RIGHT (the project's
   convention, ``QA_AGENT_CHANNEL=right``), and mixed down to mono (the sum of the channels:
   turns never overlap). ``--phone``: 8 kHz, band-limited to 300-3400 Hz with sox, like a
   telephone line. Rendered audio is cached under ``--cache`` (not in the repository);
3. both files transcribed with the app's default settings (tiny.en, float32, beam 5, PII
   redaction on); the stereo one by channel, the mono one diarized (CAM++) and its speakers
   named by `transcription.diarization.assign_roles`, as the app's transcription job does;
4. the text, the stereo transcript and the mono transcript scored by the shipped AutoQA model
   (the dialogue turns built as qa.services.autoqa.turn_groups builds them).

Reported: AUC (95 % bootstrap interval) of empathy (any agent turn labelled empathic) and
resolution for text, stereo and mono; the paired bootstrap interval of stereo - mono; the mean
absolute stereo-mono score difference; per call the DER (0.25 s collar, against the rendering
plan's turns), the share of word time given the right role, whether the roles were swapped,
and the turn counts. Then, on the four real SpokenWOZ calls (no labels), the per-call stereo vs
mono AutoQA score difference and role accuracy.

Caveat: the shipped English model was trained on conversations.jsonl, so the text AUC is an
in-sample figure; what this bench measures is how much audio, and mono audio in particular,
moves the scores away from the text's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT / "data" / "autoqa" / "conversations.jsonl"
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_CACHE = Path("/var/tmp/coachline-mono-autoqa")
RESULTS = ROOT / "bench" / "results" / "mono_autoqa.json"
PAUSE_S = 0.45  # between turns, as make_calls.sh
LEAD_S = 0.3  # silence before the first turn and after the last
WPM = 155
# (customer voice, customer pitch, agent voice, agent pitch): make_calls.sh's voices, each pair
# a female and a male variant a wide pitch apart, as two real people would differ (espeak-ng's
# voices share one synthesiser: two of them at close pitches can sound like one speaker).
VOICES = (
    ("en-us+f4", 70, "en-us+m3", 35),
    ("en-us+m3", 38, "en-gb+f3", 68),
    ("en-us+f2", 72, "en-gb", 38),
    ("en-gb", 40, "en-us+f4", 66),
)


# --- pure helpers (tests/test_bench_mono_autoqa.py) ------------------------------------------


def conversation_labels(row: dict[str, Any]) -> tuple[int, int]:
    """(resolved, empathic): empathic = any agent turn labelled empathic, as scoring.train."""
    return int(row["resolved"]), int(any(row["agent_empathy"]))


def sample_conversations(
    rows: Sequence[dict[str, Any]], n: int, seed: int, min_turns: int = 6, max_turns: int = 10
) -> list[dict[str, Any]]:
    """A balanced sample: n // 4 conversations of each (resolved, empathic) cell with
    min_turns..max_turns turns, drawn with a fixed seed, returned in id order."""
    cells: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in rows:
        if min_turns <= len(row["turns"]) <= max_turns:
            cells.setdefault(conversation_labels(row), []).append(row)
    rng = random.Random(seed)
    chosen: list[dict[str, Any]] = []
    for cell in sorted(cells):
        pool = sorted(cells[cell], key=lambda r: str(r["id"]))
        chosen.extend(rng.sample(pool, min(n // 4, len(pool))))
    return sorted(chosen, key=lambda r: str(r["id"]))


@dataclass(frozen=True)
class PlannedTurn:
    """One turn of a rendered call: who speaks, and when (seconds from the start)."""

    speaker: str
    start: float
    end: float


def render_plan(
    speakers: Sequence[str], durations: Sequence[float], pause: float = PAUSE_S,
    lead: float = LEAD_S
) -> tuple[list[PlannedTurn], float]:
    """Lay the turns one after another: ``lead`` seconds of silence, each turn followed by
    ``pause`` seconds (the last by ``lead``). Returns the turns and the call's length."""
    plan: list[PlannedTurn] = []
    t = lead
    for i, (speaker, d) in enumerate(zip(speakers, durations, strict=True)):
        if i:
            t += pause
        plan.append(PlannedTurn(speaker, round(t, 4), round(t + d, 4)))
        t += d
    return plan, round(t + lead, 4)


def trim_silence(samples: npt.NDArray[np.int16], threshold: int = 200) -> npt.NDArray[np.int16]:
    """Cut leading and trailing samples quieter than ``threshold`` (espeak-ng's padding)."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) >= threshold)
    if not len(loud):
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]


def lay_out(
    plan: Sequence[PlannedTurn], speech: Sequence[npt.NDArray[np.int16]], total: float, rate: int
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16]]:
    """(left, right) tracks: customer turns on the left, agent turns on the right."""
    n = int(round(total * rate)) + 1
    left, right = np.zeros(n, np.int16), np.zeros(n, np.int16)
    for turn, audio in zip(plan, speech, strict=True):
        track = left if turn.speaker == "customer" else right
        a = int(round(turn.start * rate))
        track[a : a + len(audio)] = audio[: n - a]
    return left, right


def mix_down(left: npt.NDArray[np.int16], right: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
    """The mono mix: the sum of the channels (turns do not overlap), clipped to 16 bits."""
    return np.clip(left.astype(np.int32) + right.astype(np.int32), -32768, 32767).astype(np.int16)


def dialogue_turns(segments: Sequence[Any]) -> list[tuple[str, str]]:
    """(speaker, text) turns as the app scores a transcript (qa.services.autoqa.turn_groups):
    consecutive segments of one speaker joined, "unknown" counted as agent, empty ones left out."""
    turns: list[list[str]] = []
    for seg in segments:
        speaker = "customer" if seg.speaker == "customer" else "agent"
        if turns and turns[-1][0] == speaker:
            turns[-1][1] = f"{turns[-1][1]} {seg.text}".strip()
        else:
            turns.append([speaker, seg.text.strip()])
    return [(s, t) for s, t in turns if t]


def auc(y: Sequence[int], p: Sequence[float]) -> float:
    """ROC AUC by ranks (ties count half); NaN with one class only."""
    ya, pa = np.asarray(y), np.asarray(p, dtype=np.float64)
    pos, neg = pa[ya == 1], pa[ya == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def bootstrap_auc(
    y: Sequence[int], scores: dict[str, Sequence[float]], rounds: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """AUC of each score with its 95 % bootstrap interval, and of every pair's difference, on
    the same resamples (a paired bootstrap: the calls are resampled, not the scores)."""
    ya = np.asarray(y)
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in scores.items()}
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {k: [] for k in arrays}
    for _ in range(rounds):
        idx = rng.integers(0, len(ya), len(ya))
        if 0 < ya[idx].sum() < len(idx):
            for k, a in arrays.items():
                draws[k].append(auc(ya[idx], a[idx]))
    out: dict[str, Any] = {}
    for k, a in arrays.items():
        low, high = np.percentile(draws[k], [2.5, 97.5])
        out[k] = {"auc": round(auc(ya, a), 4), "ci95": [round(float(low), 4), round(float(high), 4)]}
    names = list(arrays)
    for i, a_name in enumerate(names):
        for b_name in names[i + 1 :]:
            diff = np.asarray(draws[a_name]) - np.asarray(draws[b_name])
            low, high = np.percentile(diff, [2.5, 97.5])
            out[f"{a_name}-{b_name}"] = {
                "difference": round(out[a_name]["auc"] - out[b_name]["auc"], 4),
                "ci95": [round(float(low), 4), round(float(high), 4)],
            }
    return out


def mean_abs_diff(a: Sequence[float], b: Sequence[float]) -> float:
    """Mean absolute difference of two paired score lists."""
    return float(np.mean(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


# --- rendering -------------------------------------------------------------------------------


def _read_wav(path: Path) -> tuple[npt.NDArray[np.int16], int]:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").copy(), w.getframerate()


def _write_wav(path: Path, channels: Sequence[npt.NDArray[np.int16]], rate: int) -> None:
    data = np.stack(channels, axis=1) if len(channels) > 1 else channels[0]
    tmp = path.with_suffix(".part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(len(channels))
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(data).astype("<i2").tobytes())
    tmp.rename(path)


def speak(text: str, voice: str, pitch: int, rate: int, phone: bool, tmp: Path) -> Any:
    """One turn spoken by espeak-ng, resampled (and band-limited with ``phone``) by sox."""
    (tmp / "t.txt").write_text(text, encoding="utf-8")
    raw, out = tmp / "raw.wav", tmp / "out.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(WPM), "-w", str(raw),
         "-f", str(tmp / "t.txt")], check=True, capture_output=True)
    effects = ["sinc", "300-3400"] if phone else []
    subprocess.run(
        ["sox", str(raw), "-r", str(rate), "-b", "16", "-c", "1", str(out), *effects,
         "norm", "-3"], check=True, capture_output=True)
    audio, _ = _read_wav(out)
    return trim_silence(audio)


def render_call(row: dict[str, Any], index: int, phone: bool, cache: Path) -> dict[str, Any]:
    """Stereo and mono WAV files of one conversation (cached), with the rendering plan."""
    voices = VOICES[index % len(VOICES)]
    rate = 8000 if phone else 16000
    key = hashlib.sha256(
        json.dumps([row["turns"], voices, rate, phone, PAUSE_S, WPM], sort_keys=True).encode()
    ).hexdigest()[:16]
    folder = cache / "calls"
    folder.mkdir(parents=True, exist_ok=True)
    stereo, mono, meta = (folder / f"{key}.{k}" for k in ("stereo.wav", "mono.wav", "json"))
    if not meta.exists():
        cvoice, cpitch, avoice, apitch = voices
        with tempfile.TemporaryDirectory() as tmp:
            speech = [
                speak(t["text"], avoice if t["speaker"] == "agent" else cvoice,
                      apitch if t["speaker"] == "agent" else cpitch, rate, phone, Path(tmp))
                for t in row["turns"]
            ]
        plan, total = render_plan(
            [t["speaker"] for t in row["turns"]], [len(s) / rate for s in speech]
        )
        left, right = lay_out(plan, speech, total, rate)
        _write_wav(stereo, [left, right], rate)
        _write_wav(mono, [mix_down(left, right)], rate)
        meta.write_text(json.dumps({
            "plan": [[p.speaker, p.start, p.end] for p in plan], "duration": total,
            "voices": voices, "rate": rate}))
    info = json.loads(meta.read_text())
    return {"stereo": stereo, "mono": mono, **info}


# --- pipeline --------------------------------------------------------------------------------


class Pipeline:
    """The app's transcription and diarization with its default settings, results cached."""

    def __init__(self, cache: Path, model: str, threads: int) -> None:
        from transcription import WhisperTranscriber
        from transcription.base import DEFAULT_BEAM_SIZE, DEFAULT_COMPUTE_TYPE
        from transcription.diarization import Diarizer

        self.cache = cache / "transcripts"
        self.cache.mkdir(parents=True, exist_ok=True)
        self.settings = (model, DEFAULT_COMPUTE_TYPE, DEFAULT_BEAM_SIZE)
        self.transcriber = WhisperTranscriber(
            model, compute_type=DEFAULT_COMPUTE_TYPE, beam_size=DEFAULT_BEAM_SIZE,
            cpu_threads=threads)
        self.diarizer = Diarizer()
        self.seconds = {"transcribe_stereo": 0.0, "transcribe_mono": 0.0, "diarize": 0.0}

    def _file(self, path: Path, kind: str) -> Path:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        key = hashlib.sha256(repr((digest, kind, self.settings)).encode()).hexdigest()[:20]
        return self.cache / f"{key}.pickle"

    def done(self, call: dict[str, Any]) -> bool:
        """Whether the call's transcripts and diarization are all in the cache."""
        return self._file(call["stereo"], "transcribe_stereo").exists() and all(
            self._file(call["mono"], k).exists() for k in ("transcribe_mono", "diarize"))

    def _cached(self, path: Path, kind: str, build: Any) -> Any:
        file = self._file(path, kind)
        if file.exists():
            return pickle.loads(file.read_bytes())
        t0 = time.perf_counter()
        value = build()
        self.seconds[kind] += time.perf_counter() - t0
        part = file.with_suffix(f".{os.getpid()}.part")  # atomic: parallel runs share the cache
        part.write_bytes(pickle.dumps(value))
        part.rename(file)
        return value

    def stereo(self, path: Path) -> Any:
        return self._cached(
            path, "transcribe_stereo", lambda: self.transcriber.transcribe(path, agent_channel="right")
        )

    def mono(self, path: Path) -> tuple[Any, Any]:
        """(labelled transcript, diarization): the raw transcript and the diarization are
        cached, `assign_roles` runs every time (so a change to it is measured at once)."""
        from transcription.audio import decode_audio
        from transcription.diarization import assign_roles

        raw = self._cached(path, "transcribe_mono", lambda: self.transcriber.transcribe(path))

        def diarize() -> Any:
            _, channels = decode_audio(path)
            return self.diarizer.diarize(channels[0])

        d = self._cached(path, "diarize", diarize)
        return assign_roles(raw, d), d


def _score(model: Any, conversations: list[list[tuple[str, str]]]) -> list[tuple[float, float]]:
    """(empathy 0-100, resolution probability) per conversation; an empty one scores (0, 0)."""
    from scoring import Turn

    todo = [(i, [Turn(s, t) for s, t in c]) for i, c in enumerate(conversations) if c]
    out = [(0.0, 0.0)] * len(conversations)
    for (i, _), p in zip(todo, model.predict([c for _, c in todo]), strict=True):
        out[i] = (float(p.empathy_score), float(p.resolution_probability))
    return out


def _role_row(labelled: Any, d: Any, reference: list[tuple[float, float, str]]) -> dict[str, Any]:
    from bench.diarization import der, hypothesis_turns, role_accuracy

    roles = role_accuracy(labelled, reference)
    return {
        "speakers": d.speakers,
        "der": round(der(reference, hypothesis_turns(d), 0.25)["der"], 4),
        "role_accuracy": round(roles["accuracy"], 4),
        "word_seconds": round(roles["word_seconds"], 2),
        "swapped": d.speakers >= 2 and roles["word_seconds"] > 0 and roles["accuracy"] < 0.5,
        "note": labelled.diarization_note,
    }


def run_corpus(args: argparse.Namespace, pipe: Pipeline, model: Any) -> dict[str, Any]:
    rows = [json.loads(line) for line in args.corpus.read_text().splitlines() if line.strip()]
    sample = sample_conversations(rows, args.n, args.seed, args.min_turns, args.max_turns)
    t0 = time.perf_counter()
    calls = [render_call(r, i, args.phone, args.cache) for i, r in enumerate(sample)]
    render_s = time.perf_counter() - t0
    if args.cached_only:  # what a run cut short for time had finished
        kept = [(r, c) for r, c in zip(sample, calls, strict=True) if pipe.done(c)]
        sample, calls = [r for r, _ in kept], [c for _, c in kept]
    per_call: list[dict[str, Any]] = []
    texts, stereos, monos = [], [], []
    if args.reverse:  # a second process filling the cache from the other end
        for call in reversed(calls):
            pipe.stereo(call["stereo"])
            pipe.mono(call["mono"])
    for i, (row, call) in enumerate(zip(sample, calls, strict=True)):
        stereo = pipe.stereo(call["stereo"])
        labelled, d = pipe.mono(call["mono"])
        reference = [(s, e, spk) for spk, s, e in call["plan"]]
        texts.append([(t["speaker"], t["text"]) for t in row["turns"]])
        stereos.append(dialogue_turns(stereo.segments))
        monos.append(dialogue_turns(labelled.segments))
        per_call.append({
            "id": row["id"], "duration": call["duration"], "voices": call["voices"],
            "labels": dict(zip(("resolved", "empathic"), conversation_labels(row), strict=True)),
            "turns": {"text": len(texts[-1]), "stereo": len(stereos[-1]), "mono": len(monos[-1])},
            **_role_row(labelled, d, reference),
        })
        print(f"  {i + 1}/{len(sample)} {row['id']} roles {per_call[-1]['role_accuracy']:.2f} "
              f"DER {per_call[-1]['der']:.3f}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    scores = {k: _score(model, v) for k, v in (("text", texts), ("stereo", stereos),
                                                ("mono", monos))}
    score_s = time.perf_counter() - t0
    for j, call_row in enumerate(per_call):
        call_row["scores"] = {k: {"empathy": round(v[j][0], 2), "resolution": round(v[j][1], 4)}
                              for k, v in scores.items()}
    labels = [conversation_labels(r) for r in sample]
    summary: dict[str, Any] = {"calls": len(sample),
                               "audio_seconds": round(sum(c["duration"] for c in calls), 1)}
    for h, name in enumerate(("empathy", "resolution")):
        y = [lab[1] if name == "empathy" else lab[0] for lab in labels]
        summary[name] = bootstrap_auc(y, {k: [s[h] for s in v] for k, v in scores.items()},
                                      seed=args.seed)
        summary[name]["mean_abs_diff_stereo_mono"] = round(mean_abs_diff(
            [s[h] for s in scores["stereo"]], [s[h] for s in scores["mono"]]), 4)
        summary[name]["mean_abs_diff_text_stereo"] = round(mean_abs_diff(
            [s[h] for s in scores["text"]], [s[h] for s in scores["stereo"]]), 4)
    words = sum(c["word_seconds"] for c in per_call)
    summary["roles"] = {
        "accuracy_by_word_time": round(
            sum(c["role_accuracy"] * c["word_seconds"] for c in per_call) / words, 4) if words else None,
        "swapped_calls": sum(c["swapped"] for c in per_call),
        "calls_below_0.95": sum(c["role_accuracy"] < 0.95 for c in per_call),
        "mean_der": round(float(np.mean([c["der"] for c in per_call])), 4),
        "one_speaker_calls": sum(c["speakers"] < 2 for c in per_call),
        "mono_turns_minus_text": round(float(np.mean(
            [c["turns"]["mono"] - c["turns"]["text"] for c in per_call])), 2),
        "stereo_turns_minus_text": round(float(np.mean(
            [c["turns"]["stereo"] - c["turns"]["text"] for c in per_call])), 2),
    }
    summary["seconds"] = {"render": round(render_s, 1), "score": round(score_s, 1)}
    return {"summary": summary, "calls": per_call}


def run_spokenwoz(data: Path, pipe: Pipeline, model: Any, cache: Path) -> dict[str, Any] | None:
    from bench.diarization import channel_reference
    from transcription.audio import decode_audio

    folder = data / "speech-spokenwoz-calls" / "audio"
    if not folder.is_dir():
        print(f"absent: {folder} (SpokenWOZ part skipped)", file=sys.stderr)
        return None
    rows = []
    for wav in sorted(folder.glob("*.wav")):
        _, (left, right) = decode_audio(wav)
        mono_path = cache / "calls" / f"spokenwoz-{wav.stem}.mono.wav"
        if not mono_path.exists():
            mix = np.clip((left + right) / 2 * 32767, -32768, 32767).astype(np.int16)
            _write_wav(mono_path, [mix], 16000)
        stereo = pipe.stereo(wav)
        labelled, d = pipe.mono(mono_path)
        reference = channel_reference([left, right], ["customer", "agent"])
        (se, sr), (me, mr) = _score(model, [dialogue_turns(stereo.segments),
                                           dialogue_turns(labelled.segments)])
        rows.append({
            "name": wav.stem,
            "stereo": {"empathy": round(se, 2), "resolution": round(sr, 4)},
            "mono": {"empathy": round(me, 2), "resolution": round(mr, 4)},
            "empathy_diff": round(me - se, 2), "resolution_diff": round(mr - sr, 4),
            **_role_row(labelled, d, reference),
        })
    return {
        "calls": rows,
        "mean_abs_empathy_diff": round(mean_abs_diff([r["stereo"]["empathy"] for r in rows],
                                                     [r["mono"]["empathy"] for r in rows]), 2),
        "mean_abs_resolution_diff": round(mean_abs_diff(
            [r["stereo"]["resolution"] for r in rows], [r["mono"]["resolution"] for r in rows]), 4),
    }


def table(result: dict[str, Any]) -> str:
    s = result["corpus"]["summary"]
    lines = [f"{s['calls']} rendered calls, {s['audio_seconds']:.0f} s of audio"
             f"{' (8 kHz phone band)' if result['phone'] else ''}",
             f"{'head':11} {'text AUC':>22} {'stereo AUC':>22} {'mono AUC':>22} "
             f"{'stereo-mono':>22} {'MAD s/m':>8}"]
    for head in ("empathy", "resolution"):
        h = s[head]

        def cell(k: str, field: str = "auc", h: dict[str, Any] = h) -> str:
            return f"{h[k][field]:.3f} [{h[k]['ci95'][0]:.3f}-{h[k]['ci95'][1]:.3f}]"

        lines.append(f"{head:11} {cell('text'):>22} {cell('stereo'):>22} {cell('mono'):>22} "
                     f"{cell('stereo-mono', 'difference'):>22} "
                     f"{h['mean_abs_diff_stereo_mono']:8.3f}")
    r = s["roles"]
    lines.append(f"roles right (word time) {r['accuracy_by_word_time']}, swapped calls "
                 f"{r['swapped_calls']}, calls < 95 % {r['calls_below_0.95']}, mean DER "
                 f"{r['mean_der']}, one-speaker calls {r['one_speaker_calls']}, turns - text: "
                 f"stereo {r['stereo_turns_minus_text']}, mono {r['mono_turns_minus_text']}")
    woz = result.get("spokenwoz")
    if woz:
        lines.append(f"{'SpokenWOZ':10} {'emp st':>7} {'emp mo':>7} {'res st':>7} {'res mo':>7} "
                     f"{'roles':>6} {'DER':>6}")
        for c in woz["calls"]:
            lines.append(f"{c['name']:10} {c['stereo']['empathy']:7.1f} {c['mono']['empathy']:7.1f} "
                         f"{c['stereo']['resolution']:7.3f} {c['mono']['resolution']:7.3f} "
                         f"{c['role_accuracy']:6.3f} {c['der']:6.3f}")
        lines.append(f"mean |stereo - mono|: empathy {woz['mean_abs_empathy_diff']} points, "
                     f"resolution {woz['mean_abs_resolution_diff']}")
    return "\n".join(lines)


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--n", type=int, default=24, help="calls (a multiple of 4: balanced)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-turns", type=int, default=6)
    parser.add_argument("--max-turns", type=int, default=8)
    parser.add_argument("--phone", action="store_true", help="8 kHz, 300-3400 Hz band")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--no-spokenwoz", action="store_true")
    parser.add_argument("--spokenwoz-only", action="store_true")
    parser.add_argument("--cached-only", action="store_true",
                        help="score only the calls already transcribed into the cache")
    parser.add_argument("--reverse", action="store_true",
                        help="transcribe the calls last to first (a second process sharing the cache)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--whisper", default=None, help="default: the app's (tiny.en)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"error: corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    if args.n < 4:
        print("error: --n must be at least 4 (one call per label cell)", file=sys.stderr)
        return 2
    import torch

    from scoring import load_default_model
    from transcription.base import DEFAULT_MODEL

    torch.set_num_threads(args.threads)
    load_before, t0, c0 = _load(), time.perf_counter(), time.process_time()
    pipe = Pipeline(args.cache, args.whisper or DEFAULT_MODEL, args.threads)
    model = load_default_model()
    result: dict[str, Any] = {
        "corpus": None, "phone": args.phone, "n": args.n, "seed": args.seed,
        "whisper": pipe.settings, "model_version": model.version,
        "corpus_file": str(args.corpus.relative_to(ROOT) if args.corpus.is_relative_to(ROOT)
                           else args.corpus),
    }
    if args.spokenwoz_only:
        print(json.dumps(run_spokenwoz(args.data, pipe, model, args.cache), indent=2))
        return 0
    result["corpus"] = run_corpus(args, pipe, model)
    result["spokenwoz"] = None if args.no_spokenwoz else run_spokenwoz(
        args.data, pipe, model, args.cache)
    result["seconds"] = {"wall": round(time.perf_counter() - t0, 1),
                         "cpu": round(time.process_time() - c0, 1),
                         **{k: round(v, 1) for k, v in pipe.seconds.items()},
                         "note": "uncached work only; the machine is shared"}
    result["load_average"] = f"{load_before} -> {_load()}"
    print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
