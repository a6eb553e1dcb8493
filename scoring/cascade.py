"""AutoQA cascade (issue 20): a cheap first pass scores every conversation, and only those
whose first-pass probability lies in an uncertain band go to the full MiniLM model.

* First pass: the same heads as the full model (max-pooled empathy head over [sentence
  embedding, TF-IDF], pooled linear resolution head), trained by `scoring.train.fit_heads` on
  the same shipped-licence corpus, over static token vectors the project distils itself from
  the shipped MiniLM with model2vec (`scoring.static`). No torch, no transformers.
* Band: per head a probability interval [low, high]; a conversation whose first-pass empathy
  score / 100 or resolution probability falls inside its head's interval is scored again by the
  full model, and the full model's prediction replaces the first pass's whole (one stage per
  conversation). The band is chosen on validation predictions only: out-of-fold predictions of
  both recipes under the same grouped-by-domain 5-fold split of the training corpus, as the
  narrowest band whose cascade AUC stays within `margin` of the full recipe's on both heads.
* Stage: a first-pass prediction carries the first pass's model_version (prefix
  FIRST_PASS_PREFIX), a full one the full model's: `stage_of(model_version)` tells them apart,
  and the evidence is each stage's own exact evidence.

`python -m scoring cascade` refits the first pass and the band against whatever full model is
in scoring/default_model (run it after every retrain of that model: the band records the full
model's version, and a stale band is not used, see `load_default_cascade`).
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib  # type: ignore[import-untyped]
import numpy as np

from .errors import ScoringError
from .model import ARTIFACT_FORMAT, MODEL_FILE, SIDECAR_FILE, AutoQAModel, read_artifact
from .schema import Prediction, Turn, to_turns
from .static import DEFAULT_PCA_DIMS, StaticEncoder

FIRST_PASS_DIR = Path(__file__).resolve().parent / "first_pass"
STATIC_SUBDIR = "static"
BAND_FILE = "cascade.json"
FIRST_PASS_PREFIX = "autoqa-fp-"
STAGE_FIRST_PASS = "first_pass"
STAGE_FULL = "full"
DEFAULT_MARGIN = 0.002  # validation AUC loss allowed (the target is 0.005 on outside data)
HEADS = ("empathy", "resolution")


def stage_of(model_version: str) -> str:
    """"first_pass" for a score the cascade's first pass gave, else "full"."""
    return STAGE_FIRST_PASS if str(model_version).startswith(FIRST_PASS_PREFIX) else STAGE_FULL


@dataclass(frozen=True)
class Band:
    """Per head, the [low, high] interval of first-pass probabilities sent to the full model
    (an empty interval, low > high, sends none)."""

    empathy: tuple[float, float]
    resolution: tuple[float, float]

    def uncertain(self, prediction: Prediction) -> bool:
        return (_inside(prediction.empathy_score / 100.0, self.empathy)
                or _inside(prediction.resolution_probability, self.resolution))

    def mask(self, empathy: np.ndarray, resolution: np.ndarray) -> np.ndarray:
        """Which conversations (probabilities 0-1 per head) the band escalates."""
        return (((empathy >= self.empathy[0]) & (empathy <= self.empathy[1]))
                | ((resolution >= self.resolution[0]) & (resolution <= self.resolution[1])))

    def to_dict(self) -> dict[str, list[float]]:
        return {"empathy": list(self.empathy), "resolution": list(self.resolution)}

    @classmethod
    def from_dict(cls, raw: Any) -> Band:
        try:
            return cls(*(_interval(raw[h]) for h in HEADS))
        except (KeyError, TypeError, ValueError) as exc:
            raise ScoringError(f"bad cascade band: {raw!r}") from exc


def _interval(value: Any) -> tuple[float, float]:
    low, high = (float(v) for v in value)
    return low, high


def _inside(p: float, interval: tuple[float, float]) -> bool:
    return interval[0] <= p <= interval[1]


