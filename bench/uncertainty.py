"""Coverage and calibration of AutoQA's stated uncertainty (issue 20).

python bench/uncertainty.py [--data ../shared/data] [--model scoring/default_model]
                            [--fr-model scoring/language_models/fr] [--out bench/results/uncertainty.json]

For each head (empathy, resolution) the split conformal sets at the stated level (90 % by
default) and the calibrated confidence are measured on held-out data:

1. "shipped": the calibration stored in each model.json ("conformal" key, written by
   `python -m scoring calibrate`; fitted here the same way when a model has none yet):
   English on the dev half of data/autoqa/holdout.jsonl, French on data/autoqa/fr/
   contrast_train.jsonl (project data the models were never trained on). Measured on the test
   half of data/autoqa/holdout.jsonl, data/autoqa/fr/holdout.jsonl (evaluation only) and the
   STC-3 / EPITOME test halves (another distribution: shows what happens without refitting).
2. "domain": fitted on the STC-3 / EPITOME dev halves and measured on their test halves
   (the conformal guarantee holds when calibration and use are exchangeable). Measurement
   only: these non-commercial sets never go into a shipped artifact.

On a loaded machine: `--stage NAME [--limit N --shard k/m]` processes score parts in parallel
into a pairs cache, then a run without --stage reads them (same --limit and --shard m) and
reports. The run committed scored fixed subsamples of the public halves (--limit, recorded as
"public_subsample_per_half" in the JSON).

Targets: coverage within 2 points of the level; ECE <= 0.05 after the calibrator (before:
the raw model's ECE). Scores go through an on-disk encoder cache (AUTOQA_ENCODER_CACHE,
default /var/tmp/enc-cache-uncertainty) so a re-run re-encodes nothing.
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
os.environ.setdefault("AUTOQA_ENCODER_CACHE", "/var/tmp/enc-cache-uncertainty")

try:
    import bench.autoqa as autoqa_bench  # noqa: E402  (its loaders, read-only)
    from bench.autoqa import load_epitome, load_stc3  # noqa: E402
    from scoring import AutoQAModel, Turn  # noqa: E402
    from scoring import conformal as cf  # noqa: E402
    from scoring.train import load_corpus  # noqa: E402
except ImportError:  # the report alone (no --stage) needs numpy only: scoring/conformal.py
    import types

    _package = types.ModuleType("scoring")
    _package.__path__ = [str(ROOT / "scoring")]
    sys.modules["scoring"] = _package
    from scoring import conformal as cf  # noqa: E402

HOLDOUT = ROOT / "data" / "autoqa" / "holdout.jsonl"
FR_CALIBRATION = ROOT / "data" / "autoqa" / "fr" / "contrast_train.jsonl"
FR_HOLDOUT = ROOT / "data" / "autoqa" / "fr" / "holdout.jsonl"
_T0 = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.0f}s] {message}", file=sys.stderr, flush=True)


def load_model(folder: Path, stage: str) -> Any:
    model = AutoQAModel.load(folder)
    cache = getattr(autoqa_bench, "DiskEmbeddingCache", None)
    if cache is not None:  # bench/autoqa.py's on-disk encoder cache (one per stage: stages
        # run in parallel processes)
        model.encoder = cache(model.encoder, Path(os.environ["AUTOQA_ENCODER_CACHE"]) / stage)
    return model


def flush(model: Any) -> None:
    done = getattr(model.encoder, "flush", None)
    try:
        if done is not None:
            done()
    except OSError as exc:  # the cache only saves time: never lose the scores for it
        progress(f"encoder cache not saved: {exc}")


def corpus(model: Any, rows: list[dict[str, Any]]) -> dict[str, tuple[Any, Any]]:
    """{head: (probabilities, labels)} of a labelled corpus."""
    preds = model.predict([r["turns"] for r in rows])
    return {h: (np.array(p), np.array(y)) for h, (p, y) in cf.corpus_pairs(preds, rows).items()}


class Sidecar:
    """A model as the report needs it: its version and sidecar (model.json)."""

    def __init__(self, folder: Path) -> None:
        self.metadata = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        self.version = str(self.metadata["version"])


PAIRS = ("holdout", "holdout_test", "stc3_dev", "stc3_test", "epitome_dev", "epitome_test",
         "fr")


def shipped(model: Any, pairs: dict[str, np.ndarray], prefix: str, level: float,
            calibrator: str) -> tuple[cf.Calibration, str]:
    """The calibration in the model's model.json, else one fitted the same way here."""
    stored = cf.Calibration.from_metadata(model.metadata)
    if stored is not None:
        return stored, "model.json"
    fitted = cf.fit({h: (pairs[f"{prefix}{h}_p"], pairs[f"{prefix}{h}_y"]) for h in cf.HEADS},
                    level=level, calibrator=calibrator)
    return fitted, "fitted here (model.json has none)"


