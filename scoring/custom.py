"""Custom learned heads: one calibrated linear head per scorecard criterion, from reviewers.

A custom head scores a whole conversation for one criterion (probability 0..1 that a
reviewer would pass it) from the same pooled, speaker-tagged conversation features as the
resolution head: concat[mean agent turns, mean customer turns, mean last 3 turns, last
customer turn, last agent turn], each turn the mean of its sentence embeddings. Everything
after the sentence embeddings is linear, so each sentence's contribution to the logit is
exact (`scoring.evidence`): contributions + intercept = logit.

Artifacts are folders like the AutoQA ones (model.joblib + model.json) so `Registry` versions,
activates and rolls them back; the sidecar carries the criterion id/name, label hash, held-out
metrics, library versions and date. Framework-free: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib  # type: ignore[import-untyped]
import numpy as np

from .classifiers import RESOLUTION_BLOCKS, CalibratedLinearClassifier, resolution_shares
from .embeddings import DEFAULT_ENCODER_NAME
from .errors import ScoringError
from .evidence import top_evidence
from .model import (
    DEFAULT_LANGUAGES,
    MODEL_FILE,
    SIDECAR_FILE,
    AutoQAModel,
    EncodedConversation,
    encode_conversations,
    head_features,
    model_languages,
    pooled_contributions,
    slim_head,
)
from .retrain import (
    DEFAULT_HOLDOUT,
    DEFAULT_MIN_LABELS,
    MIN_HELDOUT_PER_CLASS,
    LabelledConversation,
    NotEnoughLabels,
    binarise,
    heldout_metrics,
    label_hash,
    split,
    thin_heldout,
)
from .schema import Evidence, Prediction, Turn, to_turns

CUSTOM_FORMAT = 1
KEY_PREFIX = "crit:"
DEFAULT_C = 1.0


def criterion_key(criterion_id: int) -> str:
    """The AutoScore key of a criterion's custom head, e.g. 'crit:12'."""
    return f"{KEY_PREFIX}{int(criterion_id)}"


def pooled_features(ec: EncodedConversation) -> np.ndarray:
    """(n_blocks * dim,) conversation vector: block j = sum_i shares[i, j] * turn_vector_i."""
    shares = resolution_shares(ec.speakers)
    return np.asarray((shares.T @ ec.turn_vectors).reshape(-1))


@dataclass(frozen=True)
class CustomScore:
    key: str
    probability: float
    label: str  # "yes" | "no"
    evidence: tuple[Evidence, ...]
    version: str
    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # those of the head that gave the score


class CustomHead:
    """A fitted head for one criterion, with its version and sidecar metadata."""

    def __init__(self, head: CalibratedLinearClassifier, *, key: str, version: str,
                 metadata: dict[str, Any] | None = None) -> None:
        self.head = head
        self.key = key
        self.version = version
        self.metadata = dict(metadata or {})
        self.threshold = float(self.metadata.get("threshold", 0.5))

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages of the reviewer labels and encoder it was trained with."""
        return model_languages(self.metadata)

    @property
    def encoder_name(self) -> str:
        """The encoder the head was trained over (a head saved without the key: MiniLM)."""
        return str(self.metadata.get("encoder") or DEFAULT_ENCODER_NAME)

    def fits(self, encoder: Any) -> bool:
        """Whether the head reads this encoder's vectors: a head trained over another encoder
        (the shipped model moved from MiniLM to a multilingual encoder) would give a
        meaningless score, or none at all when the dimensions differ."""
        return self.encoder_name == str(getattr(encoder, "name", DEFAULT_ENCODER_NAME))

    # --- persistence -------------------------------------------------------------------
    def save(self, out_dir: str | Path) -> Path:
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": CUSTOM_FORMAT, "kind": "custom_head",
                     "head": slim_head(self.head)},
                    folder / MODEL_FILE, compress=3)
        sidecar = {**self.metadata, "version": self.version, "key": self.key,
                   "format": CUSTOM_FORMAT, "kind": "custom_head"}
        (folder / SIDECAR_FILE).write_text(json.dumps(sidecar, indent=2, sort_keys=True) + "\n",
                                           encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> CustomHead:
        """Load a folder written by `save` (joblib: only load artifacts you built)."""
        path = Path(folder)
        try:
            sidecar = json.loads((path / SIDECAR_FILE).read_text(encoding="utf-8"))
            payload = joblib.load(path / MODEL_FILE)
        except (OSError, ValueError, EOFError) as exc:
            raise ScoringError(f"cannot read custom head in {path}: {exc}") from exc
        if (not isinstance(payload, dict) or payload.get("kind") != "custom_head"
                or payload.get("format") != CUSTOM_FORMAT):
            raise ScoringError(f"not a custom head: {path}")
        return cls(payload["head"], key=str(sidecar["key"]), version=str(sidecar["version"]),
                   metadata=sidecar)

    # --- scoring -----------------------------------------------------------------------
    def logit(self, ec: EncodedConversation) -> float:
        return float(self.head.decision_function(head_features(self.head, ec)[None, :])[0])

    def explain(self, ec: EncodedConversation) -> tuple[np.ndarray, float]:
        """Each sentence's exact share of the logit, centred on the training mean (evidence.py),
        and the conversation's baseline: baseline + sum(contributions) == logit."""
        return pooled_contributions(self.head, ec)

    def contributions(self, ec: EncodedConversation) -> np.ndarray:
        return self.explain(ec)[0]

    def score_encoded(self, ec: EncodedConversation) -> CustomScore:
        p = float(1.0 / (1.0 + np.exp(-self.logit(ec))))
        evidence = top_evidence(ec.sentences, self.contributions(ec))
        return CustomScore(key=self.key, probability=p,
                           label="yes" if p >= self.threshold else "no", evidence=evidence,
                           version=self.version, languages=self.languages)

    def probabilities(self, encoded: Sequence[EncodedConversation]) -> np.ndarray:
        if not encoded:
            return np.zeros(0)
        X = np.vstack([head_features(self.head, ec) for ec in encoded])
        return np.asarray(self.head.predict_proba(X)[:, 1])


