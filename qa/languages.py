"""Content languages: the languages a team works in and a scorecard or training module is
written in, and their names in the reader's interface language.

These are the languages Coachline detects in interactions (transcription.language.DETECTABLE):
Whisper transcribes them all, and AutoQA scores those its active model was trained on. The
interface itself has catalogues for fewer (config LANGUAGES); a name is given by CLDR (Babel),
so a new content language needs no translation of its own: "French" / "français".
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale

from transcription.language import DETECTABLE

CONTENT_LANGUAGES: tuple[str, ...] = DETECTABLE
DEFAULT_LANGUAGE = "en"


def language_name(code: str | None, *, title: bool = False) -> str:
    """The language's name in the reader's locale ("French", "français"); `title` capitalises
    it for a list or a heading ("Français"). An unknown code is shown as it is."""
    if not code:
        return ""
    reader = get_locale() or Locale("en")
    try:
        name = reader.languages.get(code) or Locale.parse(code).get_display_name(reader) or code
    except (UnknownLocaleError, ValueError):
        name = code
    return name[:1].upper() + name[1:] if title else name


def language_choices() -> list[tuple[str, str]]:
    """(code, name) for a select of content languages, English first, then by name."""
    rest = sorted((c for c in CONTENT_LANGUAGES if c != DEFAULT_LANGUAGE), key=language_name)
    return [(c, language_name(c, title=True)) for c in (DEFAULT_LANGUAGE, *rest)]


def differs(content_language: str | None, team_language: str | None) -> bool:
    """Whether content in one language is used by a team that works in another."""
    return (content_language or DEFAULT_LANGUAGE) != (team_language or DEFAULT_LANGUAGE)


__all__ = ["CONTENT_LANGUAGES", "DEFAULT_LANGUAGE", "differs", "language_choices", "language_name"]
