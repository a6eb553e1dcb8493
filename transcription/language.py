"""The language of an interaction: ISO 639-1 codes, and detection from text with py3langid.

Framework-free. py3langid (BSD, a maintained port of langid.py) ships its naive-Bayes model
inside the wheel, so nothing downloads at run time; it loads in under a second, once per process.
Detection is restricted to the languages support teams using Coachline work in
(``DETECTABLE``), and answers None ("unknown") rather than guess: a text needs at least
``MIN_WORDS`` words and ``MIN_LETTERS`` letters, and the best language a probability of at least
``MIN_PROBABILITY`` among the restricted set. "ok merci", "thx" or "Oui" are unknown.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Every ISO 639-1 code (the 2002 list with its later additions; "bh" kept, it is still met).
_ISO_639_1_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu
"""
ISO_639_1 = frozenset(_ISO_639_1_CODES.split())

# Where language comes from, stored next to it on the interaction.
SOURCES = ("whisper", "import", "detected")

# The languages detection chooses among: restricting the set is what makes short support
# texts reliable (langid's 97 languages confuse "ok merci bcp" with Dutch).
DETECTABLE = ("en", "fr", "de", "es", "it", "pt", "nl")
MIN_PROBABILITY = 0.90
MIN_WORDS = 3
MIN_LETTERS = 12
MAX_CHARS = 5000  # the start of a long email thread says its language as well as all of it
# Whisper's own language probability below this is not trusted either.
MIN_WHISPER_PROBABILITY = 0.5

_WORD = re.compile(r"[^\W\d_]{2,}")
_LETTER = re.compile(r"[^\W\d_]")
_CODE = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]{2,8})*$")

_lock = threading.Lock()
_identifiers: dict[tuple[str, ...], Any] = {}


class LanguageCodeError(ValueError):
    """A value that is not an ISO 639-1 language code; the message says why."""


def normalise_code(value: object) -> str | None:
    """An ISO 639-1 code from user input: "FR", "fr-CA" and "fr_FR" give "fr"; "" gives None.

    Raises LanguageCodeError for anything else ("french", "fra", "xx", a number).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise LanguageCodeError(f"language must be text, got {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    match = _CODE.match(text)
    code = match.group(1).lower() if match else None
    if code not in ISO_639_1:
        shown = text if len(text) <= 20 else text[:17] + "..."
        raise LanguageCodeError(
            f"language must be an ISO 639-1 code such as en or fr, got {shown!r}"
        )
    return code


@dataclass(frozen=True)
class Detection:
    """What detection found: ``language`` None means unknown (too short or ambiguous)."""

    language: str | None
    probability: float
    best: str  # the most likely language, even when not confident enough to be used


def _identifier(languages: tuple[str, ...]) -> Any:
    with _lock:
        ident = _identifiers.get(languages)
        if ident is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            ident.set_languages(list(languages))
            _identifiers[languages] = ident
        return ident


def detect_language(
    text: str | Iterable[str],
    *,
    languages: Iterable[str] = DETECTABLE,
    min_probability: float = MIN_PROBABILITY,
) -> Detection:
    """The language of a text (or of several texts, e.g. a conversation's turns, taken together)."""
    joined = (text if isinstance(text, str) else "\n".join(text))[:MAX_CHARS]
    allowed = tuple(sorted(set(languages)))
    if len(_WORD.findall(joined)) < MIN_WORDS or len(_LETTER.findall(joined)) < MIN_LETTERS:
        return Detection(None, 0.0, "")
    best, probability = _identifier(allowed).classify(joined)
    probability = float(probability)
    return Detection(best if probability >= min_probability else None, probability, str(best))


def whisper_language(language: str | None, probability: float | None) -> str | None:
    """Whisper's detected language when it is a confident ISO 639-1 code, else None."""
    if not language or probability is None or probability < MIN_WHISPER_PROBABILITY:
        return None
    code = language.lower()
    return code if code in ISO_639_1 else None


__all__ = [
    "DETECTABLE",
    "ISO_639_1",
    "SOURCES",
    "Detection",
    "LanguageCodeError",
    "detect_language",
    "normalise_code",
    "whisper_language",
]
