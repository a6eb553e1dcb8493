"""Portable SQL the tier figures need: a timestamp some days later (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class plus_days(FunctionElement[Any]):  # noqa: N801  (reads like the SQL function it renders)
    """`column` + `days` days: datetime arithmetic differs between the databases."""

    type = DateTime()
    inherit_cache = True
    name = "plus_days"


@compiles(plus_days)
def _plus_days_default(element: plus_days, compiler: Any, **kw: Any) -> str:
    column, days = list(element.clauses)
    return f"({compiler.process(column, **kw)} + {compiler.process(days, **kw)} * INTERVAL '1 day')"


@compiles(plus_days, "sqlite")
def _plus_days_sqlite(element: plus_days, compiler: Any, **kw: Any) -> str:
    # the stored text form (YYYY-MM-DD HH:MM:SS.fff) so that text comparison orders it right
    column, days = list(element.clauses)
    return (
        f"strftime('%Y-%m-%d %H:%M:%f', {compiler.process(column, **kw)}, "
        f"'+' || {compiler.process(days, **kw)} || ' days')"
    )


__all__ = ["plus_days"]
