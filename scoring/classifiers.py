"""The two AutoQA heads: calibrated linear classifiers over pooled sentence embeddings.

Everything between the sentence embeddings and the logit is linear on purpose, so every
sentence's contribution to a score can be computed exactly (see `evidence.py`):

* each turn is encoded once; a sentence vector is the mean of its contextual tokens and a turn
  vector is the (L2-normalised) token-weighted mean of its sentence vectors;
* empathy (default, ``MaxPooledLinearClassifier``): a linear score per agent sentence, the turn
  logit is the max over the turn's sentences (one warm sentence makes a turn empathetic, as the
  labelling guide says), learned from turn labels by multiple-instance learning; the older
  ``CalibratedLinearClassifier`` on the turn vector (mean pooling) still loads; the
  conversation score is
  100 x the mean of the top-k agent-turn probabilities, k = ceil(n_agent_turns / 3), i.e. the
  agent's warmest third of turns (one warm turn in a short chat counts fully, one warm turn in
  a long call counts partly);
* resolution: logistic regression on a speaker-tagged, position-weighted pooling of turn
  vectors where the end matters most: concat[mean of agent turns, mean of customer turns,
  mean of the last 3 turns, last customer turn, last agent turn].

Calibration is Platt scaling fitted on out-of-fold decision values (grouped folds) and folded
into the weights, so `coef_`/`intercept_` give calibrated logits directly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.base import BaseEstimator, ClassifierMixin  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import (  # type: ignore[import-untyped]
    GroupKFold,
    StratifiedKFold,
)
from sklearn.utils.validation import check_is_fitted  # type: ignore[import-untyped]

from .lexical import SentenceLexicon

RESOLUTION_BLOCKS = ("mean_agent", "mean_customer", "mean_last3", "last_customer", "last_agent")

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_MAX_WORDS = 40  # unpunctuated transcripts: cut into chunks so evidence stays readable


def split_sentences(text: str) -> list[str]:
    """Split a turn into sentences; long unpunctuated ASR runs become ~40-word chunks."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text):
        part = part.strip()
        if not part:
            continue
        words = part.split()
        for start in range(0, len(words), _MAX_WORDS):
            out.append(" ".join(words[start:start + _MAX_WORDS]))
    return out


def empathy_k(n_agent_turns: int) -> int:
    """How many of the warmest agent turns make up the conversation's empathy score."""
    return max(1, math.ceil(n_agent_turns / 3))


def aggregate_empathy(turn_probabilities: Sequence[float]) -> float:
    """Conversation empathy 0-100: mean of the top-k agent-turn probabilities."""
    if len(turn_probabilities) == 0:
        return 0.0
    k = empathy_k(len(turn_probabilities))
    top = sorted(turn_probabilities, reverse=True)[:k]
    return 100.0 * float(np.mean(top))


def resolution_shares(speakers: Sequence[str]) -> np.ndarray:
    """(n_turns, n_blocks) matrix M with pooled block j = sum_i M[i, j] * turn_vector_i."""
    n = len(speakers)
    m = np.zeros((n, len(RESOLUTION_BLOCKS)), dtype=np.float64)
    agent = [i for i, s in enumerate(speakers) if s == "agent"]
    customer = [i for i, s in enumerate(speakers) if s == "customer"]
    for i in agent:
        m[i, 0] = 1.0 / len(agent)
    for i in customer:
        m[i, 1] = 1.0 / len(customer)
    last3 = list(range(max(0, n - 3), n))
    for i in last3:
        m[i, 2] = 1.0 / len(last3)
    if customer:
        m[customer[-1], 3] = 1.0
    if agent:
        m[agent[-1], 4] = 1.0
    return m