class CascadeModel(AutoQAModel):
    """The full model's interface (heads, encoder, version, metadata, `explain`,
    `predict_encoded`: those are the full model's) with a cascaded `predict`.

    Code that encodes conversations itself (custom heads, `scoring.custom.predict_with_encodings`)
    encodes with the full encoder and so gets full-model predictions: the cascade saves nothing
    there and changes nothing."""

    def __init__(self, first_pass: AutoQAModel, full: AutoQAModel, band: Band, *,
                 info: dict[str, Any] | None = None) -> None:
        super().__init__(full.empathy_head, full.resolution_head, encoder=full.encoder,
                         version=full.version, metadata=full.metadata)
        self.first_pass = first_pass
        self.full = full
        self.band = band
        self.info = dict(info or {})
        self.scored = 0
        self.escalated = 0

    def predict(self, conversations: Sequence[Sequence[Turn]], *,
                batch_size: int = 64) -> list[Prediction]:
        checked = [to_turns(c) for c in conversations]
        out = self.first_pass.predict(checked, batch_size=batch_size)
        todo = [k for k, p in enumerate(out) if self.band.uncertain(p)]
        if todo:
            full = self.full.predict([checked[k] for k in todo], batch_size=batch_size)
            for k, p in zip(todo, full, strict=True):
                out[k] = p
        self.scored += len(checked)
        self.escalated += len(todo)
        return out


# --- loading ---------------------------------------------------------------------------------
def load_first_pass(folder: str | Path = FIRST_PASS_DIR) -> AutoQAModel:
    """The first-pass model of a cascade folder (heads + its static/ embeddings)."""
    root = Path(folder)
    sidecar, payload = read_artifact(root, "first-pass")
    return AutoQAModel(payload["empathy_head"], payload["resolution_head"],
                       encoder=StaticEncoder(root / STATIC_SUBDIR),
                       version=str(sidecar["version"]), metadata=sidecar)


def read_band(folder: str | Path = FIRST_PASS_DIR) -> dict[str, Any]:
    path = Path(folder) / BAND_FILE
    if not path.is_file():
        raise ScoringError(f"no cascade band in {folder} (run python -m scoring cascade)")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScoringError(f"cannot read {path}: {exc}") from exc
    if not isinstance(info, dict):
        raise ScoringError(f"bad cascade band file: {path}")
    return info


def load_cascade(full: AutoQAModel, folder: str | Path = FIRST_PASS_DIR, *,
                 check_version: bool = True) -> CascadeModel:
    """The cascade of `full` and the first pass in `folder`; with check_version the band must
    have been fitted against this very full model (ScoringError otherwise)."""
    info = read_band(folder)
    if check_version and info.get("full_model_version") != full.version:
        raise ScoringError(
            f"the cascade band in {folder} was fitted against {info.get('full_model_version')}, "
            f"not {full.version}: run python -m scoring cascade")
    return CascadeModel(load_first_pass(folder), full, Band.from_dict(info.get("band")),
                        info=info)


# --- fitting (python -m scoring cascade) -------------------------------------------------------
class SegmentCache:
    """An encoder proxy keeping each turn's (vectors, counts) in a pickle file, so refitting
    the band after a retrain of the heads does not encode the corpus again (the encoder's
    weights are the same: only the heads change). Keyed by the encoder name and the turn's
    sentences; the file is ours only (pickle: never read one from elsewhere)."""

    def __init__(self, encoder: Any, path: str | Path) -> None:
        import pickle

        self.encoder = encoder
        self.path = Path(path)
        self.store: dict[Any, Any] = {}
        if self.path.is_file():
            with open(self.path, "rb") as fh:
                self.store = pickle.load(fh)
        self.new = 0

    @property
    def name(self) -> str:
        return str(self.encoder.name)

    @property
    def dim(self) -> int:
        return int(self.encoder.dim)

    def encode_segmented(self, segments: Sequence[Sequence[str]]
                         ) -> list[tuple[np.ndarray, np.ndarray]]:
        keys = [(self.name, *s) for s in segments]
        todo = [k for k in dict.fromkeys(keys) if k not in self.store]
        if todo:
            self.store.update(zip(todo, self.encoder.encode_segmented([list(k[1:]) for k in todo]),
                                  strict=True))
            self.new += len(todo)
            self.flush()
        return [self.store[k] for k in keys]

    def flush(self) -> None:
        import os
        import pickle

        if not self.new:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(self.store, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)
        self.new = 0


