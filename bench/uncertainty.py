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

import bench.autoqa as autoqa_bench  # noqa: E402  (its loaders, read-only)
from bench.autoqa import load_epitome, load_stc3  # noqa: E402
from scoring import AutoQAModel, Turn  # noqa: E402
from scoring import conformal as cf  # noqa: E402
from scoring.train import load_corpus  # noqa: E402

HOLDOUT = ROOT / "data" / "autoqa" / "holdout.jsonl"
FR_CALIBRATION = ROOT / "data" / "autoqa" / "fr" / "contrast_train.jsonl"
FR_HOLDOUT = ROOT / "data" / "autoqa" / "fr" / "holdout.jsonl"
_T0 = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.0f}s] {message}", file=sys.stderr, flush=True)


def load_model(folder: Path) -> AutoQAModel:
    model = AutoQAModel.load(folder)
    cache = getattr(autoqa_bench, "DiskEmbeddingCache", None)
    if cache is not None:  # bench/autoqa.py's on-disk encoder cache, when it has one
        model.encoder = cache(model.encoder, Path(os.environ["AUTOQA_ENCODER_CACHE"]))
    return model


def flush(model: AutoQAModel) -> None:
    done = getattr(model.encoder, "flush", None)
    if done is not None:
        done()


def corpus(model: AutoQAModel, rows: list[dict[str, Any]]) -> dict[str, tuple[Any, Any]]:
    preds = model.predict([r["turns"] for r in rows])
    return {h: (np.array(p), np.array(y)) for h, (p, y) in cf.corpus_pairs(preds, rows).items()}


def shipped(model: AutoQAModel, cal_rows: list[dict[str, Any]], level: float,
            calibrator: str) -> tuple[cf.Calibration, str]:
    stored = cf.Calibration.from_metadata(model.metadata)
    if stored is not None:
        return stored, "model.json"
    pairs = corpus(model, cal_rows)
    return cf.fit(pairs, level=level, calibrator=calibrator), "fitted here (model.json has none)"


def block(cal: cf.HeadCalibration, p: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    out = cf.coverage(cal, p, y)
    out["within_2_points"] = bool(abs(out["coverage"] - cal.level) <= 0.02)
    out["ece_target_met"] = bool(out["ece_calibrated"] <= 0.05)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--model", default=str(ROOT / "scoring" / "default_model"))
    ap.add_argument("--fr-model", default=str(ROOT / "scoring" / "language_models" / "fr"))
    ap.add_argument("--level", type=float, default=cf.DEFAULT_LEVEL)
    ap.add_argument("--calibrator", default="platt", choices=cf.CALIBRATORS)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "uncertainty.json"))
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not (data / "helpdesk-quality-stc3").is_dir():
        print(f"error: public data not found under {data} (pass --data)", file=sys.stderr)
        return 2

    results: dict[str, Any] = {"level": args.level, "calibrator": args.calibrator,
                               "load_average_1m_at_start": os.getloadavg()[0], "sets": {}}
    en = load_model(Path(args.model))
    results["model_version"] = en.version
    holdout = load_corpus(HOLDOUT)
    cal_rows = [r for r in holdout if cf.half(r["id"]) == "dev"]
    test_rows = [r for r in holdout if cf.half(r["id"]) == "test"]
    progress(f"English: calibration {len(cal_rows)} / evaluation {len(test_rows)} of holdout")
    en_cal, source = shipped(en, cal_rows, args.level, args.calibrator)
    results["shipped_en"] = {"source": source, **en_cal.to_dict()}
    held = corpus(en, test_rows)
    for head in cf.HEADS:
        results["sets"][f"en_holdout_test/{head}/shipped"] = block(en_cal.heads[head], *held[head])

    progress("STC-3")
    stc, stc_y, stc_half = load_stc3(data)
    stc_p = np.array([p.resolution_probability for p in en.predict(stc)])
    dev, test = stc_half == "dev", stc_half == "test"
    results["sets"]["stc3_test/resolution/shipped"] = block(
        en_cal.heads["resolution"], stc_p[test], stc_y[test])
    domain = cf.fit_head("resolution", stc_p[dev], stc_y[dev], level=args.level,
                         calibrator=args.calibrator)
    results["sets"]["stc3_test/resolution/domain"] = block(domain, stc_p[test], stc_y[test])

    progress("EPITOME")
    for name, (texts, y, halves) in load_epitome(data).items():
        p = np.array([x.empathy_score / 100 for x in en.predict([[Turn("agent", t)]
                                                                  for t in texts])])
        dev, test = halves == "dev", halves == "test"
        key = f"epitome_{name.replace('-', '_')}_test/empathy"
        results["sets"][f"{key}/shipped"] = block(en_cal.heads["empathy"], p[test], y[test])
        domain = cf.fit_head("empathy", p[dev], y[dev], level=args.level,
                             calibrator=args.calibrator)
        results["sets"][f"{key}/domain"] = block(domain, p[test], y[test])
    flush(en)

    if Path(args.fr_model).is_dir():
        progress("French")
        fr = load_model(Path(args.fr_model))
        fr_cal, source = shipped(fr, load_corpus(FR_CALIBRATION), args.level, args.calibrator)
        results["shipped_fr"] = {"source": source, "model_version": fr.version,
                                 **fr_cal.to_dict()}
        fr_held = corpus(fr, load_corpus(FR_HOLDOUT))
        for head in cf.HEADS:
            results["sets"][f"fr_holdout/{head}/shipped"] = block(fr_cal.heads[head],
                                                                  *fr_held[head])
        flush(fr)

    results["load_average_1m"] = os.getloadavg()[0]
    results["bench_seconds"] = round(time.perf_counter() - _T0, 1)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"{'set/head/calibration':58} {'n':>5} {'cover':>6} {'±2pt':>5} {'|set|':>6} "
          f"{'uncert':>6} {'ECEraw':>7} {'ECEcal':>7}")
    for key, r in results["sets"].items():
        print(f"{key:58} {r['n']:5d} {r['coverage']:6.3f} {'yes' if r['within_2_points'] else 'NO':>5} "
              f"{r['mean_set_size']:6.3f} {r['uncertain_share']:6.3f} {r['ece_raw']:7.4f} "
              f"{r['ece_calibrated']:7.4f}")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
