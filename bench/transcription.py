"""Transcription benchmark: WER, real-time factor and peak memory per model configuration.

    python bench/transcription.py [DATA_DIR] [--models tiny.en base] [--quick]
                                  [--out bench/results/transcription.json]

DATA_DIR (default ../shared/data) holds the public speech sets speech-jfk,
speech-pyannote-sample, speech-stereo-fw and speech-spokenwoz-calls; they are read in place,
never copied. Each configuration (model x beam size x compute type) runs in its own
subprocess so its peak RSS is its own. WER uses transcription.wer's normaliser (lower case,
punctuation stripped, numbers kept as written: "2" and "two" differ). Redaction is off so that
the text is compared as recognised.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transcription.wer import edit_distance, normalize  # noqa: E402

JFK_REF = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
STEREO_FW_REF = {
    "left": "He began a confused complaint against the wizard, "
    "who had vanished behind the curtain on the left.",
    "right": "The horizon seems extremely distant.",
}
SPOKENWOZ_CALLS = ("SNG0072", "SNG0480", "SNG1263", "SNG1640")


def _items(data: Path, quick: bool) -> list[dict[str, Any]]:
    """Each test item: audio path, how to read it, and per-speaker references."""
    items: list[dict[str, Any]] = []
    jfk = data / "speech-jfk" / "jfk.flac"
    if jfk.exists():
        items.append({"set": "jfk", "path": str(jfk), "refs": {"all": JFK_REF}})
    stm = data / "speech-pyannote-sample" / "sample.stm"
    if stm.exists():
        lines = [ln.split(maxsplit=5) for ln in stm.read_text().splitlines() if ln.strip()]
        lines.sort(key=lambda f: float(f[3]))
        ref = " ".join(f[5] for f in lines if len(f) == 6)
        items.append(
            {"set": "pyannote", "path": str(stm.with_suffix(".wav")), "refs": {"all": ref}}
        )
    fw = data / "speech-stereo-fw" / "stereo_diarization.wav"
    if fw.exists():
        # agent_channel=right: right = agent, left = customer.
        refs = {"customer": STEREO_FW_REF["left"], "agent": STEREO_FW_REF["right"]}
        items.append({"set": "stereo-fw", "path": str(fw), "refs": refs})
    woz = data / "speech-spokenwoz-calls"
    for call in SPOKENWOZ_CALLS[:1] if quick else SPOKENWOZ_CALLS:
        wav, words = woz / "audio" / f"{call}.wav", woz / "text" / f"{call}.json"
        if not (wav.exists() and words.exists()):
            continue
        ref_words = sorted(json.loads(words.read_text()), key=lambda w: w["start"])
        # Left (A) is the caller, right (B) the agent.
        refs = {
            "customer": " ".join(w["word"] for w in ref_words if w["speaker"] == "A"),
            "agent": " ".join(w["word"] for w in ref_words if w["speaker"] == "B"),
        }
        items.append({"set": f"spokenwoz/{call}", "path": str(wav), "refs": refs})
    return items


def worker(config: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """Run one configuration over all items (in this process) and measure it."""
    from transcription import WhisperTranscriber
    from transcription.audio import probe_audio

    t = WhisperTranscriber(
        config["model"],
        compute_type=config["compute_type"],
        cpu_threads=config["threads"],
        beam_size=config["beam_size"],
        redact=False,
        cache_dir=config.get("cache_dir"),
    )
    t0 = time.perf_counter()
    t.load()
    load_s = time.perf_counter() - t0
    results = []
    for item in items:
        duration = probe_audio(item["path"], verify=False).duration
        t0, c0 = time.perf_counter(), time.process_time()
        tr = t.transcribe(item["path"], agent_channel="right")
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        per: dict[str, Any] = {}
        for speaker, ref in item["refs"].items():
            hyp = " ".join(s.text for s in tr.segments if speaker == "all" or s.speaker == speaker)
            ref_w, hyp_w = normalize(ref), normalize(hyp)
            per[speaker] = {
                "errors": edit_distance(ref_w, hyp_w),
                "ref_words": len(ref_w),
                "hypothesis": hyp,
            }
        results.append(
            {
                "set": item["set"],
                "audio_s": duration,
                "elapsed_s": elapsed,
                "rtf": elapsed / duration,
                "cpu_s": cpu,
                "load_avg_after": os.getloadavg()[0],
                "language": tr.language,
                "speakers": per,
            }
        )
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"config": config, "load_s": load_s, "peak_rss_mb": peak_kb / 1024, "items": results}


def _wer(results: list[dict[str, Any]], prefix: str, speaker: str | None = None) -> float | None:
    errors = words = 0
    for r in results:
        if not r["set"].startswith(prefix):
            continue
        for spk, v in r["speakers"].items():
            if speaker is None or spk == speaker:
                errors += v["errors"]
                words += v["ref_words"]
    return errors / words if words else None


def summarise(run: dict[str, Any]) -> dict[str, Any]:
    items = run["items"]
    audio = sum(r["audio_s"] for r in items)
    elapsed = sum(r["elapsed_s"] for r in items)
    cpu = sum(r["cpu_s"] for r in items)
    return {
        **run["config"],
        "load_s": round(run["load_s"], 2),
        "audio_s": round(audio, 1),
        "rtf": round(elapsed / audio, 4) if audio else None,
        # CPU-seconds per audio second, all threads: less sensitive to other load.
        "cpu_per_audio_s": round(cpu / audio, 4) if audio else None,
        "max_load_avg": round(max(r["load_avg_after"] for r in items), 2),
        "peak_rss_mb": round(run["peak_rss_mb"], 0),
        "wer_jfk": _wer(items, "jfk"),
        "wer_pyannote": _wer(items, "pyannote"),
        "wer_stereo_fw_agent": _wer(items, "stereo-fw", "agent"),
        "wer_stereo_fw_customer": _wer(items, "stereo-fw", "customer"),
        "wer_spokenwoz_agent": _wer(items, "spokenwoz", "agent"),
        "wer_spokenwoz_customer": _wer(items, "spokenwoz", "customer"),
    }


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}" if v < 10 else f"{v:.0f}"
    return str(v)


def table(rows: list[dict[str, Any]]) -> str:
    cols = [
        ("model", "model"),
        ("compute_type", "type"),
        ("beam_size", "beam"),
        ("rtf", "RTF"),
        ("cpu_per_audio_s", "CPU s/s"),
        ("max_load_avg", "load"),
        ("peak_rss_mb", "peak MB"),
        ("load_s", "load s"),
        ("wer_jfk", "WER jfk"),
        ("wer_pyannote", "WER pyannote"),
        ("wer_stereo_fw_agent", "WER fw agent"),
        ("wer_stereo_fw_customer", "WER fw cust"),
        ("wer_spokenwoz_agent", "WER woz agent"),
        ("wer_spokenwoz_customer", "WER woz cust"),
    ]
    out = ["| " + " | ".join(h for _, h in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        out.append("| " + " | ".join(_fmt(r.get(k)) for k, _ in cols) + " |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "transcription.json"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one SpokenWOZ call; beam 5 and float32 only for the first model",
    )
    parser.add_argument(
        "--resume", action="store_true", help="keep configurations already in --out"
    )
    parser.add_argument("--cache-dir", default=None, help="where the base model is assembled")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()

    data = Path(args.data_dir)
    if args.worker:
        spec = json.loads(args.worker)
        print(json.dumps(worker(spec["config"], spec["items"])))
        return 0
    if not data.is_dir():
        print(
            f"error: data folder not found: {data} (pass the path to shared/data)", file=sys.stderr
        )
        return 2
    items = _items(data, args.quick)
    if not items:
        print(f"error: no speech sets found under {data}", file=sys.stderr)
        return 2
    missing = {"jfk", "pyannote", "stereo-fw", "spokenwoz"} - {
        i["set"].split("/")[0] for i in items
    }
    if missing:
        print(f"warning: missing sets under {data}: {', '.join(sorted(missing))}", file=sys.stderr)

    out = Path(args.out)
    item_sets = [{"set": i["set"], "path": i["path"]} for i in items]
    done = _previous_runs(out, item_sets) if args.resume else {}

    runs: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for config in _configs(args.models, args.threads, args.cache_dir, quick=args.quick):
        if _key(config) in done:
            runs.append(done[_key(config)])
            rows.append(summarise(runs[-1]))
            print(f"kept {_key(config)} from {out}", file=sys.stderr)
            continue
        print(
            f"running {config['model']} {config['compute_type']} beam {config['beam_size']}...",
            file=sys.stderr,
            flush=True,
        )
        proc = subprocess.run(
            [sys.executable, __file__, str(data), "--worker",
             json.dumps({"config": config, "items": items})],
            capture_output=True, text=True,
        )  # fmt: skip
        if proc.returncode != 0:
            print(f"  failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        runs.append(run)
        rows.append(summarise(run))
        print(table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
        _write(out, args, item_sets, rows, runs, complete=False)

    print(table(rows))
    _write(out, args, item_sets, rows, runs, complete=True)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def _configs(
    models: list[str], threads: int, cache_dir: str | None, *, quick: bool
) -> list[dict[str, Any]]:
    """The configurations to run, most useful first (int8 for every model, then float32), so a
    run cut short by time still holds the numbers that matter; results are written after every
    configuration. quick: every model greedy int8, and beam 5 / float32 greedy for the first
    model only."""
    variants = [("int8", 1), ("int8", 5), ("float32", 1), ("float32", 5)]
    configs = []
    for compute_type, beam in variants:
        for i, model in enumerate(models):
            extra = (compute_type, beam) != ("int8", 1)
            if quick and extra and (i > 0 or (compute_type, beam) == ("float32", 5)):
                continue
            configs.append(
                {
                    "model": model,
                    "compute_type": compute_type,
                    "beam_size": beam,
                    "threads": threads,
                    "cache_dir": cache_dir,
                }
            )
    return configs


def _previous_runs(out: Path, item_sets: list[dict[str, str]]) -> dict[str, Any]:
    """The runs already in ``out`` by configuration key (--resume), if it measured the same sets."""
    if not out.exists():
        return {}
    previous = json.loads(out.read_text())
    if previous.get("sets") != item_sets:
        return {}
    return {_key(r["config"]): r for r in previous.get("runs", [])}


def _key(config: dict[str, Any]) -> str:
    return f"{config['model']}/{config['compute_type']}/beam{config['beam_size']}"


def _write(
    out: Path,
    args: argparse.Namespace,
    item_sets: list[dict[str, str]],
    rows: list[dict[str, Any]],
    runs: list[dict[str, Any]],
    *,
    complete: bool,
) -> None:
    result = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "threads": args.threads,
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
        },
        "quick": args.quick,
        "complete": complete,
        "sets": item_sets,
        "summary": rows,
        "runs": runs,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(out)


if __name__ == "__main__":
    sys.exit(main())