def pool_resolution(turn_vectors: np.ndarray, speakers: Sequence[str]) -> np.ndarray:
    """The resolution feature vector of one conversation (n_blocks * dim)."""
    shares = resolution_shares(speakers)
    return (shares.T @ turn_vectors).reshape(-1)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class CalibratedLinearClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression whose logit is Platt-calibrated on grouped out-of-fold scores.

    Parameters are only stored in ``__init__``; ``fit`` learns ``coef_`` (n_features,),
    ``intercept_`` (float), ``classes_``, ``platt_`` (slope, offset), ``feature_mean_`` (the mean
    training row, the reference of centred evidence) and ``oof_proba_`` (the calibrated
    out-of-fold probabilities, for metrics).
    """

    def __init__(self, C: float = 1.0, cv: int = 5, class_weight: str | None = "balanced",
                 max_iter: int = 5000, random_state: int = 0) -> None:
        self.C = C
        self.cv = cv
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def _base(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight=self.class_weight,
                                  max_iter=self.max_iter, random_state=self.random_state)

    def _folds(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray | None) -> list:
        if groups is not None and len(set(groups.tolist())) >= self.cv:
            return list(GroupKFold(n_splits=self.cv).split(X, y, groups))
        skf = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.random_state)
        return list(skf.split(X, y))

    def fit(self, X: np.ndarray, y: np.ndarray,
            groups: np.ndarray | None = None) -> CalibratedLinearClassifier:
        return self._fit_matrix(np.asarray(X, dtype=np.float64), y, groups)

    def _fit_matrix(self, X: Any, y: np.ndarray,
                    groups: np.ndarray | None) -> CalibratedLinearClassifier:
        """Out-of-fold Platt calibration, then the full fit, on X as given (dense float64, or
        sparse for a head with a lexicon: turn_features.LexicalResolutionClassifier)."""
        y = np.asarray(y).astype(int)
        self.classes_ = np.array([0, 1])
        if set(np.unique(y).tolist()) != {0, 1}:
            raise ValueError("both classes 0 and 1 are needed to fit")
        groups_arr = None if groups is None else np.asarray(groups)
        oof = np.zeros(len(y))
        # the folds depend only on the number of rows, y and the groups, not on X's values
        for train_idx, test_idx in self._folds(np.zeros((len(y), 1)), y, groups_arr):
            base = self._base().fit(X[train_idx], y[train_idx])
            oof[test_idx] = base.decision_function(X[test_idx])
        platt = LogisticRegression(C=1e6, max_iter=self.max_iter).fit(oof.reshape(-1, 1), y)
        slope, offset = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        full = self._base().fit(X, y)
        self.platt_ = (slope, offset)
        self.coef_ = slope * full.coef_[0]
        self.intercept_ = float(slope * full.intercept_[0] + offset)
        self.oof_proba_ = _sigmoid(slope * oof + offset)
        self.n_features_in_ = X.shape[1]
        # the reference for centred evidence (a sparse mean is a 1 x n matrix)
        self.feature_mean_ = np.asarray(X.mean(axis=0)).reshape(-1)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Calibrated logit of class 1 (X dense, or sparse for a head with a lexicon)."""
        check_is_fitted(self, "coef_")
        return np.asarray(_matrix(X) @ self.coef_ + self.intercept_).reshape(-1)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = _sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


def _matrix(X: Any) -> Any:
    """Sparse matrices as they are (CSR), anything else as a float64 array."""
    return X.tocsr() if sparse.issparse(X) else np.asarray(X, dtype=np.float64)


def _stack(a: Any, b: Any) -> Any:
    if sparse.issparse(a) or sparse.issparse(b):
        return sparse.vstack([a, b], format="csr")
    return np.vstack([a, b])


def bag_max(scores: np.ndarray, bags: np.ndarray, n_bags: int) -> tuple[np.ndarray, np.ndarray]:
    """Per bag, the max of its instances' scores and the index of that instance (-1: empty)."""
    best = np.full(n_bags, -np.inf)
    arg = np.full(n_bags, -1, dtype=int)
    for i, (b, v) in enumerate(zip(bags, scores, strict=True)):
        if v > best[b]:
            best[b], arg[b] = v, i
    return best, arg


