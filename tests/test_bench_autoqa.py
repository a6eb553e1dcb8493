"""bench/autoqa.py helpers: the AUC interval brackets the AUC and narrows with more items."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

from bench.autoqa import auc_interval


def test_auc_interval_brackets_the_auc_and_narrows_with_more_items() -> None:
    """The AUC interval contains the AUC, narrows with ten times the items, and is reproducible."""
    rng = np.random.default_rng(1)

    def sample(n: int) -> tuple[np.ndarray, np.ndarray]:
        y = rng.integers(0, 2, n)
        return y, y * 0.8 + rng.normal(size=n)  # a real but imperfect signal

    y, p = sample(300)
    low, high = auc_interval(y, p, rounds=300)
    assert low < roc_auc_score(y, p) < high
    y2, p2 = sample(3000)
    low2, high2 = auc_interval(y2, p2, rounds=300)
    assert high2 - low2 < (high - low) / 2  # ~1/sqrt(n): ten times the items, ~3x narrower
    assert auc_interval(y, p, rounds=300) == [low, high]  # fixed seed: the same interval every run