def cascade_auc(y: np.ndarray, first: np.ndarray, full: np.ndarray,
                escalate: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

    return float(roc_auc_score(y, np.where(escalate, full, first)))


def choose_band(labels: dict[str, np.ndarray], first: dict[str, np.ndarray],
                full: dict[str, np.ndarray], *, margin: float = DEFAULT_MARGIN,
                grid: Sequence[float] | None = None) -> tuple[Band, dict[str, Any]]:
    """The band escalating the fewest conversations whose cascade AUC on both heads is at
    least the full model's minus `margin` (all arrays: one value per validation conversation).

    Each head's interval is searched alone first (the narrowest that meets its own target
    when only it escalates); then, while the union misses a target, the failing head's
    interval is widened to the next candidate."""
    from sklearn.metrics import roc_auc_score

    values = np.round(np.asarray(grid if grid is not None else np.linspace(0, 1, 51)), 4)
    targets = {h: float(roc_auc_score(labels[h], full[h])) - margin for h in HEADS}
    candidates: dict[str, list[tuple[float, tuple[float, float]]]] = {}
    for h in HEADS:
        options: list[tuple[float, tuple[float, float]]] = [(0.0, (1.0, 0.0))]
        for i, low in enumerate(values):
            for high in values[i + 1:]:
                esc = (first[h] >= low) & (first[h] <= high)
                options.append((float(esc.mean()), (float(low), float(high))))
        options.sort(key=lambda o: (o[0], o[1][1] - o[1][0]))
        candidates[h] = options
    chosen: dict[str, int] = {}
    for h in HEADS:
        for k, (_, interval) in enumerate(candidates[h]):
            esc = (first[h] >= interval[0]) & (first[h] <= interval[1])
            if cascade_auc(labels[h], first[h], full[h], esc) >= targets[h]:
                chosen[h] = k
                break
        else:
            chosen[h] = len(candidates[h]) - 1
    while True:
        band = Band(*(candidates[h][chosen[h]][1] for h in HEADS))
        esc = band.mask(first["empathy"], first["resolution"])
        aucs = {h: cascade_auc(labels[h], first[h], full[h], esc) for h in HEADS}
        failing = [h for h in HEADS if aucs[h] < targets[h]
                   and chosen[h] < len(candidates[h]) - 1]
        if not failing:
            break
        for h in failing:
            chosen[h] += 1
    report = {
        "margin": margin,
        "escalated_share": round(float(esc.mean()), 4),
        "n": int(len(esc)),
        **{h: {"auc_full": round(float(roc_auc_score(labels[h], full[h])), 4),
               "auc_first_pass": round(float(roc_auc_score(labels[h], first[h])), 4),
               "auc_cascade": round(aucs[h], 4)} for h in HEADS},
    }
    return band, report


def _fit_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    """The full model's recorded training parameters that `fit_heads` accepts."""
    from .train import fit_heads

    accepted = set(inspect.signature(fit_heads).parameters)
    names = {"C_empathy": "C_empathy", "C_resolution": "C_resolution", "cv": "cv",
             "seed": "seed", "empathy_pooling": "empathy_pooling",
             "empathy_customer_negatives": "customer_negatives",
             "empathy_lexical_features": "lexical_features"}
    kwargs = {arg: params[key] for key, arg in names.items() if key in params and arg in accepted}
    outcome = params.get("resolution_outcome")  # the outcome features of outcome.py
    if isinstance(outcome, dict) and "resolution_outcome" in accepted:
        kwargs["resolution_outcome"] = int(outcome.get("vocabulary") or 0)
    if params.get("empathy_acknowledgement_cues") and "empathy_cues" in accepted:
        kwargs["empathy_cues"] = True
    return kwargs


def oof_probabilities(rows: Sequence[dict[str, Any]], encoder: Any,
                      params: dict[str, Any]) -> tuple[Any, Any, dict[str, np.ndarray],
                                                       dict[str, Any]]:
    """Fit both heads over `encoder`; their out-of-fold conversation probabilities per head."""
    from .model import encode_conversations
    from .train import conversation_empathy, design_matrices, fit_heads

    encoded = encode_conversations(encoder, [r["turns"] for r in rows])
    emp, res, metrics = fit_heads(rows, encoder, encoded=encoded, **_fit_kwargs(params))
    m = design_matrices(encoded, rows)
    probs = {"empathy": conversation_empathy(emp.oof_proba_, m["emp_conv"], len(rows)) / 100.0,
             "resolution": np.asarray(res.oof_proba_, dtype=float)}
    return emp, res, probs, metrics


def fit_cascade(data: str | Path | Sequence[str | Path], full: AutoQAModel,
                out_dir: str | Path = FIRST_PASS_DIR, *, distil_source: str | Path | None = None,
                pca_dims: int = DEFAULT_PCA_DIMS, margin: float = DEFAULT_MARGIN,
                full_encoder: Any = None, cache: str | Path | None = None,
                save_validation: str | Path | None = None, log: Any = None) -> dict[str, Any]:
    """Refit the first pass (and distil its static embeddings first when `distil_source` is
    given or out_dir has none) and the band against `full`; write out_dir; the band report."""
    from .model import slim_head
    from .static import VECTORS_FILE, distil
    from .train import load_corpus, sha256_file

    def say(message: str) -> None:
        if log is not None:
            log(message)

    out = Path(out_dir)
    static_dir = out / STATIC_SUBDIR
    if distil_source is not None or not (static_dir / VECTORS_FILE).is_file():
        if distil_source is None:
            from .embeddings import default_encoder_path

            distil_source = default_encoder_path()
        say(f"distilling static embeddings from {distil_source} (pca {pca_dims}, float16)")
        distil(distil_source, static_dir, pca_dims=pca_dims)
    paths = [data] if isinstance(data, (str, Path)) else list(data)
    rows = [r for p in paths for r in load_corpus(p)]
    params = dict(full.metadata.get("params") or {})
    say(f"first pass: fitting heads over the static embeddings on {len(rows)} conversations")
    emp, res, first_probs, first_metrics = oof_probabilities(rows, StaticEncoder(static_dir),
                                                             params)
    say(f"full recipe: out-of-fold predictions over {full.encoder.name}")
    encoder = full_encoder or full.encoder
    if cache is not None:
        encoder = SegmentCache(encoder, cache)
    _, _, full_probs, _ = oof_probabilities(rows, encoder, params)
    labels = {"empathy": np.array([int(any(r["agent_empathy"])) for r in rows]),
              "resolution": np.array([int(r["resolved"]) for r in rows])}
    if save_validation is not None:  # the out-of-fold probabilities, to study other margins
        arrays: dict[str, Any] = {f"{k}_{h}": v[h] for k, v in (
            ("label", labels), ("first", first_probs), ("full", full_probs)) for h in HEADS}
        np.savez(save_validation, **arrays)
    band, report = choose_band(labels, first_probs, full_probs, margin=margin)
    weights_sha = hashlib.sha256(np.concatenate(
        [np.asarray(emp.coef_).ravel(), np.asarray(res.coef_).ravel()]).round(6).tobytes())
    now = datetime.now(UTC)
    version = f"{FIRST_PASS_PREFIX}{now:%Y%m%d}-{weights_sha.hexdigest()[:8]}"
    static_info = json.loads((static_dir / "static.json").read_text(encoding="utf-8"))
    sidecar = {
        "version": version, "format": ARTIFACT_FORMAT, "created": now.isoformat(timespec="seconds"),
        "encoder": f"static ({STATIC_SUBDIR}/, model2vec distilled from {static_info['source']})",
        "static": static_info, "languages": list(full.languages),
        "metrics": first_metrics, "params": {**params, "encoding": "static token vectors: "
                                             "sentence = mean of its tokens' vectors"},
        "resolution_threshold": full.threshold,
        "training_data": [{"file": Path(p).name, "sha256": sha256_file(p)} for p in paths],
    }
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump({"format": ARTIFACT_FORMAT, "empathy_head": slim_head(emp),
                 "resolution_head": slim_head(res)}, out / MODEL_FILE, compress=3)
    (out / SIDECAR_FILE).write_text(json.dumps(sidecar, indent=2, sort_keys=True) + "\n",
                                    encoding="utf-8")
    info = {"band": band.to_dict(), "full_model_version": full.version,
            "first_pass_version": version, "created": now.isoformat(timespec="seconds"),
            "validation": {**report, "split": "out-of-fold predictions of both recipes, "
                           "5-fold GroupKFold by domain of the training corpus"},
            "rule": "escalate a conversation to the full model when its first-pass empathy "
                    "score / 100 or resolution probability lies inside that head's interval"}
    (out / BAND_FILE).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n",
                                 encoding="utf-8")
    return info
