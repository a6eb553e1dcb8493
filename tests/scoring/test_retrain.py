"""Retraining from reviewer labels fits the same kind of empathy head as `scoring.train`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scoring import AutoQAModel, Turn
from scoring.classifiers import MaxPooledLinearClassifier
from scoring.lexical import sentence_features
from scoring.model import encode_conversations
from scoring.retrain import (
    EmbeddingCache,
    LabelledConversation,
    RetrainResult,
    _labelled_bags,
    _reviewer_rows,
    retrain_from_reviews,
)
from scoring.train import DEFAULT_C_EMPATHY, load_corpus

ROOT = Path(__file__).resolve().parents[2]

# Written for this test, not taken from the training corpus.
OPENERS = [
    "My internet keeps dropping every evening.",
    "The app logs me out whenever I open settings.",
    "My bill is higher than last month for no reason.",
    "I can't reset my password, the email never comes.",
]
WARM = [
    "I'm so sorry, that sounds really stressful for you.",
    "Oh no, that must have been upsetting, I completely understand.",
    "I'm really sorry you've had such a rough week with this.",
]
CURT = ["Account number.", "That's not our problem.", "Read the FAQ."]
PROBE = [
    Turn("customer", "I was charged twice and I'm furious about it."),
    Turn("agent", "I've checked the account. The second charge is a duplicate. "
                  "I'm so sorry, that must have been a horrible shock. It is refunded now."),
    Turn("customer", "Okay, thanks."),
    Turn("agent", "Reference RF-2291. Anything else?"),
]


def labelled(n: int) -> list[LabelledConversation]:
    out = []
    for k in range(n):
        warm = k % 2
        turns = [Turn("customer", OPENERS[(k // 2) % len(OPENERS)]),
                 Turn("agent", (WARM if warm else CURT)[(k // 8) % 3]),
                 Turn("agent", "I've fixed it now. Is there anything else?")]
        out.append(LabelledConversation(k + 700, turns, {"empathy": float(warm)}))
    return out


@pytest.fixture(scope="module")
def result(model: AutoQAModel, tmp_path_factory: pytest.TempPathFactory) -> RetrainResult:
    corpus_file = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    lines = (ROOT / "data" / "autoqa" / "conversations.jsonl").read_text().splitlines()[:8]
    corpus_file.write_text("\n".join(lines) + "\n")
    return retrain_from_reviews(model, load_corpus(corpus_file), labelled(40), min_labels=30)


def test_labelled_bags_drop_unlabelled_turns_and_renumber() -> None:
    """Bags labelled -1 lose their sentences; the kept bags are renumbered 0..n-1 in order."""
    m = {"emp_sentence_x": np.arange(12.0).reshape(6, 2), "emp_bags": np.array([0, 0, 1, 2, 2, 3]),
         "emp_y": np.array([1, -1, 0, -1]), "emp_groups": np.array(["a", "a", "b", "b"]),
         "customer_sentence_x": np.ones((1, 2)),
         "emp_sentence_text": np.array(list("abcdef"), dtype=object)}
    out = _labelled_bags(m)
    np.testing.assert_array_equal(out["emp_sentence_x"], m["emp_sentence_x"][[0, 1, 3, 4]])
    assert list(out["emp_sentence_text"]) == ["a", "b", "d", "e"]  # texts follow their rows
    np.testing.assert_array_equal(out["emp_bags"], [0, 0, 1, 1])
    np.testing.assert_array_equal(out["emp_y"], [1, 0])
    np.testing.assert_array_equal(out["emp_groups"], ["a", "b"])
    assert out["customer_sentence_x"] is m["customer_sentence_x"]


@pytest.mark.slow
def test_reviewer_rows_label_the_turns_the_score_is_made_of(model: AutoQAModel) -> None:
    """A negative conversation makes every agent turn negative; a positive one its top-k agent
    turns by the active head (the others left out, -1); no label leaves all out."""
    turns = [Turn("customer", "It broke again."), Turn("agent", "Account number."),
             Turn("agent", "I'm so sorry, that must be really frustrating."),
             Turn("agent", "Done.")]
    items = [LabelledConversation(1, turns, {"empathy": 0.0}),
             LabelledConversation(2, turns, {"empathy": 1.0, "resolution": 0.75}),
             LabelledConversation(3, turns, {"resolution": 0.0})]
    encoded = encode_conversations(model.encoder, [it.turns for it in items])
    rows = _reviewer_rows(encoded, items, model.empathy_head)
    assert [r["agent_empathy"] for r in rows] == [[0, 0, 0], [-1, 1, -1], [-1, -1, -1]]
    assert [r["resolved"] for r in rows] == [-1, 1, 0]
    assert [r["domain"] for r in rows] == ["review:1", "review:2", "review:3"]


@pytest.mark.slow
def test_retrained_empathy_head_is_max_pooled_like_train(result: RetrainResult) -> None:
    """The reviewer-retrained empathy head is the kind scoring.train ships (max over sentence
    bags, train's C) and the sidecar says so; resolution is carried over."""
    head = result.model.empathy_head
    assert result.retrained == ["empathy"] and result.carried == ["resolution"]
    assert type(head) is MaxPooledLinearClassifier
    assert head.C == DEFAULT_C_EMPATHY and head.platt_[0] > 0
    params = result.metadata["params"]
    assert params["empathy_pooling"] == "max_sentence" and params["C_empathy"] == DEFAULT_C_EMPATHY
    assert params["empathy_customer_negatives"] is True


@pytest.mark.slow
def test_retrained_turn_logit_is_max_of_sentences_with_exact_evidence(
        result: RetrainResult) -> None:
    """Each agent turn's logit is the max of its sentences' logits; its one evidence sentence
    carries the whole logit, so contributions (+ an intercept of 0) equal it exactly."""
    model = result.model
    head = model.empathy_head
    assert isinstance(head, MaxPooledLinearClassifier)
    (ec,) = encode_conversations(EmbeddingCache(model.encoder).as_encoder(), [PROBE])
    assert head.lexicon_ is not None  # embeddings plus sentence TF-IDF, as scoring.train fits
    sentence_logits = head.decision_function(
        sentence_features(head, ec.embeddings, [s.text for s in ec.sentences]))
    parts = model.explain(PROBE)
    turns = np.array([s.turn for s in parts["sentences"]])
    assert set(parts["empathy_turn_logits"]) == {1, 3}
    for turn, logit in parts["empathy_turn_logits"].items():
        assert logit == pytest.approx(sentence_logits[turns == turn].max(), abs=1e-9)
        contributions = parts["empathy_contributions"][turns == turn]
        assert np.count_nonzero(contributions) == 1
        assert contributions.sum() + parts["empathy_intercept"] == pytest.approx(logit, abs=1e-9)
    # the warm sentence inside the long procedural turn is that turn's evidence, and that turn
    # is warmer than the procedural one (the evidence weight is the turn logit itself)
    chosen = {s.turn: (s.text, c) for s, c in zip(parts["sentences"],
                                                   parts["empathy_contributions"], strict=True)
              if c != 0}
    assert "sorry" in chosen[1][0] and chosen[1][1] > chosen[3][1]
    (pred,) = model.predict([PROBE])
    assert max(pred.empathy_evidence, key=lambda e: e.weight).text == chosen[1][0]
