"""Learning from reviewers: retrain the AutoQA heads with reviewer labels, decide on held-out.

Framework-free: the app turns reviewer answers into `LabelledConversation`s (interaction id,
turns, {key: label in 0..1}) and this module does the rest:

* a deterministic split by interaction id (`is_held_out`): a fixed share of the reviewer-
  labelled interactions is never trained on and is the only thing the decision looks at;
* a candidate model: every head with at least `min_labels` reviewer labels is refitted on the
  project corpus plus the training part of the reviewer labels (each reviewer conversation
  counted `reviewer_weight` times, which for an L2 logistic regression is exactly a sample
  weight); a head with fewer labels is carried over from the active model unchanged. The heads
  are the kind `scoring.train` fits, from the same `design_matrices`: empathy a
  `MaxPooledLinearClassifier` on agent-sentence bags (one bag per agent turn, customer
  sentences as extra negatives), resolution a `CalibratedLinearClassifier` on the pooled
  conversation features;
* the activation rule (`decide`): the candidate is activated only when, on the held-out
  slice, its AUC is strictly higher than the active model's on *every* retrained head
  (carried-over heads are identical, so they cannot be worse). A head whose held-out slice
  is empty or has one class only cannot be compared, and then nothing is activated.

Labels are binarised at `BINARY_THRESHOLD`: a criterion score (0..1 of its scale) of 0.5 or
more is a positive, i.e. "not failed" in the scorecard's own sense (PRODUCT.md: a critical
criterion fails below 50% of its scale). On a 1-5 scale 3, 4 and 5 are positive.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score  # type: ignore[import-untyped]

from .classifiers import (
    CalibratedLinearClassifier,
    MaxPooledLinearClassifier,
    empathy_k,
    expected_calibration_error,
    fit_empathy_head,
)
from .embeddings import Encoder, TextEncoder
from .errors import ScoringError
from .lexical import sentence_features
from .model import AutoQAModel, EncodedConversation, encode_conversations
from .schema import Turn
from .train import (
    DEFAULT_C_EMPATHY,
    DEFAULT_EMPATHY_LEXICAL_FEATURES,
    design_matrices,
    library_versions,
)

BINARY_THRESHOLD = 0.5
AUTOQA_KEYS = ("empathy", "resolution")
DEFAULT_MIN_LABELS = 40
DEFAULT_HOLDOUT = 0.25
DEFAULT_REVIEWER_WEIGHT = 3
MIN_HELDOUT_PER_CLASS = 5
ACTIVATION_RULE = (
    "activate only when the candidate's held-out AUC is strictly higher than the active "
    "model's on every retrained head, on a held-out slice with at least "
    f"{MIN_HELDOUT_PER_CLASS} labels of each class (heads without enough reviewer labels are "
    "carried over unchanged, so they cannot get worse)"
)


def thin_heldout(metrics: dict[str, Any]) -> str | None:
    """Why a held-out slice is too thin for its AUC to decide anything, or None."""
    n, positives = int(metrics.get("n", 0)), int(metrics.get("positives", 0))
    if min(positives, n - positives) < MIN_HELDOUT_PER_CLASS:
        return (f"the held-out slice has {n} labels ({positives} positive, {n - positives} "
                f"negative); at least {MIN_HELDOUT_PER_CLASS} of each class are needed to "
                f"compare AUCs")
    return None


class NotEnoughLabels(ScoringError):
    """Too few reviewer labels to train anything; the message says how many and how many more."""


@dataclass(frozen=True)
class LabelledConversation:
    """One reviewer-labelled interaction: its turns and a 0..1 label per key."""

    id: int
    turns: Sequence[Turn]
    labels: dict[str, float]


def binarise(label: float, threshold: float = BINARY_THRESHOLD) -> int:
    """1 when the criterion score (0..1 of the scale) reaches the threshold."""
    return int(label >= threshold - 1e-9)


def is_held_out(item_id: int, fraction: float, seed: int = 0) -> bool:
    """Deterministic held-out membership from the interaction id (and a seed), not its order."""
    if fraction <= 0:
        return False
    digest = hashlib.sha256(f"{seed}:{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def split(items: Sequence[LabelledConversation], fraction: float, seed: int = 0
          ) -> tuple[list[LabelledConversation], list[LabelledConversation]]:
    """(train, held_out) by `is_held_out`."""
    train: list[LabelledConversation] = []
    held: list[LabelledConversation] = []
    for item in items:
        (held if is_held_out(item.id, fraction, seed) else train).append(item)
    return train, held


def label_hash(items: Sequence[LabelledConversation]) -> str:
    """sha256 of the (id, key, label) triples: identifies the reviewer training data."""
    triples = sorted((it.id, k, round(v, 4)) for it in items for k, v in it.labels.items())
    return hashlib.sha256(json.dumps(triples).encode()).hexdigest()


def count_labels(items: Sequence[LabelledConversation], key: str) -> int:
    return sum(1 for it in items if key in it.labels)


def heldout_metrics(y: Sequence[int] | np.ndarray, p: Sequence[float] | np.ndarray
                    ) -> dict[str, Any]:
    """AUC (None with one class), F1, accuracy and ECE at 0.5, with n and positives."""
    y_arr = np.asarray(y, dtype=int)
    p_arr = np.asarray(p, dtype=float)
    out: dict[str, Any] = {"n": int(len(y_arr)), "positives": int(y_arr.sum())}
    if not len(y_arr):
        return {**out, "auc": None, "f1": None, "accuracy": None, "ece": None}
    pred = (p_arr >= 0.5).astype(int)
    two = len(set(y_arr.tolist())) == 2
    out["auc"] = round(float(roc_auc_score(y_arr, p_arr)), 4) if two else None
    out["f1"] = round(float(f1_score(y_arr, pred, zero_division=0)), 4)
    out["accuracy"] = round(float(accuracy_score(y_arr, pred)), 4)
    out["ece"] = round(expected_calibration_error(y_arr, p_arr), 4)
    return out


class EmbeddingCache:
    """Wraps an encoder so each text (or segment) is embedded once per run: training, then
    the held-out evaluation of both models, reuse the vectors.

    A proxy rather than a subclass: every other attribute is the wrapped encoder's, so the
    cache follows whatever `encode_conversations` asks of an encoder (`encode`, and
    `encode_segmented` when the encoder has it).
    """

    def __init__(self, encoder: TextEncoder) -> None:
        self.encoder = encoder
        self._texts: dict[str, np.ndarray] = {}
        self._segments: dict[tuple[str, ...], Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name == "encode_segmented" and hasattr(self.encoder, name):
            return self._encode_segmented
        return getattr(self.encoder, name)

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._texts]
        if todo:
            for text, vector in zip(todo, self.encoder.encode(todo), strict=True):
                self._texts[text] = vector
        if not texts:
            return np.asarray(self.encoder.encode([]))
        return np.vstack([self._texts[t] for t in texts])

    def _encode_segmented(self, segments: Sequence[Sequence[str]]) -> list[Any]:
        keys = [tuple(s) for s in segments]
        todo = [k for k in dict.fromkeys(keys) if k not in self._segments]
        if todo:
            results = self.encoder.encode_segmented([list(k) for k in todo])  # type: ignore[attr-defined]
            for k, result in zip(todo, results, strict=True):
                self._segments[k] = result
        return [self._segments[k] for k in keys]

    def as_encoder(self) -> Encoder:
        """This cache, typed as the encoder it stands in for."""
        return cast(Encoder, self)


def autoqa_scores(model: AutoQAModel, conversations: Sequence[Sequence[Turn]]
                  ) -> dict[str, np.ndarray]:
    """The model's 0..1 answer per AutoQA key (empathy score / 100, resolution probability)."""
    preds = model.predict(conversations) if conversations else []
    return {"empathy": np.array([p.empathy_score / 100.0 for p in preds]),
            "resolution": np.array([p.resolution_probability for p in preds])}


