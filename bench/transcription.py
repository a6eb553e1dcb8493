"""Transcription benchmark: WER, real-time factor and peak memory per model configuration.

    python bench/transcription.py [DATA_DIR] [--models tiny.en base] [--quick]
                                  [--out bench/results/transcription.json]
    python bench/transcription.py [DATA_DIR] --sweep [--only KEY...]
                                  [--out bench/results/transcription_sweep.json]

--sweep measures, per language, the settings the app can choose (model, beam, voice-activity
filter, 8 kHz -> 16 kHz resampling, an initial prompt of the team's vocabulary, compute type):
English on the four real 8 kHz SpokenWOZ calls (pooled WER over both channels, and per
channel), French on the synthesised French calls (qa/demo/calls_fr and the French test clip).

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

# The vocabulary a team would enter for its calls (bench --sweep, "prompt" on): written from
# what each set's calls are about (SpokenWOZ: SOURCE.txt's "Cambridge tourist info/bookings";
# the French demo team: its "livraison" queue), not from the reference transcripts.
SWEEP_PROMPTS = {
    "en": "Cambridge TownInfo centre: hotels, guesthouses, restaurants, attractions, trains "
    "and taxis; booking, reference number, postcode, phone number.",
    "fr": "Service client, livraison : commande, colis, livraison, remboursement.",
}

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


def _item_result(
    item: dict[str, Any], tr: Any, duration: float, elapsed: float, cpu: float
) -> dict[str, Any]:
    """One item's measurement: errors per speaker (and "all") against its references."""
    per: dict[str, Any] = {}
    for speaker, ref in item["refs"].items():
        hyp = " ".join(s.text for s in tr.segments if speaker == "all" or s.speaker == speaker)
        ref_w, hyp_w = normalize(ref), normalize(hyp)
        per[speaker] = {
            "errors": edit_distance(ref_w, hyp_w),
            "ref_words": len(ref_w),
            "hypothesis": hyp,
        }
    return {
        "set": item["set"],
        "audio_s": duration,
        "elapsed_s": elapsed,
        "rtf": elapsed / duration,
        "cpu_s": cpu,
        "load_avg_after": os.getloadavg()[0],
        "language": tr.language,
        "speakers": per,
    }


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
        results.append(_item_result(item, tr, duration, elapsed, cpu))
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


# ---- --sweep: the settings per language -------------------------------------------------

FRENCH_CALLS = (
    # (audio, reference) relative to the repository; synthesised with espeak-ng.
    ("qa/demo/calls_fr/colis_en_retard.flac", "qa/demo/calls_fr/colis_en_retard.json"),
    ("tests/data/audio/mono_french.wav", "tests/data/audio/mono_french.txt"),
)
RESAMPLERS = ("swr", "poly", "linear")


def sweep_items(data: Path) -> list[dict[str, Any]]:
    """English: the SpokenWOZ calls (per channel); French: the synthesised French calls."""
    items = [
        dict(i, language="en") for i in _items(data, False) if i["set"].startswith("spokenwoz")
    ]
    for audio, ref in FRENCH_CALLS:
        audio_p, ref_p = ROOT / audio, ROOT / ref
        if not (audio_p.exists() and ref_p.exists()):
            continue
        if ref_p.suffix == ".json":
            script = json.loads(ref_p.read_text())["script"]
            refs = {
                spk: " ".join(t["text"] for t in script if t["speaker"] == spk)
                for spk in ("agent", "customer")
            }
        else:
            refs = {"all": ref_p.read_text().strip()}
        items.append({"set": f"fr/{audio_p.stem}", "path": str(audio_p), "refs": refs,
                      "language": "fr"})  # fmt: skip
    return items


