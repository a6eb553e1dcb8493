"""Interface language: Flask-Babel's locale selector and the list of languages with a catalogue.

The user's own choice (a `locale` attribute on the signed-in user, when set) wins; otherwise the
browser's Accept-Language picks among the configured LANGUAGES; English is the fallback.
Catalogues live in qa/translations (`make i18n-extract`, `make i18n-update`, `make i18n-compile`).
"""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

__all__ = ["select_locale", "supported_languages"]


def supported_languages() -> tuple[str, ...]:
    return tuple(current_app.config.get("LANGUAGES", ("en",)))


def select_locale() -> str:
    languages = supported_languages()
    chosen = getattr(current_user, "locale", None) if current_user else None
    if chosen in languages:
        return str(chosen)
    return request.accept_languages.best_match(languages) or languages[0]
