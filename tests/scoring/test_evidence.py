"""Centred evidence: exact, and an average sentence carries nothing."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.evidence import centred_contributions, sentence_contributions


def test_centred_contributions_are_exact_and_measured_from_the_mean() -> None:
    """Centred contributions plus offset give the raw logit; a sentence at its block mean adds 0."""
    rng = np.random.default_rng(0)
    n_blocks, dim = 3, 8
    weights = rng.normal(size=(n_blocks, dim))
    means = rng.normal(size=(n_blocks, dim))
    emb = rng.normal(size=(4, dim))
    # sentences 0-1 share block 0, sentence 2 alone in block 1, sentence 3 in block 0 and 1;
    # block 2 is empty in this conversation (its pooled value is 0)
    shares = np.array([[0.4, 0.0, 0.0], [0.4, 0.0, 0.0], [0.0, 1.0, 0.0], [0.2, 0.5, 0.0]])
    pooled = shares.T @ emb  # (n_blocks, dim)
    raw_logit = float(np.einsum("jd,jd->", weights, pooled))
    centred, offset = centred_contributions(weights, shares, emb, means)
    assert centred.sum() + offset == pytest.approx(raw_logit, abs=1e-9)
    # the empty block keeps its raw (zero) term: its mean is not in the offset
    assert offset == pytest.approx(float(np.einsum("jd,jd->", weights[:2], means[:2])))
    # a sentence identical to its block's mean, alone in the block, contributes nothing
    emb2 = emb.copy()
    emb2[2] = means[1]
    only = np.array([[0.0, 1.0, 0.0]])
    c, _ = centred_contributions(weights, only, emb2[2:3], means)
    assert c[0] == pytest.approx(0.0, abs=1e-12)
    # without a mean (older artifacts) nothing changes
    c, off = centred_contributions(weights, shares, emb, None)
    assert off == 0.0 and np.allclose(c, sentence_contributions(weights, shares, emb))
