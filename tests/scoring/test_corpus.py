"""The project's AutoQA data: the hold-out set never leaks into the training corpus."""

from __future__ import annotations

from scoring.train import load_corpus
from tests.conftest import ROOT

DATA = ROOT / "data" / "autoqa"


def test_holdout_is_labelled_and_disjoint_from_the_training_corpus() -> None:
    """The 500 hold-out conversations are labelled and share no id or long turn with training."""
    train = load_corpus(DATA / "conversations.jsonl")
    holdout = load_corpus(DATA / "holdout.jsonl")  # validates labels per line
    assert len(holdout) == 500 and all("holdout" in r["tags"] for r in holdout)
    seen = {t.text for r in train for t in r["turns"]}
    # no conversation is shared, and no substantial turn either (one-word replies may repeat)
    shared = {t.text for r in holdout for t in r["turns"] if len(t.text) > 25} & seen
    assert not shared, sorted(shared)[:3]
    assert {r["id"] for r in train}.isdisjoint({r["id"] for r in holdout})
