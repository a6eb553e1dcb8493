"""Language codes and text language detection (py3langid, restricted set, confidence rule)."""

from __future__ import annotations

import pytest

from transcription.language import (
    ISO_639_1,
    LanguageCodeError,
    detect_language,
    normalise_code,
    whisper_language,
)


@pytest.mark.parametrize(
    ("value", "code"),
    [("fr", "fr"), ("FR", "fr"), (" en ", "en"), ("fr-CA", "fr"), ("pt_BR", "pt"), ("", None),
     (None, None)],
)  # fmt: skip
def test_normalise_code_accepts_iso_639_1(value, code):
    """ISO 639-1 codes in any case, with a region subtag or not, give the bare code; empty is None."""
    assert normalise_code(value) == code


@pytest.mark.parametrize("value", ["xx", "french", "fra", "f", "fr--", "12", 5, ["fr"]])
def test_normalise_code_refuses_other_values(value):
    """Unknown codes, names, ISO 639-2 codes and non-text values are refused with a reason."""
    with pytest.raises(LanguageCodeError, match="language must be"):
        normalise_code(value)


def test_iso_639_1_is_the_whole_list():
    """The code list holds every ISO 639-1 code (184) and nothing else."""
    assert len(ISO_639_1) == 184
    assert {"en", "fr", "de", "zh", "bh"} <= ISO_639_1
    assert all(len(code) == 2 and code.islower() for code in ISO_639_1)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Thank you for your patience, I have refunded the second payment.", "en"),
        ("hey u there? need help w my acct asap", "en"),
        ("Bonjour, je vous remercie de votre patience. Je comprends tout à fait.", "fr"),
        ("bjr jai tjrs pas recu mon colis, vs pouvez verifier svp", "fr"),
        ("slt jai un pb avec ma cb", "fr"),
        ("merci beaucoup, bonne journée", "fr"),
    ],
)
def test_detects_english_and_french(text, language):
    """Whole sentences and chat abbreviations in English and French are told apart."""
    found = detect_language(text)
    assert found.language == language
    assert found.probability >= 0.9


@pytest.mark.parametrize(
    "text", ["ok", "Oui", "merci", "thx a lot", "ok merci bcp", "np ty", "order 12345", "", "?!"]
)
def test_short_texts_are_unknown(text):
    """Too few words or letters give "unknown" (None), never a guess."""
    assert detect_language(text).language is None


def test_ambiguous_text_is_unknown():
    """Abbreviations the model cannot place confidently are unknown, though a best guess exists."""
    found = detect_language("cc jvx annuler ma cmd stp")
    assert found.language is None
    assert found.best and found.probability < 0.9


def test_conversation_turns_are_detected_together():
    """Short turns that are each unknown are detected from the conversation as a whole."""
    turns = ["bjr", "Bonjour, en quoi puis-je vous aider ?", "ma commande", "Je regarde cela."]
    assert detect_language(turns[0]).language is None
    assert detect_language(turns).language == "fr"


def test_detection_is_restricted_to_the_given_languages():
    """With a restricted set, only those languages can be answered."""
    text = "Bonjour, je vous remercie de votre patience."
    assert detect_language(text, languages=("en", "de")).language in (None, "en", "de")
    assert detect_language(text, languages=("fr", "en")).language == "fr"


def test_whisper_language_needs_confidence():
    """Whisper's language is used when confident and a valid code; otherwise it is unknown."""
    assert whisper_language("fr", 0.8) == "fr"
    assert whisper_language("fr", 0.3) is None
    assert whisper_language(None, None) is None
    assert whisper_language("haw", 0.9) is None  # Whisper knows codes outside ISO 639-1
