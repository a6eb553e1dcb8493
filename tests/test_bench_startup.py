"""bench/startup.py helpers: the min/median summary of the fresh-interpreter runs."""

from __future__ import annotations

from bench.startup import PHASES, summarise


def test_summary_is_min_and_median_of_each_phase() -> None:
    """Each phase reports the smallest and the median of its runs, whatever their order."""
    rows = [{phase: base + k for k, phase in enumerate(PHASES)} for base in (3.0, 1.0, 2.0)]
    summary = summarise(rows)
    assert set(summary) == set(PHASES)
    for k, phase in enumerate(PHASES):
        assert summary[phase] == {"min": 1.0 + k, "median": 2.0 + k}
