"""Tests for the `python -m scoring` command line contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import AutoQAModel
from scoring.__main__ import main

GOOD = {"id": "a1", "turns": [
    {"speaker": "customer", "text": "My card was declined but I have money in my account."},
    {"speaker": "agent", "text": "I've removed the fraud block, the card works again now."},
    {"speaker": "customer", "text": "Yes, it just went through. Thanks."},
]}


def test_predict_skips_bad_lines(tmp_path: Path, model: AutoQAModel,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Bad lines are reported on stderr with their line number and the rest are scored."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [json.dumps(GOOD), "{not json", json.dumps({"id": "x", "turns": [
        {"speaker": "robot", "text": "hi"}]}), json.dumps({**GOOD, "id": "a2"}),
        json.dumps({"turns": GOOD["turns"]})]
    src.write_text("\n".join(lines) + "\n")
    assert main(["predict", str(src), str(dst)]) == 0
    out = [json.loads(line) for line in dst.read_text().splitlines()]
    assert [o["id"] for o in out] == ["a1", "a2"]
    assert set(out[0]) == {"id", "empathy", "resolution", "model_version"}
    err = capsys.readouterr().err
    assert "line 2:" in err and "line 3:" in err and "Traceback" not in err
    assert "line 5: skipped: missing 'id'" in err


def test_missing_input_file(tmp_path: Path) -> None:
    """A missing input file gives one clear stderr line, non-zero exit and no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "scoring", "predict", str(tmp_path / "nope.jsonl"),
         str(tmp_path / "out.jsonl")], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "not found" in proc.stderr


def test_missing_model_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A model folder without an artifact is one clear error, not a traceback."""
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(GOOD) + "\n")
    assert main(["predict", str(src), str(tmp_path / "o.jsonl"), "--model",
                 str(tmp_path)]) == 2
    assert "not a model folder" in capsys.readouterr().err
