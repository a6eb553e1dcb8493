"""Full-text search over article translations with the database's own engine (see
qa/kb/fulltext.py): SQLite FTS5 ranked by bm25, PostgreSQL tsvector ranked by ts_rank_cd, each
with a snippet of the body around the matches."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, desc, func, literal_column, select, table

from ...extensions import db
from ...models import User
from ..fulltext import pg_config
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


def _postgres(words: list[str]) -> Select:
    cfg: ColumnElement[Any] = literal_column(pg_config("kb_translation.language"))
    query = func.plainto_tsquery(cfg, " ".join(words))
    vector: ColumnElement[Any] = literal_column("kb_translation.search_vector")
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=24, MinWords=8, MaxFragments=2"
    snippet = func.ts_headline(cfg, KbTranslation.body, query, options)
    return select(
        KbTranslation.id,
        func.ts_rank_cd(vector, query).label("rank"),
        snippet.label("snippet"),
    ).where(vector.op("@@")(query))


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
    found = {
        t.id: t
        for t in db.session.scalars(
            select(KbTranslation).where(KbTranslation.id.in_([r.id for r in rows]))
        )
    }
    return [
        Hit(
            article=found[r.id].article,
            language=found[r.id].language,
            title=found[r.id].title,
            snippet=_highlight(r.snippet),
            rank=float(r.rank),
        )
        for r in rows
    ]
