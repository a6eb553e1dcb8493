"""bench/contrast.py (issue 20): its metrics read the pairs the right way round, and the shipped
model is checked against the contrast thresholds on the test pairs of the languages it covers.

The thresholds the shipped model misses today are marked xfail(strict=True): when a retrained
model fixes a confound the test turns into an error, and its xfail must then be removed."""

from __future__ import annotations

from typing import Any

import pytest

from bench.contrast import (
    TEST_SETS,
    THRESHOLDS,
    apology_report,
    checks,
    evaluate,
    load_rows,
    tone_report,
)
from scoring import AutoQAModel, load_default_model, load_language_model

# (language, threshold) pairs the shipped models fail today (bench/results/contrast.json; French:
# bench/results/contrast-fr.json). English: the model with outcome features and acknowledgement
# cues ranks 21 of 24 situated turns above their stock counterparts (0.875 < 0.90). French: the
# model retrained with TF-IDF and turn-position features (autoqa-20261204-14763404) labels 100% of
# resolved conversations resolved (was 33%), but on the 12 test quadruples ranks resolved above
# unresolved in 0.896 of pairs (threshold 0.90) and curt resolved above warm unresolved in 10 of 12
# (0.833, threshold 0.85): two warm unresolved conversations still outrank their curt resolved twins.
FAILING_TODAY = {("en", "empathy_pairwise"), ("fr", "resolution_pairwise"),
                 ("fr", "curt_resolved_above_warm_unresolved")}
XFAIL = pytest.mark.xfail(strict=True, reason="issue 20: confound not fixed yet")
CASES = [pytest.param(lang, name, marks=[XFAIL] if (lang, name) in FAILING_TODAY else [],
                      id=f"{lang}-{name}") for lang in TEST_SETS for name in THRESHOLDS]


def _fake_scores(rows: list[dict[str, Any]], resolution: Any, empathy: Any) -> dict[str, Any]:
    """Scores as `score()` returns them, from functions of a row / of a turn's text."""
    turns = {t["text"]: empathy(t["text"], r) for r in rows for t in r["turns"]}
    return {"conversations": {r["id"]: (resolution(r), 50.0) for r in rows}, "threshold": 0.5,
            "turns": turns}


def test_tone_metrics_separate_a_model_that_reads_the_outcome_from_one_that_reads_the_tone() -> None:
    """Scoring resolved rows high gives pairwise accuracy 1 and no tone gap; scoring warm rows
    high whatever the outcome gives pairwise 0.5, the hard pair 0, a curt-only AUC of 0.5."""
    rows = load_rows(TEST_SETS["en"])
    outcome = tone_report(rows, _fake_scores(rows, lambda r: 0.2 + 0.6 * r["resolved"],
                                             lambda t, r: 0.0))
    assert outcome["pairwise_accuracy"] == 1.0 and outcome["tone_gap_resolved"] == 0.0
    assert outcome["auc_curt_only"] == 1.0 and outcome["resolved_labelled_resolved_worse_tone"] == 1
    tone = tone_report(rows, _fake_scores(
        rows, lambda r: 0.9 if r["variant"].startswith("warm") else 0.1, lambda t, r: 0.0))
    assert tone["pairwise_accuracy"] == 0.5 and tone["curt_resolved_above_warm_unresolved"] == 0
    assert tone["auc_curt_only"] == 0.5 and tone["tone_gap_resolved"] == pytest.approx(0.8)
    assert not checks({"tone_outcome": tone, "apology": apology_report(
        rows, _fake_scores(rows, lambda r: 0.5, lambda t, r: 0.0))})["resolution_pairwise"]["passed"]


def test_apology_metrics_compare_each_stock_turn_with_its_situated_counterpart() -> None:
    """A scorer that rates stock apologies 95 and situated turns 60 gets turn accuracy 0 and a
    stock mean of 95 (a failed check); the reverse gets accuracy 1 and passes both checks."""
    rows = load_rows(TEST_SETS["fr"])

    def stock_high(text: str, row: dict[str, Any]) -> float:
        return 95.0 if row["variant"] == "stock_apology" else 60.0

    bad = apology_report(rows, _fake_scores(rows, lambda r: 0.5, stock_high))
    assert bad["pairwise_accuracy_turns"] == 0.0 and bad["turn_mean"]["stock_apology"] == 95.0
    good = apology_report(rows, _fake_scores(rows, lambda r: 0.5,
                                             lambda t, r: 155.0 - stock_high(t, r)))
    assert good["pairwise_accuracy_turns"] == 1.0 and good["contrast_turns"] >= 16
    tone = tone_report(rows, _fake_scores(rows, lambda r: r["resolved"], lambda t, r: 0.0))
    result = checks({"tone_outcome": tone, "apology": good})
    assert result["empathy_pairwise"]["passed"] and not result["stock_apology_turn_mean"]["passed"]
    good["turn_mean"]["stock_apology"] = 10.0
    assert checks({"tone_outcome": tone, "apology": good})["stock_apology_turn_mean"]["passed"]


@pytest.fixture(scope="module")
def shipped() -> dict[str, AutoQAModel]:
    """The model the app scores each test language with: the default, or the model shipped
    beside it for a language the default does not know (French)."""
    default = load_default_model()
    models: dict[str, AutoQAModel] = {}
    for lang in TEST_SETS:
        model = default if lang in default.languages else load_language_model(lang)
        if model is not None:
            models[lang] = model
    return models


@pytest.fixture(scope="module")
def reports(shipped: dict[str, AutoQAModel]) -> dict[str, dict[str, Any]]:
    """One contrast report per test language a shipped model was trained on (scored once)."""
    return {lang: evaluate(shipped[lang], path) for lang, path in TEST_SETS.items()
            if lang in shipped}


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "name"), CASES)
def test_shipped_model_meets_the_contrast_threshold(reports: dict[str, dict[str, Any]],
                                                    lang: str, name: str) -> None:
    """The shipped model reaches each THRESHOLD of bench/contrast.py on the contrast test pairs
    (resolution reads the outcome whatever the tone; a stock apology earns no empathy); a
    language the model was not trained on is skipped."""
    if lang not in reports:
        pytest.skip(f"the shipped model is not trained on {lang}")
    result = checks(reports[lang])[name]
    assert result["passed"], result