def block(cal: cf.HeadCalibration, p: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    out = cf.coverage(cal, p, y)
    out["within_2_points"] = bool(abs(out["coverage"] - cal.level) <= 0.02)
    out["ece_target_met"] = bool(out["ece_calibrated"] <= 0.05)
    return out


def sample(ids: list[str], limit: int | None, shard: tuple[int, int]) -> np.ndarray:
    """Indices of a fixed subsample: the first `limit` items ordered by sha256 of their key (the
    item's position in its half for STC-3, the text for EPITOME; all without a limit), then
    every m-th of them from k (shard k/m) for parallel processes."""
    import hashlib

    order = sorted(range(len(ids)), key=lambda i: hashlib.sha256(ids[i].encode()).hexdigest())
    chosen = order[:limit] if limit else order
    k, m = shard
    return np.array(sorted(chosen[k::m]), dtype=int)


def compute(stage: str, args: argparse.Namespace) -> dict[str, np.ndarray]:
    """The (probability, label) arrays of one stage (scored through the encoder cache)."""
    data = Path(args.data)
    out: dict[str, np.ndarray] = {}
    if stage == "fr":
        fr = load_model(Path(args.fr_model), stage)
        for prefix, rows in (("cal_", load_corpus(FR_CALIBRATION)),
                             ("test_", load_corpus(FR_HOLDOUT))):
            for h, (p, y) in corpus(fr, rows).items():
                out[f"{prefix}{h}_p"], out[f"{prefix}{h}_y"] = p, y
        flush(fr)
        return out
    en = load_model(Path(args.model), stage)
    if stage == "holdout":
        holdout = load_corpus(HOLDOUT)
        for prefix, part in (("cal_", "dev"), ("test_", "test")):
            rows = [r for r in holdout if cf.half(r["id"]) == part]
            for h, (p, y) in corpus(en, rows).items():
                out[f"{prefix}{h}_p"], out[f"{prefix}{h}_y"] = p, y
    elif stage == "holdout_test":  # the evaluation half only (the calibration is model.json's)
        rows = [r for r in load_corpus(HOLDOUT) if cf.half(r["id"]) == "test"]
        rows = [rows[i] for i in sample([str(r["id"]) for r in rows], None, args.shard)]
        for h, (p, y) in corpus(en, rows).items():
            out[f"test_{h}_p"], out[f"test_{h}_y"] = p, y
    elif stage.startswith("stc3_"):
        stc, stc_y, stc_half = load_stc3(data)
        in_half = np.flatnonzero(stc_half == stage.removeprefix("stc3_"))
        keep = in_half[sample([str(i) for i in in_half], args.limit, args.shard)]
        out["p"] = np.array([p.resolution_probability for p in en.predict([stc[i] for i in keep])])
        out["y"] = stc_y[keep]
    elif stage.startswith("epitome_"):
        part = stage.removeprefix("epitome_")
        sets = load_epitome(data)
        texts = sorted({t for ts, _, hs in sets.values()
                        for t, h in zip(ts, hs, strict=True) if h == part})
        texts = [texts[i] for i in sample(texts, args.limit, args.shard)]
        scores = dict(zip(texts, (x.empathy_score / 100 for x in en.predict(
            [[Turn("agent", t)] for t in texts])), strict=True))
        for name, (ts, y, hs) in sets.items():
            key = name.replace("-", "_")
            picked = [i for i, (t, h) in enumerate(zip(ts, hs, strict=True))
                      if h == part and t in scores]
            out[f"{key}_p"] = np.array([scores[ts[i]] for i in picked])
            out[f"{key}_y"] = y[picked]
    flush(en)
    return out


def pairs_of(stage: str, args: argparse.Namespace, version: str) -> dict[str, np.ndarray]:
    """A stage's arrays from the pairs cache (keyed by model version, subsample and shard),
    computed when missing; without --stage the shards 0..m-1 are read and joined."""
    folder = Path(os.environ["AUTOQA_ENCODER_CACHE"]) / "pairs"
    public = stage.startswith(("stc3_", "epitome_", "holdout_"))
    limit = f"-n{args.limit}" if public and args.limit else ""
    k, m = args.shard if public else (0, 1)
    if not args.stage and public:
        # the report: the most complete set of shards scored for this stage (any --limit)
        import re

        groups: dict[tuple[int, int], dict[int, Path]] = {}
        for found in folder.glob(f"{version}-{stage}-*of*.npz"):
            match = re.fullmatch(rf"{re.escape(version)}-{stage}(?:-n(\d+))?-(\d+)of(\d+)\.npz",
                                 found.name)
            if match:
                n_key = int(match.group(1) or 10**9)
                groups.setdefault((n_key, int(match.group(3))), {})[int(match.group(2))] = found
        complete = [key for key, shards in groups.items() if len(shards) == key[1]]
        if complete:
            best = max(complete)
            parts = []
            for shard in sorted(groups[best]):
                with np.load(groups[best][shard]) as saved:
                    parts.append({key: saved[key] for key in saved.files})
            args.subsamples[stage] = None if best[0] == 10**9 else best[0]
            return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    path = folder / f"{version}-{stage}{limit}-{k}of{m}.npz"
    if path.is_file():
        with np.load(path) as saved:
            return {key: saved[key] for key in saved.files}
    if not args.stage and args.report_only:
        args.missing.append(stage)
        return {}
    progress(f"scoring {stage} {limit} shard {k}/{m}")
    out = compute(stage, args)
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(path, **out)  # type: ignore[arg-type]
    return out


def measure(args: argparse.Namespace, en: Sidecar, fr: Sidecar) -> dict[str, Any]:
    """Every set's coverage and ECE block, from the pairs cache."""
    results: dict[str, Any] = {"level": args.level, "calibrator": args.calibrator,
                               "model_version": en.version, "fr_model_version": fr.version,
                               "load_average_1m_at_start": os.getloadavg()[0], "sets": {}}
    sets = results["sets"]
    folder = Path(os.environ["AUTOQA_ENCODER_CACHE"]) / "pairs"
    if (folder / f"{en.version}-holdout-0of1.npz").is_file():
        held = pairs_of("holdout", args, en.version)
    else:  # scored in shards of the evaluation half (--stage holdout_test --shard k/m)
        held = pairs_of("holdout_test", args, en.version)
    en_cal, source = shipped(en, held, "cal_", args.level, args.calibrator)
    results["shipped_en"] = {"source": source, **en_cal.to_dict()}
    for h in cf.HEADS if held else ():
        sets[f"en_holdout_test/{h}/shipped"] = block(en_cal.heads[h], held[f"test_{h}_p"],
                                                     held[f"test_{h}_y"])
    dev, test = pairs_of("stc3_dev", args, en.version), pairs_of("stc3_test", args, en.version)
    if test:
        sets["stc3_test/resolution/shipped"] = block(en_cal.heads["resolution"], test["p"],
                                                     test["y"])
    if test and dev:
        domain = cf.fit_head("resolution", dev["p"], dev["y"], level=args.level,
                             calibrator=args.calibrator)
        sets["stc3_test/resolution/domain"] = block(domain, test["p"], test["y"])
    dev, test = (pairs_of("epitome_dev", args, en.version),
                 pairs_of("epitome_test", args, en.version))
    for name in ("emotional_reactions", "interpretations") if test else ():
        key = f"epitome_{name}_test/empathy"
        sets[f"{key}/shipped"] = block(en_cal.heads["empathy"], test[f"{name}_p"],
                                       test[f"{name}_y"])
        if not dev:
            continue
        domain = cf.fit_head("empathy", dev[f"{name}_p"], dev[f"{name}_y"], level=args.level,
                             calibrator=args.calibrator)
        sets[f"{key}/domain"] = block(domain, test[f"{name}_p"], test[f"{name}_y"])
    fr_pairs = pairs_of("fr", args, fr.version)
    fr_cal, source = shipped(fr, fr_pairs, "cal_", args.level, args.calibrator)
    results["shipped_fr"] = {"source": source, **fr_cal.to_dict()}
    for h in cf.HEADS if fr_pairs else ():
        sets[f"fr_holdout/{h}/shipped"] = block(fr_cal.heads[h], fr_pairs[f"test_{h}_p"],
                                                fr_pairs[f"test_{h}_y"])
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--model", default=str(ROOT / "scoring" / "default_model"))
    ap.add_argument("--fr-model", default=str(ROOT / "scoring" / "language_models" / "fr"))
    ap.add_argument("--level", type=float, default=cf.DEFAULT_LEVEL)
    ap.add_argument("--calibrator", default="platt", choices=cf.CALIBRATORS)
    ap.add_argument("--stage", choices=PAIRS, help="only score this part into the pairs cache "
                                                   "(run several at once, then without --stage)")
    ap.add_argument("--limit", type=int, default=None,
                    help="STC-3 / EPITOME: a fixed subsample of this many items per half "
                         "(the first by sha256(id)); default every item")
    ap.add_argument("--shard", default="0/1", help="k/m: this process scores every m-th item "
                                                   "of the subsample from k (with --stage)")
    ap.add_argument("--report-only", action="store_true",
                    help="report what the pairs cache holds; a stage not scored is listed as "
                         "not measured instead of being scored now")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "uncertainty.json"))
    args = ap.parse_args(argv)
    try:
        k, m = (int(v) for v in args.shard.split("/"))
        if not 0 <= k < m:
            raise ValueError
    except ValueError:
        print("error: --shard must be k/m with 0 <= k < m", file=sys.stderr)
        return 2
    args.shard = (k, m)
    args.subsamples = {}
    args.missing = []
    if not (Path(args.data) / "helpdesk-quality-stc3").is_dir():
        print(f"error: public data not found under {args.data} (pass --data)", file=sys.stderr)
        return 2
    # the report reads the sidecars only (versions, calibrations): no model is loaded
    en = Sidecar(Path(args.model))
    fr = Sidecar(Path(args.fr_model))
    versions = {stage: (fr if stage == "fr" else en).version for stage in PAIRS}
    if args.stage:
        pairs_of(args.stage, args, versions[args.stage])
        return 0
    results = measure(args, en, fr)
    results["public_subsample_per_half"] = args.subsamples
    results["not_measured"] = args.missing
    results["note"] = ("load_average_1m is the report's; the pairs were scored by stage processes "
                       "(uptime load 30-40 on 2 shared cores); coverage and ECE do not depend on "
                       "load")
    results["load_average_1m"] = os.getloadavg()[0]
    results["bench_seconds"] = round(time.perf_counter() - _T0, 1)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"{'set/head/calibration':52} {'n':>5} {'cover':>6} {'±2pt':>5} {'|set|':>6} "
          f"{'uncert':>6} {'ECEraw':>7} {'ECEcal':>7}")
    for key, r in results["sets"].items():
        print(f"{key:52} {r['n']:5d} {r['coverage']:6.3f} "
              f"{'yes' if r['within_2_points'] else 'NO':>5} {r['mean_set_size']:6.3f} "
              f"{r['uncertain_share']:6.3f} {r['ece_raw']:7.4f} {r['ece_calibrated']:7.4f}")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
