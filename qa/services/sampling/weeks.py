"""ISO weeks as the sampler names them: 2026-W47, Monday 00:00 to the next Monday."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from flask_babel import gettext

from ...models import utcnow
from .rules import SamplingError

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(week: str) -> tuple[datetime, datetime]:
    """Start (Monday 00:00) and end of an ISO week like 2026-W47."""
    match = WEEK_RE.match((week or "").strip())
    if not match:
        raise SamplingError(gettext("week must look like 2026-W47, got %(week)s", week=repr(week)))
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise SamplingError(gettext("%(week)s is not a valid ISO week", week=week)) from None
    start = datetime.combine(monday, datetime.min.time())
    return start, start + timedelta(days=7)


def week_of(moment: datetime | date) -> str:
    """The ISO week a moment falls in, like 2026-W47."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def last_week(today: date | None = None) -> str:
    """The ISO week before today's (the one the weekly job draws)."""
    return week_of((today or utcnow().date()) - timedelta(days=7))


def week_number(week: str) -> int:
    """A valid week as the integer yyyyww, the form the hash salts take."""
    parse_week(week)
    return int(week[:4]) * 100 + int(week[-2:])
