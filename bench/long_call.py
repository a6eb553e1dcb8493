"""Long-call benchmark: peak memory and real-time factor of transcribing one hour-long call.

    python bench/long_call.py [DATA_DIR] [--call SNG0072] [--minutes 60] [--language en]
                              [--out bench/results/long_call.json]

Builds a stereo call of ``--minutes`` by looping one real 8 kHz SpokenWOZ call (DATA_DIR,
default ../shared/data, read in place; the long file goes to a temporary folder and is
deleted), then transcribes it in this process with the language's default settings
(``WhisperTranscriber.for_language``), as the app would, printing progress. Peak RSS is this
process's (model, decoded audio and decoding together). WER is against the looped reference,
so it also shows whether cutting the hour into windows costs words.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transcription.wer import edit_distance, normalize  # noqa: E402


def loop_wav(source: Path, target: Path, seconds: float) -> tuple[int, float]:
    """Write ``source`` (a PCM WAV) repeated until ``seconds`` are reached, whole copies only
    (at least one); return (copies, duration in seconds)."""
    with wave.open(str(source)) as w:
        params = w.getparams()
        frames = w.readframes(w.getnframes())
    one = params.nframes / params.framerate
    copies = max(1, int(seconds // one))
    with wave.open(str(target), "wb") as out:
        out.setnchannels(params.nchannels)
        out.setsampwidth(params.sampwidth)
        out.setframerate(params.framerate)
        for _ in range(copies):
            out.writeframes(frames)
    return copies, copies * one


def references(words_json: Path) -> dict[str, str]:
    """Per-speaker references of a SpokenWOZ call: left/A caller = customer, right/B agent."""
    words = sorted(json.loads(words_json.read_text()), key=lambda w: w["start"])
    return {
        "customer": " ".join(w["word"] for w in words if w["speaker"] == "A"),
        "agent": " ".join(w["word"] for w in words if w["speaker"] == "B"),
    }


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--call", default="SNG0072", help="the SpokenWOZ call to loop")
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--language", default="en", help="whose default settings to use")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache-dir", default=None, help="where the base model is assembled")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "long_call.json"))
    args = parser.parse_args(argv)
    if args.minutes <= 0:
        parser.error("--minutes must be positive")
    woz = Path(args.data_dir) / "speech-spokenwoz-calls"
    source, words = woz / "audio" / f"{args.call}.wav", woz / "text" / f"{args.call}.json"
    if not (source.is_file() and words.is_file()):
        print(f"error: SpokenWOZ call {args.call} not found under {woz}", file=sys.stderr)
        return 2

    from transcription import WhisperTranscriber

    transcriber = WhisperTranscriber.for_language(
        args.language, cpu_threads=args.threads, redact=False, cache_dir=args.cache_dir
    )
    t0 = time.perf_counter()
    transcriber.load()
    load_s = time.perf_counter() - t0
    rss_model_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    uptime_before = _uptime()
    marks: list[dict[str, float]] = []
    shown = [-1]
    start = time.perf_counter()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def progress(share: float) -> None:
        percent = int(share * 100)
        if percent // 5 > shown[0]:
            shown[0] = percent // 5
            elapsed = time.perf_counter() - start
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            marks.append({"share": round(share, 3), "elapsed_s": round(elapsed, 1),
                          "peak_rss_mb": round(rss)})  # fmt: skip
            print(f"  {percent:3d}%  {elapsed:7.1f} s  peak RSS {rss:.0f} MB", file=sys.stderr,
                  flush=True)  # fmt: skip
            # A run cut short still leaves how far it got and its memory so far.
            out.write_text(
                json.dumps(
                    {
                        "complete": False,
                        "call": args.call,
                        "minutes": args.minutes,
                        "uptime_before": uptime_before,
                        "uptime_now": _uptime(),
                        "progress": marks,
                    },
                    indent=2,
                )
            )

    with tempfile.TemporaryDirectory() as tmp:
        long_wav = Path(tmp) / f"{args.call}-x.wav"
        copies, duration = loop_wav(source, long_wav, args.minutes * 60)
        print(f"{args.call} x {copies} = {duration / 60:.1f} min ({uptime_before})",
              file=sys.stderr)  # fmt: skip
        t0, c0 = time.perf_counter(), time.process_time()
        transcript = transcriber.transcribe(long_wav, agent_channel="right", progress=progress)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wer: dict[str, Any] = {}
    for speaker, ref in references(words).items():
        ref_w = normalize(ref) * copies
        hyp_w = normalize(" ".join(s.text for s in transcript.segments if s.speaker == speaker))
        wer[speaker] = {"errors": edit_distance(ref_w, hyp_w), "ref_words": len(ref_w)}
    pooled = sum(v["errors"] for v in wer.values()) / sum(v["ref_words"] for v in wer.values())
    result = {
        "complete": True,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "threads": args.threads,
                    "platform": platform.platform(), "python": platform.python_version(),
                    "note": "2 cores shared with other sessions: RTF under load, see uptime"},
        "call": args.call, "copies": copies, "audio_s": round(duration, 1),
        "settings": {"language": args.language, "model": transcriber.model,
                     "compute_type": transcriber.compute_type,
                     "beam_size": transcriber.beam_size, "vad_filter": transcriber.vad_filter,
                     "window_seconds": transcriber.window_seconds},
        "load_s": round(load_s, 2), "elapsed_s": round(elapsed, 1),
        "rtf": round(elapsed / duration, 4), "cpu_per_audio_s": round(cpu / duration, 4),
        "peak_rss_mb": round(peak_mb), "peak_rss_after_load_mb": round(rss_model_mb),
        "segments": len(transcript.segments), "wer": round(pooled, 4), "wer_by_speaker": wer,
        "uptime_before": uptime_before, "uptime_after": _uptime(), "progress": marks,
    }  # fmt: skip
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("audio_s", "rtf", "cpu_per_audio_s",
                                             "peak_rss_mb", "wer")}))  # fmt: skip
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