@dataclass
class Comparison:
    """Held-out metrics of the candidate and of the active model, per key, and the decision."""

    candidate: dict[str, dict[str, Any]]
    active: dict[str, dict[str, Any]]
    activate: bool
    reason: str


def decide(keys: Sequence[str], candidate: dict[str, dict[str, Any]],
           active: dict[str, dict[str, Any]]) -> tuple[bool, str]:
    """ACTIVATION_RULE over the given (retrained) keys."""
    if not keys:
        return False, "no head was retrained"
    better: list[str] = []
    for key in keys:
        cand, act = candidate.get(key, {}), active.get(key, {})
        if (why := thin_heldout(cand)) or cand.get("auc") is None or act.get("auc") is None:
            return False, f"cannot compare {key}: {why or 'no AUC on the held-out slice'}"
        if not cand["auc"] > act["auc"]:
            return False, (f"{key}: held-out AUC {cand['auc']:.3f} is not higher than the "
                           f"active model's {act['auc']:.3f}")
        better.append(f"{key} {cand['auc']:.3f} > {act['auc']:.3f}")
    return True, "higher held-out AUC on every retrained head: " + ", ".join(better)


@dataclass
class RetrainResult:
    model: AutoQAModel  # the candidate (not saved, not registered)
    retrained: list[str]
    carried: list[str]
    counts: dict[str, dict[str, int]]
    comparison: Comparison
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def activate(self) -> bool:
        return self.comparison.activate


