"""Interface language: Flask-Babel's locale selector and the list of languages with a catalogue.

The user's own choice (a `locale` attribute on the signed-in user, when set) wins; otherwise the
browser's Accept-Language picks among the configured LANGUAGES; English is the fallback.
Catalogues live in qa/translations (`make i18n-extract`, `make i18n-update`, `make i18n-compile`).
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_decimal, get_locale, lazy_gettext
from flask_login import current_user

from .formats import (
    format_day,
    format_day_month,
    format_moment,
    format_number,
    format_percent,
    format_score_percent,
    is_english,
)
from .languages import language_name
from .templating import review_score_text

__all__ = ["ENUM_LABELS", "N_", "enum_label", "format_day", "format_moment", "format_review_score", "format_number", "init_app", "select_locale", "supported_languages"]


def N_(message: str) -> str:
    """Marks a string for the catalogue (pybabel's N_ keyword) where it is defined; the code
    that shows it translates it then, with gettext, in the reader's locale."""
    return message


def supported_languages() -> tuple[str, ...]:
    return tuple(current_app.config.get("LANGUAGES", ("en",)))


def select_locale() -> str:
    languages = supported_languages()
    if not has_request_context():  # a job, the CLI: no reader, the default language
        return languages[0]
    chosen = getattr(current_user, "locale", None) if current_user else None
    if chosen in languages:
        return str(chosen)
    return request.accept_languages.best_match(languages) or languages[0]


def format_review_score(value: float | None) -> str:
    """A review score (see templating.review_score_text) with the locale's decimal sign:
    "72.5" / "72,5", 82.0 as "82", none as "–"."""
    text = review_score_text(value)
    if text == "–" or is_english():
        return text
    return format_decimal(float(text), format="0.#")


# The words the pages show for stored enum values (roles, channels, statuses), translated; in
# English they read as the stored value itself. A value missing here is shown as it is stored.
ENUM_LABELS = {
    "admin": lazy_gettext("admin"), "lead": lazy_gettext("lead"),
    "reviewer": lazy_gettext("reviewer"), "agent": lazy_gettext("agent"),
    "call": lazy_gettext("call"), "chat": lazy_gettext("chat"), "email": lazy_gettext("email"),
    "social": lazy_gettext("social"), "pending": lazy_gettext("pending"),
    "transcribing": lazy_gettext("transcribing"), "transcribed": lazy_gettext("transcribed"),
    "scored": lazy_gettext("scored"), "failed": lazy_gettext("failed"),
    "draft": lazy_gettext("draft"), "submitted": lazy_gettext("submitted"),
    "disputed": lazy_gettext("disputed"), "calibration": lazy_gettext("calibration"),
    "assigned": lazy_gettext("assigned"), "done": lazy_gettext("done"),
    "replaced": lazy_gettext("replaced"), "open": lazy_gettext("open"),
    "upheld": lazy_gettext("upheld"), "changed": lazy_gettext("changed"),
    "adjusted": lazy_gettext("adjusted"), "answered": lazy_gettext("answered"),
    "accepted": lazy_gettext("accepted"), "escalated": lazy_gettext("escalated"),
    "solved": lazy_gettext("solved"), "bounced_back": lazy_gettext("bounced back"),
    "unnecessary": lazy_gettext("unnecessary"),
    "closed": lazy_gettext("closed"), "completed": lazy_gettext("completed"),
    "planned": lazy_gettext("planned"), "cancelled": lazy_gettext("cancelled"),
    "acknowledged": lazy_gettext("acknowledged"), "customer": lazy_gettext("customer"),
}


def enum_label(value: object) -> str:
    """The translated word for a stored enum value ("submitted" -> "soumise")."""
    key = str(getattr(value, "value", value))
    return str(ENUM_LABELS.get(key, key))


def init_app(app: Flask) -> None:
    """Template filters that format numbers and dates for the page's locale, and
    `current_locale` (the <html lang> of every page)."""
    app.jinja_env.filters.update(number=format_number, date=format_day, datetime=format_moment,
                                 day_month=format_day_month, review_score=format_review_score,
                                 label=enum_label, language=language_name,
                                 percent=format_percent, score_percent=format_score_percent)
    app.context_processor(lambda: {"current_locale": str(get_locale() or "en")})