def score_encoded_conversations(heads: Sequence[CustomHead],
                                encoded: Sequence[EncodedConversation]
                                ) -> list[list[CustomScore]]:
    """Every head on every conversation already encoded (e.g. by `predict_with_encodings`)."""
    return [[h.score_encoded(ec) for h in heads] for ec in encoded]


def score_conversations(heads: Sequence[CustomHead], encoder: Any,
                        conversations: Sequence[Sequence[Turn]]) -> list[list[CustomScore]]:
    """Every head on every conversation; each conversation is encoded once for all heads.

    When the built-in model scores the same conversations, use `predict_with_encodings` and
    `score_encoded_conversations` instead, so the conversations are encoded once for both.
    """
    if not heads or not conversations:
        return [[] for _ in conversations]
    encoded = encode_conversations(encoder, [to_turns(c) for c in conversations])
    return score_encoded_conversations(heads, encoded)


def predict_with_encodings(model: AutoQAModel, conversations: Sequence[Sequence[Turn]], *,
                           batch_size: int = 64
                           ) -> tuple[list[Prediction], list[EncodedConversation]]:
    """`model.predict(conversations)`, the same batches and results, plus the encoded
    conversations it scored, so the custom heads score them without encoding them again."""
    checked = [to_turns(c) for c in conversations]
    predictions: list[Prediction] = []
    encoded: list[EncodedConversation] = []
    for start in range(0, len(checked), batch_size):
        chunk = encode_conversations(model.encoder, checked[start:start + batch_size])
        model.prepare(chunk)
        predictions.extend(model.predict_encoded(ec) for ec in chunk)
        encoded.extend(chunk)
    return predictions, encoded


@dataclass
class CustomTrainResult:
    head: CustomHead
    candidate: dict[str, Any]
    active: dict[str, Any] | None  # held-out metrics of the active head, if there is one
    activate: bool
    reason: str
    counts: dict[str, int] = field(default_factory=dict)


CUSTOM_RULE = (
    "activate only when the held-out AUC is strictly higher than the active head's, or, "
    "with no active head, higher than a constant score (AUC 0.5), on a held-out slice with "
    f"at least {MIN_HELDOUT_PER_CLASS} labels of each class"
)