def _check_counts(items: Sequence[LabelledConversation], keys: Sequence[str],
                  min_labels: int) -> list[str]:
    counts = {k: count_labels(items, k) for k in keys}
    ready = [k for k in keys if counts[k] >= min_labels]
    if not ready:
        have = ", ".join(f"{k} {n}" for k, n in counts.items())
        raise NotEnoughLabels(f"too few reviewer labels: {have}; at least {min_labels} are "
                              f"needed for one head (QA_AUTOQA_MIN_LABELS)")
    return ready


def _agent_turn_logits(head: CalibratedLinearClassifier, ec: EncodedConversation) -> np.ndarray:
    """The head's calibrated logit of each agent turn, in `ec.agent_turns()` order."""
    agent = ec.agent_turns()
    if isinstance(head, MaxPooledLinearClassifier):
        features = sentence_features(head, ec.embeddings, [s.text for s in ec.sentences])
        logits = head.bag_decision_function(features, ec.sentence_turn, len(ec.turns))
        return np.asarray(logits[agent])
    return np.asarray(head.decision_function(ec.turn_vectors[agent]))


def _reviewer_rows(encoded: Sequence[EncodedConversation],
                   items: Sequence[LabelledConversation],
                   active_head: CalibratedLinearClassifier) -> list[dict[str, Any]]:
    """Reviewer labels as `scoring.train` corpus rows, -1 marking "no label" (left out).

    Resolution: the binarised label. Empathy, from a conversation-level label: negative, every
    agent turn is not empathetic; positive, the turns the score is made of (the top-k agent
    turns, k as in the model's aggregation, ranked by the active head) are, and the other agent
    turns are left out since the reviewer said nothing about them.
    """
    rows = []
    for ec, item in zip(encoded, items, strict=True):
        n_agent = len(ec.agent_turns())
        empathy = [-1] * n_agent
        if "empathy" in item.labels:
            if not binarise(item.labels["empathy"]):
                empathy = [0] * n_agent
            elif n_agent:
                logits = _agent_turn_logits(active_head, ec)
                for k in np.argsort(-logits, kind="stable")[:empathy_k(n_agent)]:
                    empathy[int(k)] = 1
        resolved = binarise(item.labels["resolution"]) if "resolution" in item.labels else -1
        rows.append({"id": item.id, "domain": f"review:{item.id}", "turns": item.turns,
                     "agent_empathy": empathy, "resolved": resolved})
    return rows


