"""Issue 20: the resolution head's outcome features (scoring/outcome.py) and the empathy head's
acknowledgement cues (scoring/lexical.py) keep evidence exact and read what they claim to read."""

from __future__ import annotations

import numpy as np
import pytest

from scoring import Turn
from scoring.classifiers import CalibratedLinearClassifier
from scoring.lexical import acknowledgement_cues
from scoring.model import EncodedConversation, head_features, pooled_contributions
from scoring.outcome import POSITION_FEATURES, OutcomeFeatures

RESOLVED = [Turn("customer", "I was charged twice for my order."),
            Turn("agent", "Sorry about that. I've refunded the duplicate charge."),
            Turn("customer", "Yes, I can see it back in my account. Thanks!")]
UNRESOLVED = [Turn("customer", "My parcel never arrived."),
              Turn("agent", "I've raised a ticket. The depot will call you back."),
              Turn("customer", "It's been two weeks already. Still nothing.")]


def _encoded(turns: list[Turn], dim: int = 8, seed: int = 0) -> EncodedConversation:
    """An EncodedConversation with random unit sentence vectors (no encoder needed)."""
    from scoring.classifiers import split_sentences
    from scoring.evidence import SentenceRef

    rng = np.random.default_rng(seed)
    ec = EncodedConversation(turns=list(turns))
    for i, t in enumerate(turns):
        for s in split_sentences(t.text):
            ec.sentences.append(SentenceRef(i, t.speaker, s))
    ec.sentence_turn = np.array([s.turn for s in ec.sentences], dtype=int)
    emb = rng.normal(size=(len(ec.sentences), dim))
    ec.embeddings = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    sums = np.zeros((len(turns), dim))
    np.add.at(sums, ec.sentence_turn, ec.embeddings)
    norms = np.linalg.norm(sums, axis=1)
    ec.weights = 1.0 / norms[ec.sentence_turn]
    ec.turn_vectors = sums / norms[:, None]
    return ec


def test_outcome_head_evidence_sums_to_the_logit_and_reads_the_last_turns() -> None:
    """A resolution head with outcome features: sentence contributions plus the baseline equal
    the logit (1e-9), and only sentences of the last customer / last agent turn carry word
    weights; the position features say the customer spoke last."""
    convs = [_encoded(RESOLVED if k % 2 else UNRESOLVED, seed=k) for k in range(40)]
    y = np.array([k % 2 for k in range(40)])
    head = CalibratedLinearClassifier(C=1.0, cv=2)
    head.outcome_ = OutcomeFeatures(max_features=200).fit(convs)
    X = np.vstack([head_features(head, ec) for ec in convs])
    head.fit(X, y)
    for ec in convs[:4]:
        contributions, baseline = pooled_contributions(head, ec)
        logit = head.decision_function(head_features(head, ec)[None, :])[0]
        assert contributions.sum() + baseline == pytest.approx(logit, abs=1e-9)
    ec = convs[1]
    rows, present = head.outcome_.sentence_rows(ec)
    assert present.all() and not rows[ec.sentence_turn == 0].any()  # first turn: no words
    assert rows[ec.sentence_turn == 2].any()
    position = dict(zip(POSITION_FEATURES, head.outcome_.position(ec), strict=True))
    assert position["customer_spoke_last"] == 1.0
    assert "thanks" in head.outcome_.vectorizer_.vocabulary_


def test_acknowledgement_cues_tell_a_stock_apology_from_a_situated_one() -> None:
    """'I'm sorry to hear that!' and 'Sorry for the inconvenience.' are stock; an apology that
    names the person's situation is situated; a sentence without sympathy words is neither."""
    cues = acknowledgement_cues([
        "I'm sorry to hear that! 😊", "Sorry for the inconvenience.",
        "I'm so sorry, a cancelled flight on your daughter's wedding day is awful.",
        "Please speak to reception."])
    np.testing.assert_array_equal(cues, [[1, 0], [1, 0], [0, 1], [0, 0]])
