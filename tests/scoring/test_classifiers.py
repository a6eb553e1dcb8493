"""Tests for the heads: scikit-learn conventions, pooling and aggregation."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from scoring.classifiers import (
    RESOLUTION_BLOCKS,
    CalibratedLinearClassifier,
    aggregate_empathy,
    expected_calibration_error,
    pool_resolution,
    resolution_shares,
    split_sentences,
)


def _toy(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int)
    return X, y


def test_init_only_stores_params() -> None:
    """__init__ stores parameters unchanged and clone() round-trips them."""
    est = CalibratedLinearClassifier(C=0.3, cv=3)
    assert est.get_params()["C"] == 0.3
    assert clone(est).get_params() == est.get_params()
    assert not hasattr(est, "coef_")


def test_fit_returns_self_and_learns_attributes() -> None:
    """fit returns self and sets coef_, intercept_, classes_; probabilities sum to one."""
    X, y = _toy()
    est = CalibratedLinearClassifier(cv=3)
    assert est.fit(X, y) is est
    assert est.coef_.shape == (5,)
    assert list(est.classes_) == [0, 1]
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (est.predict(X) == y).mean() > 0.8


def test_unfitted_raises() -> None:
    """Predicting before fit raises NotFittedError."""
    with pytest.raises(NotFittedError):
        CalibratedLinearClassifier().predict_proba(np.zeros((1, 5)))


def test_grouped_folds_are_used() -> None:
    """With groups, fitting uses grouped folds and still learns a sensible model."""
    X, y = _toy(300)
    groups = np.arange(300) % 6
    est = CalibratedLinearClassifier(cv=3).fit(X, y, groups=groups)
    assert est.oof_proba_.shape == (300,)


def test_resolution_pooling_weights_the_end() -> None:
    """Pooled blocks are the speaker means, last-3 mean, last customer and last agent turn."""
    vectors = np.eye(4)
    speakers = ["customer", "agent", "customer", "agent"]
    pooled = pool_resolution(vectors, speakers).reshape(len(RESOLUTION_BLOCKS), 4)
    np.testing.assert_allclose(pooled[0], [0, 0.5, 0, 0.5])
    np.testing.assert_allclose(pooled[1], [0.5, 0, 0.5, 0])
    np.testing.assert_allclose(pooled[2], [0, 1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(pooled[3], [0, 0, 1, 0])
    np.testing.assert_allclose(pooled[4], [0, 0, 0, 1])
    assert resolution_shares(["customer"])[:, 4].sum() == 0


def test_empathy_aggregation_top_third() -> None:
    """Empathy is 100 x mean of the top ceil(n/3) agent-turn probabilities."""
    assert aggregate_empathy([]) == 0.0
    assert aggregate_empathy([0.2, 0.9, 0.1]) == pytest.approx(90.0)
    assert aggregate_empathy([0.2, 0.9, 0.1, 0.7]) == pytest.approx(80.0)


def test_split_sentences() -> None:
    """Punctuated turns split on sentence ends; unpunctuated runs split into chunks."""
    assert split_sentences("Hi there. I'm sorry! Is that ok?\nBye") == [
        "Hi there.", "I'm sorry!", "Is that ok?", "Bye"]
    assert len(split_sentences(" ".join(["word"] * 90))) == 3
    assert split_sentences("   ") == []


def test_ece() -> None:
    """ECE is zero for perfectly calibrated bins and large for confident wrong ones."""
    assert expected_calibration_error(np.array([0, 1]), np.array([0.0, 1.0])) == 0.0
    assert expected_calibration_error(np.array([0, 0]), np.array([0.95, 0.95])) > 0.9


def test_max_pooled_head_learns_from_turn_labels() -> None:
    """MIL from turn labels: a positive turn's one marker sentence carries the turn logit."""
    from scoring.classifiers import MaxPooledLinearClassifier

    rng = np.random.default_rng(0)
    n_bags, per_bag, dim = 120, 4, 8
    X = rng.normal(size=(n_bags * per_bag, dim))
    bags = np.repeat(np.arange(n_bags), per_bag)
    y = np.arange(n_bags) % 2
    marker = np.flatnonzero(y) * per_bag + 2  # one sentence per positive bag
    X[marker, 0] += 4.0
    head = MaxPooledLinearClassifier(C=1.0, cv=3).fit(X, y, bags=bags,
                                                      groups=np.arange(n_bags) % 6)
    assert head.coef_[0] > 0 and head.platt_[0] > 0
    logits = head.bag_decision_function(X, bags, n_bags)
    assert ((logits > 0).astype(int) == y).mean() > 0.9
    assert head.oof_proba_.shape == (n_bags,)


def test_empathy_head_with_a_lexicon_scores_embeddings_plus_tfidf_linearly() -> None:
    """fit_empathy_head with lexical features: one weight vector over [embedding, TF-IDF], so a
    sentence logit is exactly coef . features + intercept; warm wording is learned."""
    from scoring.classifiers import fit_empathy_head
    from scoring.lexical import sentence_features

    rng = np.random.default_rng(0)
    warm = ["oof that is rough", "so sorry, hugs", "ugh that is rough, sorry", "hugs, so sorry"]
    cold = ["send the order number", "the refund is done", "order number please", "refund sent"]
    texts = (warm + cold) * 6
    y = np.array(([1] * 4 + [0] * 4) * 6)
    m = {"emp_sentence_x": rng.normal(size=(len(texts), 8)) * 0.01,  # embeddings: noise only
         "emp_sentence_text": np.array(texts, dtype=object), "emp_y": y,
         "emp_bags": np.arange(len(texts)), "emp_groups": np.arange(len(texts)) % 4,
         "customer_sentence_x": rng.normal(size=(3, 8)) * 0.01,
         "customer_sentence_text": np.array(["my order is late", "where is it", "late again"],
                                            dtype=object)}
    head = fit_empathy_head(m, C=1.0, cv=2, lexical_features=50)
    assert head.lexicon_.n_features <= 50 and head.coef_.shape == (8 + head.lexicon_.n_features,)
    probe = ["ugh, so sorry", "order number please"]
    emb = np.zeros((2, 8))
    features = sentence_features(head, emb, probe)
    dense = features.toarray() @ head.coef_ + head.intercept_
    assert np.allclose(head.decision_function(features), dense)
    assert dense[0] > 0 > dense[1]
    # without a lexicon the head scores embeddings as they are
    assert sentence_features(object(), emb, probe) is emb
