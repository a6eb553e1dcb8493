"""Numbers and dates in the reader's locale (Flask-Babel), for templates, flashes and
notifications.

English keeps the forms the pages have always shown (2026-12-03, 2026-12-03 14:05, 97.5), which
reviewers and exports rely on; every other language gets its CLDR forms: "3 déc. 2026",
"3 déc. 2026 14:05", "97,5". This module imports nothing from the app, so services use it too.
"""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_percent as babel_format_percent
from flask_babel import format_date, format_decimal, format_time, get_locale

__all__ = ["format_day", "format_day_month", "format_moment", "format_number", "format_percent",
           "format_score_percent", "is_english"]


def is_english() -> bool:
    """Whether the current locale is English (outside a request: the default, English)."""
    locale = get_locale()
    return locale is None or locale.language == "en"


def format_number(value: float | int | None, digits: int = 0, sign: bool = False) -> str:
    """A number with a fixed count of decimals: "97.5" in English, "97,5" in French; sign=True
    writes "+" on positive values (score changes)."""
    if value is None:
        return "–"
    if is_english():
        return f"{value:{'+' if sign else ''}.{digits}f}"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if sign:
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(value, format=pattern)


def format_percent(value: float | int | None, digits: int = 0) -> str:
    """A share (0.625 = 62.5 %) in the locale's percent form with `digits` decimals (Babel,
    CLDR): "62.5%" in English, "62,5\u00a0%" in French (comma decimal, a non-breaking space
    before the sign); none as "–"."""
    if value is None:
        return "–"
    locale = get_locale() or Locale("en")
    pattern = locale.percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    # the sign keeps a plain non-breaking space (U+00A0, the French typography rule) whatever
    # space the CLDR version writes there
    return babel_format_percent(value, format=pattern, locale=locale).replace("\u202f", "\u00a0")


def format_score_percent(value: float | None) -> str:
    """A 0-100 AutoQA probability as a percent in the locale's form, never rounded up to a
    certainty it is not (templating.score_label): 99.6 as ">99%" / ">99\u00a0%", 0.3 as "<1%"."""
    if value is None:
        return "–"
    if 99 < value < 100:
        return ">" + format_percent(0.99)
    if 0 < value < 1:
        return "<" + format_percent(0.01)
    return format_percent(round(float(value)) / 100)


def format_day(value: date | datetime | None, english: str = "%Y-%m-%d") -> str:
    """A day: `english` (a strftime pattern) in English, the locale's medium date otherwise."""
    if value is None:
        return "–"
    return value.strftime(english) if is_english() else format_date(value, "medium")


def format_moment(value: datetime | None, seconds: bool = False,
                  english: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC moment (pages say UTC next to it): `english` in English, else the locale's medium
    date and a 24-hour time."""
    if value is None:
        return "–"
    if is_english():
        return value.strftime(english + (":%S" if seconds else ""))
    clock = format_time(value, "HH:mm:ss" if seconds else "HH:mm")
    return f"{format_date(value, 'medium')} {clock}"


def format_day_month(value: date | datetime) -> str:
    """A day of the year without the year: "03 Dec" in English, "3 déc." in French."""
    if is_english():
        return value.strftime("%d %b")
    return format_skeleton("MMMd", value, locale=get_locale())