class MaxPooledLinearClassifier(CalibratedLinearClassifier):
    """A linear sentence scorer whose bag (turn) logit is the max over the bag's sentences.

    Trained by multiple-instance learning from bag labels only: every sentence of a negative
    turn is a negative; a positive turn needs at least one positive sentence, so after a first
    fit on all its sentences only its top-scoring sentence stays positive (``mil_rounds``
    refits). Platt scaling is fitted on grouped out-of-fold bag maxima; because the slope is
    positive it commutes with the max, so ``coef_``/``intercept_`` give calibrated sentence
    logits and a turn's calibrated logit is exactly the max of them (one sentence = the
    evidence).
    """

    def __init__(self, C: float = 1.0, cv: int = 5, class_weight: str | None = "balanced",
                 max_iter: int = 5000, random_state: int = 0, mil_rounds: int = 2) -> None:
        super().__init__(C=C, cv=cv, class_weight=class_weight, max_iter=max_iter,
                         random_state=random_state)
        self.mil_rounds = mil_rounds

    def _fit_mil(self, X: Any, bags: np.ndarray, y_bag: np.ndarray,
                 X_neg: Any | None) -> LogisticRegression:
        n_bags = len(y_bag)
        y_inst = y_bag[bags]
        neg = np.zeros((0, X.shape[1])) if X_neg is None else X_neg
        y_neg = np.zeros(neg.shape[0], dtype=int)
        base = self._base().fit(_stack(X, neg), np.concatenate([y_inst, y_neg]))
        for _ in range(self.mil_rounds):
            _, arg = bag_max(base.decision_function(X), bags, n_bags)
            keep = y_inst == 0
            chosen = arg[(y_bag == 1) & (arg >= 0)]
            keep[chosen] = True
            base = self._base().fit(_stack(X[keep], neg),
                                    np.concatenate([y_inst[keep], y_neg]))
        return base

    def fit(self, X: Any, y: np.ndarray, groups: np.ndarray | None = None,
            bags: np.ndarray | None = None, X_neg: Any | None = None
            ) -> MaxPooledLinearClassifier:
        """X: (n_sentences, dim); y: one 0/1 label per bag; bags: bag index of each sentence;
        groups: one group per bag (for the calibration folds); X_neg: extra negative sentences
        used for fitting the weights only (not for calibration or out-of-fold scores)."""
        X = _matrix(X)
        y = np.asarray(y).astype(int)
        bags_arr = np.arange(X.shape[0]) if bags is None else np.asarray(bags, dtype=int)
        self.classes_ = np.array([0, 1])
        if set(np.unique(y).tolist()) != {0, 1}:
            raise ValueError("both classes 0 and 1 are needed to fit")
        groups_arr = None if groups is None else np.asarray(groups)
        n_bags = len(y)
        oof = np.zeros(n_bags)
        for train_bags, test_bags in self._folds(np.zeros((n_bags, 1)), y, groups_arr):
            in_train = np.zeros(n_bags, dtype=bool)
            in_train[train_bags] = True
            sel = in_train[bags_arr]
            remap = np.full(n_bags, -1)
            remap[train_bags] = np.arange(len(train_bags))
            base = self._fit_mil(X[sel], remap[bags_arr[sel]], y[train_bags], X_neg)
            scores, _ = bag_max(base.decision_function(X), bags_arr, n_bags)
            oof[test_bags] = scores[test_bags]
        oof = np.where(np.isfinite(oof), oof, np.min(oof[np.isfinite(oof)], initial=0.0))
        platt = LogisticRegression(C=1e6, max_iter=self.max_iter).fit(oof.reshape(-1, 1), y)
        slope, offset = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        if slope <= 0:
            raise ValueError("calibration slope is not positive: the head learned nothing")
        full = self._fit_mil(X, bags_arr, y, X_neg)
        self.platt_ = (slope, offset)
        self.coef_ = slope * full.coef_[0]
        self.intercept_ = float(slope * full.intercept_[0] + offset)
        self.oof_proba_ = _sigmoid(slope * oof + offset)
        self.n_features_in_ = X.shape[1]
        return self

    def bag_decision_function(self, X: Any, bags: np.ndarray, n_bags: int) -> np.ndarray:
        """Calibrated logit of each bag: the max of its sentences' logits."""
        scores, _ = bag_max(self.decision_function(X), np.asarray(bags, dtype=int), n_bags)
        return scores


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width bins: sum over bins of |accuracy - confidence| x bin share."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            ece += abs(y[sel].mean() - p[sel].mean()) * sel.mean()
    return float(ece)


def fit_empathy_head(m: dict[str, Any], *, C: float, cv: int = 5, seed: int = 0,
                     customer_negatives: bool = True, lexical_features: int = 0,
                     cues: bool = False) -> MaxPooledLinearClassifier:
    """The default empathy head from `design_matrices` output: max over agent-sentence bags,
    customer sentences as extra negatives, and with `lexical_features` > 0 a TF-IDF lexicon of
    that many word/bigram features fitted on the same sentences (`lexical.py`), with `cues` its
    two acknowledgement cues (stock / situated, `lexical.acknowledgement_cues`)."""
    X, X_neg = m["emp_sentence_x"], m["customer_sentence_x"] if customer_negatives else None
    lexicon = None
    if lexical_features > 0:
        texts = list(m["emp_sentence_text"])
        negative_texts = list(m["customer_sentence_text"]) if customer_negatives else []
        lexicon = SentenceLexicon(max_features=lexical_features, cues=cues).fit(
            texts + negative_texts)
        X = lexicon.features(X, texts)
        if X_neg is not None:
            X_neg = lexicon.features(X_neg, negative_texts)
    head = MaxPooledLinearClassifier(C=C, cv=cv, random_state=seed)
    head.fit(X, m["emp_y"], groups=m["emp_groups"], bags=m["emp_bags"],
             X_neg=X_neg if X_neg is not None and X_neg.shape[0] else None)
    if lexicon is not None:
        head.lexicon_ = lexicon
    return head