def upsample(audio: Any, rate: int, method: str, target: int = 16_000) -> Any:
    """One channel from ``rate`` to ``target``: "poly" is scipy's polyphase filter (a
    band-limited Kaiser FIR), "linear" straight-line interpolation between samples."""
    import numpy as np

    if rate == target:
        return audio
    if method == "poly":
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(target, rate)
        return resample_poly(audio, target // g, rate // g).astype(np.float32)
    if method == "linear":
        n = int(round(len(audio) * target / rate))
        return np.interp(np.arange(n) * (rate / target), np.arange(len(audio)), audio).astype(
            np.float32
        )
    raise ValueError(f"unknown resampler {method!r}")


def _resampled_copy(path: str, method: str, tmp: Path) -> str:
    """``path`` at 16 kHz by ``method`` as a 16-bit WAV in ``tmp`` ("swr", PyAV/FFmpeg's own
    resampler that transcription uses, and 16 kHz files: the file itself)."""
    import wave

    import numpy as np

    from transcription.audio import decode_audio, probe_audio

    rate = probe_audio(path, verify=False).sample_rate
    if method == "swr" or rate == 16_000:
        return path
    _, channels = decode_audio(path, sample_rate=rate)
    up = [upsample(c, rate, method) for c in channels]
    frames = np.stack(up, axis=1) if len(up) == 2 else up[0][:, None]
    pcm = (np.clip(frames, -1.0, 1.0) * 32767).astype("<i2")
    out = tmp / f"{Path(path).stem}.{method}.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(pcm.tobytes())
    return str(out)


def sweep_worker(config: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """One sweep configuration over the items of its language, in this process."""
    import tempfile

    from transcription import WhisperTranscriber
    from transcription.audio import probe_audio

    language = config["language"]
    mine = [i for i in items if i["language"] == language]
    t = WhisperTranscriber(
        config["model"],
        compute_type=config["compute_type"],
        cpu_threads=config["threads"],
        beam_size=config["beam_size"],
        vad_filter=config["vad"],
        initial_prompt=SWEEP_PROMPTS[language] if config["prompt"] else None,
        condition_on_previous_text=config.get("context", True),
        languages=None if config["model"].endswith(".en") else (language,),
        redact=False,
        cache_dir=config.get("cache_dir"),
    )
    t0 = time.perf_counter()
    t.load()
    load_s = time.perf_counter() - t0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for item in mine:
            path = _resampled_copy(item["path"], config["resample"], Path(tmp))
            duration = probe_audio(item["path"], verify=False).duration
            t0, c0 = time.perf_counter(), time.process_time()
            tr = t.transcribe(path, agent_channel="right")
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            results.append(_item_result(item, tr, duration, elapsed, cpu))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"config": config, "load_s": load_s, "peak_rss_mb": peak_kb / 1024, "items": results}


def rescore(runs: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    """Recount every run's errors from its stored hypotheses with the current normaliser (so a
    resumed run and a new one are scored alike)."""
    refs = {i["set"]: i["refs"] for i in items}
    for run in runs:
        for result in run["items"]:
            for speaker, v in result["speakers"].items():
                ref_w = normalize(refs[result["set"]][speaker])
                v["errors"] = edit_distance(ref_w, normalize(v["hypothesis"]))
                v["ref_words"] = len(ref_w)


def sweep_key(config: dict[str, Any]) -> str:
    return (
        f"{config['language']}/{config['model']}/{config['compute_type']}/beam{config['beam_size']}"
        f"/{'vad' if config['vad'] else 'novad'}/{config['resample']}"
        f"{'/prompt' if config['prompt'] else ''}"
        f"{'' if config.get('context', True) else '/nocontext'}"
    )


def sweep_configs(threads: int, cache_dir: str | None) -> list[dict[str, Any]]:
    """One factor at a time around each language's reference setting (English: tiny.en
    float32 beam 5, VAD, FFmpeg's resampler, no prompt; French: base, same), most telling
    first, then the combinations the single factors point to."""

    def c(language: str, model: str, **change: Any) -> dict[str, Any]:
        config = {"language": language, "model": model, "compute_type": "float32",
                  "beam_size": 5, "vad": True, "resample": "swr", "prompt": False,
                  "threads": threads, "cache_dir": cache_dir}  # fmt: skip
        config.update(change)
        return config

    en = [
        c("en", "tiny.en"),
        c("en", "tiny.en", prompt=True),
        c("en", "tiny.en", context=False),
        c("en", "tiny.en", vad=False),
        c("en", "tiny.en", beam_size=1),
        c("en", "tiny.en", compute_type="int8"),
        c("en", "tiny.en", resample="poly"),
        c("en", "tiny.en", resample="linear"),
    ]
    en_base = [
        c("en", "base"),
        c("en", "base", prompt=True),
        c("en", "base", context=False),
        c("en", "base", beam_size=1),
        c("en", "base", compute_type="int8"),
        c("en", "base", vad=False),
    ]
    fr = [
        c("fr", "base"),
        c("fr", "base", context=False),
        c("fr", "base", prompt=True),
        c("fr", "base", vad=False),
        c("fr", "base", beam_size=1),
        c("fr", "base", compute_type="int8"),
    ]
    return fr + en + en_base


def select_configs(configs: list[dict[str, Any]], patterns: list[str]) -> list[dict[str, Any]]:
    """The configurations whose key is one of ``patterns`` ("KEY", or "PREFIX*"), in the order
    of the patterns, so the ones that matter most run first."""

    def rank(config: dict[str, Any]) -> int | None:
        key = sweep_key(config)
        for i, p in enumerate(patterns):
            if key == p or (p.endswith("*") and key.startswith(p[:-1])):
                return i
        return None

    ranked = [(rank(c), n, c) for n, c in enumerate(configs)]
    return [c for r, _, c in sorted((r, n, c) for r, n, c in ranked if r is not None)]


def sweep_summary(run: dict[str, Any]) -> dict[str, Any]:
    items = run["items"]
    audio = sum(r["audio_s"] for r in items)
    elapsed = sum(r["elapsed_s"] for r in items)
    cpu = sum(r["cpu_s"] for r in items)
    config = {k: v for k, v in run["config"].items() if k != "cache_dir"}
    return {
        "key": sweep_key(run["config"]),
        **config,
        "audio_s": round(audio, 1),
        "rtf": round(elapsed / audio, 4) if audio else None,
        "cpu_per_audio_s": round(cpu / audio, 4) if audio else None,
        "max_load_avg": round(max(r["load_avg_after"] for r in items), 2) if items else None,
        "peak_rss_mb": round(run["peak_rss_mb"], 0),
        "wer": _wer(items, ""),
        "wer_agent": _wer(items, "", "agent"),
        "wer_customer": _wer(items, "", "customer"),
        "ref_words": sum(v["ref_words"] for r in items for v in r["speakers"].values()),
    }


def sweep_table(rows: list[dict[str, Any]]) -> str:
    cols = [("key", "setting"), ("rtf", "RTF"), ("cpu_per_audio_s", "CPU s/s"),
            ("max_load_avg", "load"), ("peak_rss_mb", "peak MB"), ("wer", "WER"),
            ("wer_agent", "WER agent"), ("wer_customer", "WER cust")]  # fmt: skip
    out = ["| " + " | ".join(h for _, h in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        out.append("| " + " | ".join(_fmt(r.get(k)) for k, _ in cols) + " |")
    return "\n".join(out)


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _in_subprocess(
    flag: str, data: Path, config: dict[str, Any], items: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """One configuration's run in its own process (``--worker`` / ``--sweep-worker``): its
    result, or None after printing why it failed."""
    proc = subprocess.run(
        [sys.executable, __file__, str(data), flag, json.dumps({"config": config, "items": items})],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        print(f"  failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run_sweep(args: argparse.Namespace, data: Path) -> int:
    items = sweep_items(data)
    if not any(i["language"] == "en" for i in items):
        print(f"error: no SpokenWOZ calls under {data}", file=sys.stderr)
        return 2
    out = Path(args.out)
    previous: dict[str, Any] = {}
    if args.resume and out.exists():
        previous = {sweep_key(r["config"]): r for r in json.loads(out.read_text())["runs"]}
    configs = sweep_configs(args.threads, args.cache_dir)
    if args.only:
        configs = select_configs(configs, args.only)
    runs: list[dict[str, Any]] = list(previous.values())
    for config in configs:
        key = sweep_key(config)
        if key in previous:
            continue
        before = _uptime()
        print(f"running {key} ({before})", file=sys.stderr, flush=True)
        run = _in_subprocess("--sweep-worker", data, config, items)
        if run is None:
            continue
        run["uptime_before"], run["uptime_after"] = before, _uptime()
        runs.append(run)
        print(sweep_table([sweep_summary(run)]).splitlines()[-1], file=sys.stderr, flush=True)
        _write_sweep(out, args, items, runs)
    rescore(runs, items)
    _write_sweep(out, args, items, runs)
    print(sweep_table([sweep_summary(r) for r in runs]))
    print(f"wrote {out}", file=sys.stderr)
    return 0


def _write_sweep(
    out: Path, args: argparse.Namespace, items: list[dict[str, Any]], runs: list[dict[str, Any]]
) -> None:
    result = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "threads": args.threads,
                    "platform": platform.platform(), "python": platform.python_version(),
                    "note": "2 cores shared with other sessions: RTF under load, see uptime"},
        "prompts": SWEEP_PROMPTS,
        "sets": [{"set": i["set"], "path": i["path"], "language": i["language"]} for i in items],
        "summary": [sweep_summary(r) for r in runs],
        "runs": runs,
    }  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(out)


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
    parser.add_argument("--sweep", action="store_true", help="the settings sweep, per language")
    parser.add_argument(
        "--only", nargs="+", help="--sweep: these settings (KEY or PREFIX*), in this order"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--sweep-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()

    data = Path(args.data_dir)
    if args.worker:
        spec = json.loads(args.worker)
        print(json.dumps(worker(spec["config"], spec["items"])))
        return 0
    if args.sweep_worker:
        spec = json.loads(args.sweep_worker)
        print(json.dumps(sweep_worker(spec["config"], spec["items"])))
        return 0
    if not data.is_dir():
        print(
            f"error: data folder not found: {data} (pass the path to shared/data)", file=sys.stderr
        )
        return 2
    if args.sweep:
        if args.out == parser.get_default("out"):
            args.out = str(ROOT / "bench" / "results" / "transcription_sweep.json")
        return run_sweep(args, data)
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
        run = _in_subprocess("--worker", data, config, items)
        if run is None:
            continue
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
