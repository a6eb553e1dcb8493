"""Exact evidence for the linear heads: each sentence's signed share of a logit.

A turn vector is the mean of its sentence embeddings and the pooled feature vector is a linear
combination of turn vectors, so the pooled vector is sum_s c_s * e_s over sentences s. With a
linear head, logit = b + w . pooled = b + sum_s c_s * (w . e_s): the contribution of sentence s
is c_s * (w . e_s), and the contributions plus the intercept add up to the logit exactly.

Raw contributions are measured from the zero vector, so a perfectly ordinary sentence can carry a
large weight of either sign. `centred_contributions` measures them from the training mean of each
pooled block instead (still exact, with a baseline of b + w . mean per conversation): a sentence
pushes the score up only when it looks more like the positive class than an average
conversation's text at that position does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .schema import Evidence


@dataclass(frozen=True)
class SentenceRef:
    turn: int
    speaker: str
    text: str


def sentence_contributions(weights: np.ndarray, shares: np.ndarray,
                           embeddings: np.ndarray) -> np.ndarray:
    """Contribution of each sentence to the logit.

    weights: (n_blocks, dim) head weights reshaped per pooled block;
    shares: (n_sentences, n_blocks) coefficient of each sentence in each block;
    embeddings: (n_sentences, dim).
    """
    projections = embeddings.astype(np.float64) @ weights.T  # (n_sentences, n_blocks)
    return np.asarray((projections * shares).sum(axis=1))


def centred_contributions(weights: np.ndarray, shares: np.ndarray, embeddings: np.ndarray,
                          block_means: np.ndarray | None) -> tuple[np.ndarray, float]:
    """Contributions relative to the training mean of each pooled block, and the baseline offset.

    block_means: (n_blocks, dim) mean pooled feature of the training conversations (None: not
    centred, offset 0). Block j's mean is shared out over that block's sentences in proportion
    to their coefficients; blocks with no sentence in this conversation (pooled value 0) keep
    their raw term. So intercept + offset + sum(contributions) == logit, exactly.
    """
    raw = sentence_contributions(weights, shares, embeddings)
    if block_means is None or not len(shares):
        return raw, 0.0
    totals = shares.sum(axis=0)  # (n_blocks,)
    present = totals > 0
    expected = np.einsum("jd,jd->j", weights, block_means)  # w_j . mean_j
    portion = np.where(present, shares / np.where(present, totals, 1.0), 0.0)
    return raw - portion @ expected, float(expected[present].sum())


def top_evidence(refs: Sequence[SentenceRef], contributions: np.ndarray, *, n_up: int = 3,
                 n_down: int = 2) -> tuple[Evidence, ...]:
    """The sentences pushing the score up most (first) and down most (after), with weights."""
    order = np.argsort(-contributions, kind="stable")
    up = [int(i) for i in order[:n_up] if contributions[i] > 0]
    down = [int(i) for i in order[::-1][:n_down] if contributions[i] < 0 and int(i) not in up]
    return tuple(
        Evidence(turn=refs[i].turn, speaker=refs[i].speaker, text=refs[i].text,
                 weight=float(contributions[i]))
        for i in up + down
    )
