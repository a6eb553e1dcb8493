"""`python -m scoring calibrate`: fit a model's uncertainty on a calibration split and store
it under the "conformal" key of its model.json (the rest of the sidecar is left as it is).

Re-runnable after any retraining: it scores the calibration files with the model in --model
(or reads (head, probability, label) pairs any other model wrote, --pairs) and replaces the
"conformal" key. See docs/uncertainty.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from . import conformal
from .errors import ScoringError
from .model import SIDECAR_FILE

# Evaluation-only files: never a calibration split (BRIEF: never tune on a hold-out or a test).
EVALUATION_ONLY = ("contrast_test.jsonl", "fr/holdout.jsonl")


def _check_calibration_file(path: Path) -> None:
    posix = path.resolve().as_posix()
    for name in EVALUATION_ONLY:
        if posix.endswith("/" + name):
            raise ScoringError(f"{path} is evaluation only, not a calibration split")
    if not path.is_file():
        raise ScoringError(f"calibration data not found: {path}")


def read_pairs(path: Path) -> dict[str, tuple[list[float], list[int]]]:
    """{head: (probabilities, labels)} from a JSONL of {"head", "probability", "label"}."""
    if not path.is_file():
        raise ScoringError(f"pairs file not found: {path}")
    out: dict[str, tuple[list[float], list[int]]] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                head, p, y = str(row["head"]), float(row["probability"]), int(row["label"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ScoringError(f"{path}:{n}: expected {{head, probability, label}}") from exc
            if not 0 <= p <= 1 or y not in (0, 1):
                raise ScoringError(f"{path}:{n}: probability must be 0-1 and label 0 or 1")
            out.setdefault(head, ([], []))
            out[head][0].append(p)
            out[head][1].append(y)
    if not out:
        raise ScoringError(f"no pairs in {path}")
    return out


def calibrate_command(args: argparse.Namespace) -> dict[str, Any]:
    """Fit and (unless --dry-run) write; returns what was stored."""
    from . import DEFAULT_MODEL_DIR
    from .model import AutoQAModel
    from .train import load_corpus, sha256_file

    folder = Path(args.model) if args.model else DEFAULT_MODEL_DIR
    sidecar_path = folder / SIDECAR_FILE
    if not sidecar_path.is_file():
        raise ScoringError(f"not a model folder (no {SIDECAR_FILE}): {folder}")
    sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
    level = conformal.DEFAULT_LEVEL if args.level is None else float(args.level)
    sources: list[dict[str, Any]] = []
    if args.pairs:
        if args.data:
            raise ScoringError("give either calibration corpora or --pairs, not both")
        pairs = read_pairs(Path(args.pairs))
        sources.append({"file": Path(args.pairs).name, "sha256": sha256_file(args.pairs),
                        "kind": "pairs"})
    else:
        if not args.data:
            raise ScoringError("no calibration data: give corpus JSONL files or --pairs")
        rows: list[dict[str, Any]] = []
        for name in args.data:
            path = Path(name)
            _check_calibration_file(path)
            kept = [r for r in load_corpus(path)
                    if args.split == "all" or conformal.half(r.get("id")) == "dev"]
            rows.extend(kept)
            sources.append({"file": path.name, "sha256": sha256_file(path), "split": args.split,
                            "rows": len(kept)})
        model = AutoQAModel.load(folder, encoder_path=args.encoder)
        pairs = conformal.corpus_pairs(model.predict([r["turns"] for r in rows]), rows)
    calibration = conformal.fit(pairs, level=level, calibrator=args.calibrator,
                                model_version=str(sidecar.get("version")), data=sources)
    stored = calibration.to_dict()
    if not args.dry_run:
        sidecar["conformal"] = stored
        sidecar_path.write_text(json.dumps(sidecar, indent=2, sort_keys=True) + "\n",
                                encoding="utf-8")
    return {"model": str(folder), "written": not args.dry_run, "conformal": stored}