def _labelled_bags(m: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """`design_matrices` output without the agent-turn bags labelled -1 (no label)."""
    keep = m["emp_y"] >= 0
    in_kept = keep[m["emp_bags"]]
    new_index = np.cumsum(keep) - 1
    return {**m, "emp_sentence_x": m["emp_sentence_x"][in_kept],
            "emp_sentence_text": m["emp_sentence_text"][in_kept],
            "emp_bags": new_index[m["emp_bags"][in_kept]], "emp_y": m["emp_y"][keep],
            "emp_groups": m["emp_groups"][keep]}


def retrain_from_reviews(
    active: AutoQAModel,
    corpus: Sequence[dict[str, Any]],
    labelled: Sequence[LabelledConversation],
    *,
    min_labels: int = DEFAULT_MIN_LABELS,
    holdout: float = DEFAULT_HOLDOUT,
    seed: int = 0,
    reviewer_weight: int = DEFAULT_REVIEWER_WEIGHT,
    C_empathy: float = DEFAULT_C_EMPATHY,
    C_resolution: float = 3.0,
    cv: int = 5,
    corpus_name: str = "",
    corpus_sha256: str | None = None,
) -> RetrainResult:
    """Fit a candidate on corpus + reviewer labels and compare it with `active` on held-out.

    `corpus` rows are in the `scoring.train.load_corpus` format. The empathy head is fitted as
    `scoring.train` fits the shipped one (max-pooled sentence bags, `C_empathy` defaulting to
    its `DEFAULT_C_EMPATHY`), whatever kind of empathy head `active` has. Raises
    NotEnoughLabels when no AutoQA key has `min_labels` reviewer labels.
    """
    if not 0 < holdout < 1:
        raise ScoringError("holdout must be between 0 and 1")
    if reviewer_weight < 1:
        raise ScoringError("reviewer weight must be at least 1")
    retrained = _check_counts(labelled, AUTOQA_KEYS, min_labels)
    carried = [k for k in AUTOQA_KEYS if k not in retrained]
    train_items, held_items = split(labelled, holdout, seed)
    cache = EmbeddingCache(active.encoder).as_encoder()
    enc_corpus = encode_conversations(cache, [r["turns"] for r in corpus])
    enc_train = encode_conversations(cache, [it.turns for it in train_items])

    # One design matrix, as scoring.train builds it, over the corpus and every reviewer
    # conversation repeated `reviewer_weight` times; the copies share their group, so the
    # calibration folds never split a reviewer label.
    corpus_rows = [{**row, "domain": f"corpus:{row.get('domain', row.get('id', c))}"}
                   for c, row in enumerate(corpus)]
    reviewer_rows = _reviewer_rows(enc_train, train_items, active.empathy_head)
    m = design_matrices(
        [*enc_corpus, *(ec for ec in enc_train for _ in range(reviewer_weight))],
        [*corpus_rows, *(row for row in reviewer_rows for _ in range(reviewer_weight))])

    heads: dict[str, CalibratedLinearClassifier] = {
        "empathy": active.empathy_head, "resolution": active.resolution_head}
    for key in retrained:
        try:
            if key == "empathy":
                # the head scoring.train.fit_heads fits by default: max over sentence bags,
                # customer sentences as extra negatives, embeddings plus a sentence TF-IDF
                heads[key] = fit_empathy_head(
                    _labelled_bags(m), C=C_empathy, cv=cv, seed=seed,
                    lexical_features=DEFAULT_EMPATHY_LEXICAL_FEATURES)
            else:
                keep = m["res_y"] >= 0
                resolution = CalibratedLinearClassifier(C=C_resolution, cv=cv, random_state=seed)
                heads[key] = resolution.fit(m["res_x"][keep], m["res_y"][keep],
                                            groups=m["res_groups"][keep])
        except ValueError as exc:
            raise ScoringError(f"cannot fit the {key} head: {exc}") from exc

    held_turns = [it.turns for it in held_items]
    candidate_eval = AutoQAModel(heads["empathy"], heads["resolution"], encoder=cache,
                                 version="candidate", metadata=active.metadata)
    active_eval = AutoQAModel(active.empathy_head, active.resolution_head, encoder=cache,
                              version=active.version, metadata=active.metadata)
    cand_scores = autoqa_scores(candidate_eval, held_turns)
    act_scores = autoqa_scores(active_eval, held_turns)
    cand_metrics: dict[str, dict[str, Any]] = {}
    act_metrics: dict[str, dict[str, Any]] = {}
    for key in AUTOQA_KEYS:
        idx = [k for k, it in enumerate(held_items) if key in it.labels]
        held_y = [binarise(held_items[k].labels[key]) for k in idx]
        cand_metrics[key] = heldout_metrics(held_y, cand_scores[key][idx])
        act_metrics[key] = heldout_metrics(held_y, act_scores[key][idx])
    activate, reason = decide(retrained, cand_metrics, act_metrics)
    comparison = Comparison(cand_metrics, act_metrics, activate, reason)

    counts = {k: {"total": count_labels(labelled, k), "train": count_labels(train_items, k),
                  "held_out": count_labels(held_items, k)} for k in AUTOQA_KEYS}
    weights = np.concatenate([heads["empathy"].coef_, heads["resolution"].coef_])
    digest = hashlib.sha256(np.asarray(weights).round(6).tobytes()).hexdigest()[:8]
    now = datetime.now(UTC)
    params = dict(active.metadata.get("params") or {})
    if "empathy" in retrained:
        params.update(C_empathy=C_empathy, empathy_pooling="max_sentence",
                      empathy_customer_negatives=True,
                      empathy_lexical_features=DEFAULT_EMPATHY_LEXICAL_FEATURES)
    if "resolution" in retrained:
        params["C_resolution"] = C_resolution
    params.update(cv=cv, seed=seed)
    metadata = {
        **{k: v for k, v in active.metadata.items() if k in ("resolution_threshold", "languages")},
        "params": params,
        "created": now.isoformat(timespec="seconds"),
        "source": "reviews",
        "parent": active.version,
        "training_data": {
            "file": f"{corpus_name} + reviewer labels" if corpus_name else "reviewer labels",
            "corpus_sha256": corpus_sha256,
            "conversations": len(corpus) + len(train_items),
            "corpus_conversations": len(corpus),
            "reviewer_interactions": len(train_items),
            "reviewer_labels_sha256": label_hash(labelled),
            "reviewer_labels": counts,
            "reviewer_weight": reviewer_weight,
            "binary_threshold": BINARY_THRESHOLD,
        },
        # The admin page reads `metrics`: for a model learned from reviewers these are the
        # held-out reviewer metrics the activation was decided on.
        "metrics": {
            "evaluation": f"held-out reviewer labels ({holdout:.0%} of interactions by id, "
                          f"seed {seed})",
            "resolution": cand_metrics["resolution"],
            "empathy_conversation": cand_metrics["empathy"],
        },
        "heldout": {"candidate": cand_metrics, "active": act_metrics,
                    "active_version": active.version, "holdout": holdout, "seed": seed},
        "retrained_heads": retrained,
        "carried_heads": carried,
        "decision": {"activate": activate, "reason": reason, "rule": ACTIVATION_RULE},
        "libraries": library_versions(),
    }
    version = f"autoqa-{now:%Y%m%d}-r{digest}"
    model = AutoQAModel(heads["empathy"], heads["resolution"], encoder=active.encoder,
                        version=version, metadata=metadata)
    return RetrainResult(model=model, retrained=retrained, carried=carried, counts=counts,
                         comparison=comparison, metadata=metadata)


def format_table(rows: Sequence[tuple[str, str, dict[str, Any]]]) -> str:
    """Side-by-side text table: (head, model label, metrics) per row."""

    def num(v: Any) -> str:
        return "-" if v is None else f"{v:.3f}"

    width = max([len(m) for _, m, _ in rows] + [5])
    lines = [f"{'head':<12} {'model':<{width}} {'n':>4} {'pos':>4} {'AUC':>6} {'F1':>6} "
             f"{'acc':>6} {'ECE':>6}"]
    for head, label, m in rows:
        lines.append(f"{head:<12} {label:<{width}} {m.get('n', 0):>4} {m.get('positives', 0):>4} "
                     f"{num(m.get('auc')):>6} {num(m.get('f1')):>6} {num(m.get('accuracy')):>6} "
                     f"{num(m.get('ece')):>6}")
    return "\n".join(lines)