def train_custom_head(
    items: Sequence[LabelledConversation],
    *,
    criterion_id: int,
    criterion_name: str,
    encoder: Any,
    active: CustomHead | None = None,
    min_labels: int = DEFAULT_MIN_LABELS,
    holdout: float = DEFAULT_HOLDOUT,
    seed: int = 0,
    C: float = DEFAULT_C,
    cv: int = 5,
    scale: dict[str, Any] | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> CustomTrainResult:
    """Fit a head for one criterion on reviewer labels (`labels[criterion_key(id)]` in 0..1),
    evaluate it on the held-out interactions and decide by CUSTOM_RULE."""
    from .train import library_versions

    key = criterion_key(criterion_id)
    items = [it for it in items if key in it.labels]
    if len(items) < min_labels:
        raise NotEnoughLabels(f"too few reviewer labels for criterion {criterion_id} "
                              f"({criterion_name}): {len(items)}; at least {min_labels} are "
                              f"needed (QA_AUTOQA_MIN_LABELS)")
    if not 0 < holdout < 1:
        raise ScoringError("holdout must be between 0 and 1")
    train_items, held_items = split(items, holdout, seed)
    y_train = np.array([binarise(it.labels[key]) for it in train_items], dtype=int)
    y_held = np.array([binarise(it.labels[key]) for it in held_items], dtype=int)
    minority = int(min(y_train.sum(), len(y_train) - y_train.sum())) if len(y_train) else 0
    if minority < 2:
        raise ScoringError(f"criterion {criterion_id} ({criterion_name}): the training labels "
                           f"need at least 2 passes and 2 fails, got {int(y_train.sum())} "
                           f"passes of {len(y_train)}")
    encoded = encode_conversations(encoder, [it.turns for it in train_items + held_items])
    enc_train, enc_held = encoded[:len(train_items)], encoded[len(train_items):]
    X = np.vstack([pooled_features(ec) for ec in enc_train])
    head = CalibratedLinearClassifier(C=C, cv=max(2, min(cv, minority)), random_state=seed)
    head.fit(X, y_train)

    now = datetime.now(UTC)
    digest = hashlib.sha256(np.asarray(head.coef_).round(6).tobytes()).hexdigest()[:8]
    version = f"crit{int(criterion_id)}-{now:%Y%m%d}-{digest}"
    candidate = CustomHead(head, key=key, version=version)
    cand_metrics = heldout_metrics(y_held, candidate.probabilities(enc_held))
    act_metrics = (heldout_metrics(y_held, active.probabilities(enc_held))
                   if active is not None else None)
    baseline = act_metrics["auc"] if act_metrics is not None else 0.5
    if (why := thin_heldout(cand_metrics)) or cand_metrics["auc"] is None or baseline is None:
        activate, reason = False, f"cannot compare: {why or 'no AUC on the held-out slice'}"
    elif cand_metrics["auc"] > baseline:
        against = f"active {active.version}" if active is not None else "a constant score"
        activate, reason = True, (f"held-out AUC {cand_metrics['auc']:.3f} > {baseline:.3f} "
                                  f"({against})")
    else:
        against = f"active {active.version}" if active is not None else "a constant score"
        activate, reason = False, (f"held-out AUC {cand_metrics['auc']:.3f} is not higher "
                                   f"than {baseline:.3f} ({against})")
    counts = {"total": len(items), "train": len(train_items), "held_out": len(held_items),
              "positives": int(y_train.sum() + y_held.sum())}
    candidate.metadata = {
        "created": now.isoformat(timespec="seconds"),
        "criterion_id": int(criterion_id),
        "criterion_name": criterion_name,
        "scale": scale or {},
        "languages": list(languages),
        "encoder": str(getattr(encoder, "name", "")),
        "features": "concat[" + ", ".join(RESOLUTION_BLOCKS) + "] of mean-pooled turns",
        "threshold": 0.5,
        "binary_threshold": "criterion score >= 50% of its scale is a pass; N/A skipped",
        "labels": {**counts, "sha256": label_hash(items)},
        "metrics": {"evaluation": f"held-out reviewer labels ({holdout:.0%} of interactions "
                                  f"by id, seed {seed})",
                    "heldout": cand_metrics, "active_heldout": act_metrics,
                    "active_version": active.version if active is not None else None,
                    "cv_auc": heldout_metrics(y_train, head.oof_proba_).get("auc")},
        "decision": {"activate": activate, "reason": reason, "rule": CUSTOM_RULE},
        "params": {"C": C, "cv": head.cv, "seed": seed, "holdout": holdout},
        "libraries": library_versions(),
    }
    return CustomTrainResult(head=candidate, candidate=cand_metrics, active=act_metrics,
                             activate=activate, reason=reason, counts=counts)
