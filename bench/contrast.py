"""Contrast check of the AutoQA heads (issue 20): does resolution read the outcome, not the tone,
and does empathy need an acknowledgement of the person's situation, not a stock apology?

python bench/contrast.py [--model scoring/default_model] [--lang en fr] [--split test|train]
                         [--out bench/results/contrast.json]

Reads the hand-written contrast test sets data/autoqa/contrast_test.jsonl and
data/autoqa/fr/contrast_test.jsonl (never trained on; the training pairs are contrast_train.jsonl):
- `tone_outcome` quadruples: one situation written four times, curt or warm agent x resolved or
  unresolved outcome. Reported: mean resolution probability per variant, pairwise ranking
  accuracy within each quadruple (each resolved variant above each unresolved one, whatever the
  tone; ties count half), the same for the hardest pair alone (curt resolved above warm
  unresolved), and the AUC among the curt variants only.
- `apology` pairs: the same conversation and outcome, one side with a stock apology ("I'm sorry
  to hear that! 😊", "Je suis désolé pour la gêne occasionnée") where the other names the
  customer's situation. Reported: mean empathy (0-100) of the stock-apology turns and of the
  situated turns that replace them, and the pairwise accuracy (situated turn above its stock
  counterpart; also per conversation).

Only the public scoring API is used (AutoQAModel.load, predict), so any model folder can be
checked. A turn's empathy is the score of that agent turn scored on its own (a one-turn
conversation: the model's turn probability x 100). Intervals are 95% bootstrap intervals over
pairs / quadruples (fixed seed). THRESHOLDS are the levels a model that has fixed the confounds
should reach; `checks()` compares a report with them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring import AutoQAModel, Turn  # noqa: E402

DATA = ROOT / "data" / "autoqa"
TEST_SETS = {"en": DATA / "contrast_test.jsonl", "fr": DATA / "fr" / "contrast_test.jsonl"}
TRAIN_SETS = {"en": DATA / "contrast_train.jsonl", "fr": DATA / "fr" / "contrast_train.jsonl"}
DEFAULT_MODEL = ROOT / "scoring" / "default_model"
DEFAULT_OUT = ROOT / "bench" / "results" / "contrast.json"

TONE_VARIANTS = ("curt_resolved", "warm_resolved", "curt_unresolved", "warm_unresolved")
APOLOGY_VARIANTS = ("stock_apology", "situated")
VARIANTS = {"tone_outcome": TONE_VARIANTS, "apology": APOLOGY_VARIANTS}

# name: (path in the report, "max" or "min", level). The gap is |warm resolved - curt resolved|.
THRESHOLDS: dict[str, tuple[tuple[str, ...], str, float]] = {
    "tone_gap": (("tone_outcome", "tone_gap_resolved"), "max", 0.10),
    "resolution_pairwise": (("tone_outcome", "pairwise_accuracy"), "min", 0.90),
    "curt_resolved_above_warm_unresolved": (("tone_outcome", "curt_resolved_above_warm_unresolved"),
                                            "min", 0.85),
    "curt_auc": (("tone_outcome", "auc_curt_only"), "min", 0.85),
    # the resolved variants the model labels resolved, the worse of the two tones
    "resolved_labelled_resolved": (("tone_outcome", "resolved_labelled_resolved_worse_tone"),
                                   "min", 0.75),
    "stock_apology_turn_mean": (("apology", "turn_mean", "stock_apology"), "max", 30.0),
    "empathy_pairwise": (("apology", "pairwise_accuracy_turns"), "min", 0.90),
}


def load_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a contrast file (JSON lines with a `pair`, `contrast` and `variant` field)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def group_pairs(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """pair id -> {variant: row}."""
    groups: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        groups[r["pair"]][r["variant"]] = r
    return dict(groups)


def aligned_turns(pair: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(stock turn, situated turn) at each agent position where only the situated one is warm."""
    stock, situated = pair["stock_apology"], pair["situated"]
    a = [t["text"] for t in stock["turns"] if t["speaker"] == "agent"]
    b = [t["text"] for t in situated["turns"] if t["speaker"] == "agent"]
    return [(x, y) for x, y, ex, ey in zip(a, b, stock["agent_empathy"], situated["agent_empathy"],
                                           strict=True) if ex == 0 and ey == 1]


