"""bench/import_helpdesk.py at a small size: the synthetic export reads back whole, and a run
prints its table and merges its numbers into the results file."""

from __future__ import annotations

import json
from pathlib import Path

from bench import import_helpdesk as bench
from qa.importers import FORMATS, iter_records


def test_synthetic_export_is_a_valid_zendesk_export(tmp_path: Path) -> None:
    """Every generated ticket parses, with its comments, and one in twenty is still open."""
    export, _ = bench.write_export(tmp_path, 40, 6)
    with export.open() as stream:
        tickets = [t for _, t in FORMATS["zendesk"](iter_records(stream), None, "zendesk")]
    assert len(tickets) == 40 and all(not isinstance(t, str) for t in tickets)
    assert sum(len(t.messages) for t in tickets) == 240  # type: ignore[union-attr]
    assert sum(not t.solved for t in tickets) == 2  # type: ignore[union-attr]


def test_run_writes_the_results(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A 60-ticket run imports the solved tickets and records seconds and peak RSS."""
    out = tmp_path / "results.json"
    assert bench.main(["--tickets", "60", "--out", str(out)]) == 0
    run = json.loads(out.read_text())["runs"]["sqlite-60"]
    assert run["tickets"] == 60 and run["created"] == 57 and run["errors"] == 0
    assert run["comments"] == 360 and run["seconds"] > 0 and run["peak_rss_mb"] > 0
    assert "AutoQA off" in capsys.readouterr().out
