"""scoring/conformal.py: split conformal sets and calibrated confidence, fitted on
(probability, label) pairs of a calibration split, and `python -m scoring calibrate`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from scoring import ScoringError
from scoring import conformal as cf
from scoring.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def _synthetic(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """An over-confident binary model: logits twice too large for the real class overlap."""
    y = rng.integers(0, 2, n)
    z = rng.normal(np.where(y == 1, 1.0, -1.0), 1.3)
    return 1 / (1 + np.exp(-2 * z)), y


def test_quantile_and_sets_by_hand():
    """Ten calibration pairs worked by hand: nonconformity 1 - p(true label) is
    [.1 .2 .3 .4 .45 .1 .2 .3 .4 .6]; at 80 % the ceil(11 * .8) = 9th smallest is 0.45, at
    90 % the 10th, 0.6: then p = 0.9 gives {1}, p = 0.5 gives {0, 1} (uncertain) and p = 0.3
    gives {0}."""
    p = [0.9, 0.8, 0.7, 0.6, 0.55, 0.1, 0.2, 0.3, 0.4, 0.6]
    y = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    scores = np.where(np.array(y) == 1, 1 - np.array(p), np.array(p))
    assert cf.conformal_quantile(scores, 0.8) == pytest.approx(0.45)
    assert cf.conformal_quantile(scores, 0.9) == pytest.approx(0.6)
    # fit_head needs 20 items: the same ten twice, rank ceil(21 * .9) = 19 -> 0.6
    head = cf.fit_head("resolution", p * 2, y * 2, level=0.9, calibrator="none")
    assert head.qhat == pytest.approx(0.6)
    assert head.prediction_set(0.9) == (1,)
    assert head.prediction_set(0.5) == (0, 1)
    assert head.prediction_set(0.3) == (0,)
    u = head.assess(0.5)
    assert u.uncertain and u.confidence == pytest.approx(0.5)
    assert not head.assess(0.9).uncertain
    assert head.assess(0.3).confidence == pytest.approx(0.7)


def test_coverage_on_synthetic_data_is_the_stated_level():
    """Fitted on 2,000 calibration pairs, the 90 % sets hold the true label of 20,000 new items
    within 1.5 points of 90 %; Platt brings the over-confident model's ECE from ~0.07 to
    under 0.03."""
    rng = np.random.default_rng(0)
    p, y = _synthetic(rng, 2000)
    head = cf.fit_head("resolution", p, y, level=0.9, calibrator="platt")
    pt, yt = _synthetic(rng, 20000)
    report = cf.coverage(head, pt, yt)
    assert abs(report["coverage"] - 0.9) < 0.015
    assert report["ece_raw"] > 0.05
    assert report["ece_calibrated"] < 0.03
    assert 1.0 < report["mean_set_size"] < 2.0
    iso = cf.fit_head("resolution", p, y, level=0.9, calibrator="isotonic")
    assert cf.coverage(iso, pt, yt)["ece_calibrated"] < 0.05
    assert np.all(np.diff(iso.calibrate(np.linspace(0, 1, 50))) >= 0)  # monotone


def test_round_trip_and_version_check():
    """The calibration survives JSON; a sidecar of another model version gives none."""
    rng = np.random.default_rng(1)
    p, y = _synthetic(rng, 300)
    cal = cf.fit({"empathy": (p, y), "resolution": (p, y)}, model_version="m-1")
    raw = json.loads(json.dumps(cal.to_dict()))
    again = cf.Calibration.from_metadata({"version": "m-1", "conformal": raw})
    assert again is not None
    assert again.assess("resolution", 0.7) == cal.assess("resolution", 0.7)
    assert cf.Calibration.from_metadata({"version": "m-2", "conformal": raw}) is None
    assert cf.Calibration.from_metadata({"version": "m-1"}) is None


def test_bad_calibration_data_is_refused():
    """Too few items, one label only, a bad level or labels other than 0/1: a ScoringError."""
    with pytest.raises(ScoringError, match="at least 20"):
        cf.fit_head("resolution", [0.2] * 10, [0, 1] * 5)
    with pytest.raises(ScoringError, match="both labels"):
        cf.fit_head("resolution", [0.2] * 30, [0] * 30)
    with pytest.raises(ScoringError, match="level"):
        cf.fit_head("resolution", [0.2] * 30, [0, 1] * 15, level=90)
    with pytest.raises(ScoringError, match="0 or 1"):
        cf.fit_head("resolution", [0.2] * 30, [0, 2] * 15)


def test_calibrate_command_from_pairs_adds_only_the_conformal_key(tmp_path, capsys):
    """`python -m scoring calibrate --pairs` (any model's outputs) writes the "conformal" key
    into model.json and leaves every other key as it was; a hold-out file is refused."""
    folder = tmp_path / "model"
    folder.mkdir()
    shutil.copy(ROOT / "scoring" / "default_model" / "model.json", folder / "model.json")
    before = json.loads((folder / "model.json").read_text())
    before.pop("conformal", None)
    rng = np.random.default_rng(2)
    lines = []
    for head in ("empathy", "resolution"):
        p, y = _synthetic(rng, 200)
        lines += [json.dumps({"head": head, "probability": float(a), "label": int(b)})
                  for a, b in zip(p, y, strict=True)]
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(lines) + "\n")
    assert main(["calibrate", "--model", str(folder), "--pairs", str(pairs), "--level", "0.8"]) == 0
    after = json.loads((folder / "model.json").read_text())
    conformal = after.pop("conformal")
    assert after == before
    assert conformal["model_version"] == before["version"]
    assert conformal["heads"]["resolution"]["level"] == 0.8
    assert conformal["heads"]["empathy"]["n"] == 200
    capsys.readouterr()
    holdout = ROOT / "data" / "autoqa" / "fr" / "holdout.jsonl"
    assert main(["calibrate", "--model", str(folder), str(holdout)]) == 2
    assert "evaluation only" in capsys.readouterr().err


def test_shipped_models_carry_a_calibration_for_their_version():
    """Both shipped models state their uncertainty: a 90 % calibration of both heads fitted
    for exactly their version."""
    for folder in (ROOT / "scoring" / "default_model", ROOT / "scoring" / "language_models" / "fr"):
        sidecar = json.loads((folder / "model.json").read_text())
        cal = cf.Calibration.from_metadata(sidecar)
        assert cal is not None, folder
        assert set(cal.heads) == {"empathy", "resolution"}
        assert all(h.level == 0.9 and h.n >= 100 for h in cal.heads.values())