def score(model: AutoQAModel, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Resolution probability and empathy of every row, and the empathy of each contrast turn."""
    preds = model.predict([[Turn(t["speaker"], t["text"]) for t in r["turns"]] for r in rows])
    convs = {r["id"]: (p.resolution_probability, p.empathy_score)
             for r, p in zip(rows, preds, strict=True)}
    texts = sorted({t for pair in group_pairs(r for r in rows if r["contrast"] == "apology").values()
                    for both in aligned_turns(pair) for t in both})
    turn_preds = model.predict([[Turn("agent", t)] for t in texts])
    return {"conversations": convs, "threshold": model.threshold,
            "turns": {t: p.empathy_score for t, p in zip(texts, turn_preds, strict=True)}}


def _ranked(hi: float, lo: float) -> float:
    return 1.0 if hi > lo else 0.5 if hi == lo else 0.0


def _interval(groups: list[Any], stat: Callable[[list[Any]], float], rounds: int = 1000,
              seed: int = 0) -> list[float]:
    """95% bootstrap interval of stat over groups resampled with replacement."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(rounds):
        sample = [groups[i] for i in rng.integers(0, len(groups), len(groups))]
        try:
            values.append(stat(sample))
        except ValueError:  # e.g. an AUC on a sample with one class only
            continue
    low, high = np.percentile(values, [2.5, 97.5])
    return [round(float(low), 3), round(float(high), 3)]


def _pairwise(quads: list[dict[str, float]]) -> float:
    wins = [_ranked(q[r], q[u]) for q in quads for r in ("curt_resolved", "warm_resolved")
            for u in ("curt_unresolved", "warm_unresolved")]
    return float(np.mean(wins))


def _cross(quads: list[dict[str, float]]) -> float:
    return float(np.mean([_ranked(q["curt_resolved"], q["warm_unresolved"]) for q in quads]))


def _curt_auc(quads: list[dict[str, float]]) -> float:
    y = [1] * len(quads) + [0] * len(quads)
    p = [q["curt_resolved"] for q in quads] + [q["curt_unresolved"] for q in quads]
    return float(roc_auc_score(y, p))


def tone_report(rows: Sequence[dict[str, Any]], scores: dict[str, Any]) -> dict[str, Any]:
    """Resolution by tone and outcome over the tone/outcome quadruples."""
    convs = scores["conversations"]
    pairs = group_pairs([r for r in rows if r["contrast"] == "tone_outcome"])
    quads = [{v: convs[p[v]["id"]][0] for v in TONE_VARIANTS} for p in pairs.values()]
    mean = {v: round(float(np.mean([q[v] for q in quads])), 4) for v in TONE_VARIANTS}
    empathy = {v: round(float(np.mean([convs[p[v]["id"]][1] for p in pairs.values()])), 2)
               for v in TONE_VARIANTS}
    report: dict[str, Any] = {
        "quadruples": len(quads),
        "mean_resolution": mean,
        "tone_gap_resolved": round(abs(mean["warm_resolved"] - mean["curt_resolved"]), 4),
        "tone_gap_unresolved": round(abs(mean["warm_unresolved"] - mean["curt_unresolved"]), 4),
        "pairwise_accuracy": round(_pairwise(quads), 4),
        "pairwise_accuracy_ci95": _interval(quads, _pairwise),
        "curt_resolved_above_warm_unresolved": round(_cross(quads), 4),
        "auc_curt_only": round(_curt_auc(quads), 4),
        "auc_curt_only_ci95": _interval(quads, _curt_auc),
        # share of each variant the model labels "resolved" (probability >= its threshold)
        "labelled_resolved": {v: round(float(np.mean([q[v] >= scores["threshold"] for q in quads])),
                                       4) for v in TONE_VARIANTS},
        "mean_empathy": empathy,
    }
    labelled = report["labelled_resolved"]
    report["resolved_labelled_resolved_worse_tone"] = min(labelled["curt_resolved"],
                                                          labelled["warm_resolved"])
    return report


def apology_report(rows: Sequence[dict[str, Any]], scores: dict[str, Any]) -> dict[str, Any]:
    """Empathy of stock apologies against situated acknowledgements over the apology pairs."""
    convs, turns = scores["conversations"], scores["turns"]
    pairs = list(group_pairs([r for r in rows if r["contrast"] == "apology"]).values())
    aligned = [[(turns[a], turns[b]) for a, b in aligned_turns(p)] for p in pairs]
    flat = [x for group in aligned for x in group]

    def turn_acc(groups: list[list[tuple[float, float]]]) -> float:
        return float(np.mean([_ranked(b, a) for g in groups for a, b in g]))

    conv = [(convs[p["stock_apology"]["id"]], convs[p["situated"]["id"]]) for p in pairs]
    stock_texts = sorted({a for p in pairs for a, _ in aligned_turns(p)}, key=lambda t: -turns[t])
    return {
        "pairs": len(pairs),
        "contrast_turns": len(flat),
        "turn_mean": {"stock_apology": round(float(np.mean([a for a, _ in flat])), 2),
                      "situated": round(float(np.mean([b for _, b in flat])), 2)},
        "stock_turns_at_or_over_50": round(float(np.mean([a >= 50 for a, _ in flat])), 4),
        "situated_turns_at_or_over_50": round(float(np.mean([b >= 50 for _, b in flat])), 4),
        "pairwise_accuracy_turns": round(turn_acc(aligned), 4),
        "pairwise_accuracy_turns_ci95": _interval(aligned, turn_acc),
        "conversation_mean": {"stock_apology": round(float(np.mean([s[1] for s, _ in conv])), 2),
                              "situated": round(float(np.mean([w[1] for _, w in conv])), 2)},
        "pairwise_accuracy_conversations": round(
            float(np.mean([_ranked(w[1], s[1]) for s, w in conv])), 4),
        # same outcome on both sides: the apology should not move the resolution either
        "resolution_mean": {"stock_apology": round(float(np.mean([s[0] for s, _ in conv])), 4),
                            "situated": round(float(np.mean([w[0] for _, w in conv])), 4)},
        "highest_stock_turns": [[t, round(turns[t], 1)] for t in stock_texts[:3]],
    }


def evaluate(model: AutoQAModel, path: str | Path) -> dict[str, Any]:
    """The tone/outcome and apology reports of one contrast test file."""
    rows = load_rows(path)
    scores = score(model, rows)
    return {"file": str(Path(path).relative_to(ROOT)), "conversations": len(rows),
            "tone_outcome": tone_report(rows, scores), "apology": apology_report(rows, scores)}


def checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each THRESHOLD against one language's report: value, level, direction, passed."""
    out = {}
    for name, (path, direction, level) in THRESHOLDS.items():
        value: Any = report
        for key in path:
            value = value[key]
        passed = value <= level if direction == "max" else value >= level
        out[name] = {"value": value, direction: level, "passed": bool(passed)}
    return out


def print_table(results: dict[str, Any]) -> None:
    for lang, rep in results["languages"].items():
        t, a = rep["tone_outcome"], rep["apology"]
        trained = "trained on" if rep["model_language"] else "NOT trained on"
        print(f"\n== {lang} ({rep['conversations']} conversations; model {trained} {lang})")
        print(f"resolution probability, mean over {t['quadruples']} quadruples")
        print("  " + "  ".join(f"{v:>16}" for v in TONE_VARIANTS))
        print("  " + "  ".join(f"{t['mean_resolution'][v]:>16.3f}" for v in TONE_VARIANTS))
        print("  " + "  ".join(f"{t['labelled_resolved'][v]:>16.0%}" for v in TONE_VARIANTS)
              + "  labelled resolved")
        print(f"  pairwise resolved > unresolved  {t['pairwise_accuracy']:.3f} "
              f"{t['pairwise_accuracy_ci95']}")
        print(f"  curt resolved > warm unresolved {t['curt_resolved_above_warm_unresolved']:.3f}")
        print(f"  AUC among curt only             {t['auc_curt_only']:.3f} "
              f"{t['auc_curt_only_ci95']}")
        print(f"empathy (0-100), {a['pairs']} pairs, {a['contrast_turns']} contrast turns")
        print(f"  turn mean  stock {a['turn_mean']['stock_apology']:6.1f}   "
              f"situated {a['turn_mean']['situated']:6.1f}   "
              f"(stock >= 50: {a['stock_turns_at_or_over_50']:.0%})")
        print(f"  conv mean  stock {a['conversation_mean']['stock_apology']:6.1f}   "
              f"situated {a['conversation_mean']['situated']:6.1f}")
        print(f"  pairwise situated > stock: turns {a['pairwise_accuracy_turns']:.3f} "
              f"{a['pairwise_accuracy_turns_ci95']}, "
              f"conversations {a['pairwise_accuracy_conversations']:.3f}")
        for name, c in rep["checks"].items():
            level = c.get("max", c.get("min"))
            sign = "<=" if "max" in c else ">="
            print(f"  [{'pass' if c['passed'] else 'FAIL'}] {name}: {c['value']} {sign} {level}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="a model folder")
    ap.add_argument("--lang", nargs="+", default=list(TEST_SETS), choices=list(TEST_SETS))
    ap.add_argument("--threads", type=int, default=None, help="torch threads for the encoder")
    ap.add_argument("--split", choices=("test", "train"), default="test",
                    help="the test pairs (default) or the training pairs, for a model not trained "
                         "on them")
    ap.add_argument("--out", default=None, help=f"default {DEFAULT_OUT.relative_to(ROOT)} "
                                                "(contrast_train.json for --split train)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    options = {"num_threads": args.threads} if args.threads else {}
    model = AutoQAModel.load(args.model, **options)
    results: dict[str, Any] = {"model": str(args.model), "model_version": model.version,
                               "model_languages": list(model.languages), "languages": {}}
    sets = TEST_SETS if args.split == "test" else TRAIN_SETS
    out = Path(args.out or (DEFAULT_OUT if args.split == "test"
                            else DEFAULT_OUT.with_name("contrast_train.json")))
    results["split"] = args.split
    for lang in args.lang:
        rep = evaluate(model, sets[lang])
        rep["model_language"] = lang in model.languages
        rep["checks"] = checks(rep)
        results["languages"][lang] = rep
    results["seconds"] = round(time.perf_counter() - t0, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                              encoding="utf-8")
    print_table(results)
    print(f"\nwrote {out} in {results['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
