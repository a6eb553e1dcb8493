"""Full-text search over article translations with the database's own engine (see
qa/kb/fulltext.py): SQLite FTS5 ranked by bm25, PostgreSQL tsvector ranked by ts_rank_cd, each
with a snippet of the body around the matches."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    desc,
    func,
    literal,
    literal_column,
    select,
    table,
    union_all,
)
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import User
from ..fulltext import LANGUAGES, pg_config
from ..models import KbArticle, KbTranslation
from .access import readable

START, STOP = "\ue000", "\ue001"  # private-use marks around a match, made <mark> after escaping
WORD = re.compile(r"\w+")
MAX_TERMS = 12


@dataclass(frozen=True)
class Hit:
    article: KbArticle
    language: str
    title: str
    snippet: Markup
    rank: float  # higher is better on both databases


def terms(query: str) -> list[str]:
    """The words of a search box's text (punctuation and operators dropped), at most 12."""
    return WORD.findall(query or "")[:MAX_TERMS]


def _highlight(snippet: str | None) -> Markup:
    text = str(escape((snippet or "").replace("\n", " ")))
    return Markup(text.replace(START, "<mark>").replace(STOP, "</mark>"))


def _sqlite(words: list[str]) -> Select:
    fts = table("kb_search")
    match = " ".join('"' + w.replace('"', "") + '"' for w in words)  # every word, as a phrase
    rank = func.bm25(literal_column("kb_search"), 10.0, 5.0, 1.0)  # title, keywords, body
    snippet = func.snippet(literal_column("kb_search"), 2, START, STOP, "…", 24)
    return (
        select(KbTranslation.id, (-rank).label("rank"), snippet.label("snippet"))
        .select_from(KbTranslation)
        .join(fts, literal_column("kb_search.rowid") == KbTranslation.id)
        .where(literal_column("kb_search").op("MATCH")(match))
    )


def _pg_query(words: list[str]) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """(the row's text-search configuration, the query in it), for a few rows."""
    cfg: ColumnElement[Any] = literal_column(pg_config("kb_translation.language"))
    return cfg, func.plainto_tsquery(cfg, " ".join(words))


def _postgres(words: list[str]) -> Select:
    # The query is parsed once per language (a derived table joined on the row's language),
    # not once per row: a configuration picked per row re-parsed it for every match.
    text = " ".join(words)
    queries = union_all(
        *(
            select(
                literal(code, String).label("language"),
                func.plainto_tsquery(literal_column(f"'{name}'::regconfig"), text).label("query"),
            )
            for code, name in LANGUAGES.items()
        )
    ).subquery("kb_query")
    vector: ColumnElement[Any] = literal_column("kb_translation.search_vector")
    return (
        select(KbTranslation.id, func.ts_rank_cd(vector, queries.c.query).label("rank"))
        .select_from(KbTranslation)
        .join(queries, queries.c.language == KbTranslation.language)
        .where(vector.op("@@")(queries.c.query))
    )


def _pg_headlines(words: list[str], ids: list[int]) -> dict[int, str]:
    """Snippets of the hits only: ts_headline re-parses each body, so it runs for the page of
    hits after the LIMIT, not for every match (docs/knowledge-base.md has the timings)."""
    cfg, query = _pg_query(words)
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=24, MinWords=8, MaxFragments=2"
    rows = db.session.execute(
        select(KbTranslation.id, func.ts_headline(cfg, KbTranslation.body, query, options)).where(
            KbTranslation.id.in_(ids)
        )
    ).tuples()
    return dict(list(rows))


def search(query: str, viewer: User, *, language: str | None = None, limit: int = 20) -> list[Hit]:
    """Translations matching every word of `query` among the articles `viewer` may read, best
    first; an empty query finds nothing."""
    words = terms(query)
    if not words:
        return []
    dialect = db.engine.dialect.name
    base = _postgres(words) if dialect == "postgresql" else _sqlite(words)
    condition: ColumnElement[bool] = readable(viewer)
    base = base.join(KbArticle, KbArticle.id == KbTranslation.article_id).where(condition)
    if language:
        base = base.where(KbTranslation.language == language)
    rows = db.session.execute(base.order_by(desc("rank"), KbTranslation.id).limit(limit)).all()
    ids = [r.id for r in rows]
    snippets = (
        _pg_headlines(words, ids) if dialect == "postgresql" else {r.id: r.snippet for r in rows}
    )
    found = {
        t.id: t
        for t in db.session.scalars(
            select(KbTranslation)
            .where(KbTranslation.id.in_(ids))
            .options(selectinload(KbTranslation.article))
        )
    }
    return [
        Hit(
            article=found[r.id].article,
            language=found[r.id].language,
            title=found[r.id].title,
            snippet=_highlight(snippets.get(r.id)),
            rank=float(r.rank),
        )
        for r in rows
    ]
