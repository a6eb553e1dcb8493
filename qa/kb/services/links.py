"""Links to articles: "KB-142" mentioned in a review's comments (recorded, for reports), and the
articles a training module or a coaching session references.

Review links are kept in sync by a session listener (`register`, called by create_app), so
every way a comment is written — the review form, the comment thread, the API, the demo —
records them without knowing about the knowledge base. After each flush that changed a
criterion comment, an overall comment or added a thread message, the review's links are
recomputed from all of its comments: mentions of articles that exist are linked (the first
criterion mentioning one is kept), links no longer mentioned are removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Table, delete, event, insert, inspect, select
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import Answer, Review, ReviewComment, User, utcnow
from ..models import KbArticle, KbReviewLink, kb_module_article, kb_session_article
from .access import readable

MENTION = re.compile(r"\bKB-(\d{1,9})\b", re.IGNORECASE)


def mentions(text: str | None) -> list[int]:
    """Article numbers mentioned in a text ("KB-142", any case), each once, in order."""
    return list(dict.fromkeys(int(m) for m in MENTION.findall(text or "")))


def _comment_changed(obj: Any, attribute: str) -> bool:
    history = inspect(obj).attrs[attribute].history
    return any(value for value in chain(history.added, history.deleted))


def _touched_reviews(session: Session) -> set[int]:
    """Reviews whose comments this flush wrote."""
    ids: set[int | None] = set()
    for obj in chain(session.new, session.dirty):
        if isinstance(obj, Answer) and _comment_changed(obj, "comment"):
            ids.add(obj.review_id)
        elif isinstance(obj, Review) and _comment_changed(obj, "comment"):
            ids.add(obj.id)
        elif isinstance(obj, ReviewComment) and obj in session.new:
            ids.add(obj.review_id)
    return {i for i in ids if i is not None}


def _wanted(conn: Connection, review_ids: set[int]) -> dict[int, dict[int, int | None]]:
    """{review id: {article number: criterion id or None}} from the reviews' comments, criteria
    first (the first mentioning criterion wins), then the overall comment and the thread."""
    rows: list[tuple[int, int | None, str | None]] = []
    rows += conn.execute(
        select(Answer.review_id, Answer.criterion_id, Answer.comment)
        .where(Answer.review_id.in_(review_ids), Answer.comment.is_not(None))
        .order_by(Answer.criterion_id)
    ).tuples()
    rows += [(i, None, c) for i, c in conn.execute(
        select(Review.id, Review.comment).where(Review.id.in_(review_ids))
    ).tuples()]  # fmt: skip
    rows += [(i, None, b) for i, b in conn.execute(
        select(ReviewComment.review_id, ReviewComment.body)
        .where(ReviewComment.review_id.in_(review_ids))
        .order_by(ReviewComment.id)
    ).tuples()]  # fmt: skip
    wanted: dict[int, dict[int, int | None]] = {i: {} for i in review_ids}
    for review_id, criterion_id, text in rows:
        for number in mentions(text):
            wanted[review_id].setdefault(number, criterion_id)
    numbers = set(chain.from_iterable(wanted.values()))
    existing = set(conn.scalars(select(KbArticle.id).where(KbArticle.id.in_(numbers))))
    return {i: {n: c for n, c in w.items() if n in existing} for i, w in wanted.items()}


def sync_review_links(conn: Connection, review_ids: set[int]) -> None:
    """Recompute the recorded links of these reviews from their comments."""
    wanted = _wanted(conn, review_ids)
    have = set(
        conn.execute(
            select(KbReviewLink.review_id, KbReviewLink.article_id).where(
                KbReviewLink.review_id.in_(review_ids)
            )
        ).tuples()
    )
    want = {(r, a) for r, articles in wanted.items() for a in articles}
    for review_id, article_id in sorted(have - want):
        conn.execute(
            delete(KbReviewLink).where(
                KbReviewLink.review_id == review_id, KbReviewLink.article_id == article_id
            )
        )
    new = [
        {"review_id": r, "article_id": a, "criterion_id": wanted[r][a], "created_at": utcnow()}
        for r, a in sorted(want - have)
    ]
    if new:
        conn.execute(insert(KbReviewLink), new)


def _after_flush(session: Session, _context: Any) -> None:
    ids = _touched_reviews(session)
    if ids:
        sync_review_links(session.connection(), ids)


def register() -> None:
    """Record review links on writes from now on (create_app calls this; twice is once)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def review_articles(review: Review, viewer: User) -> list[KbArticle]:
    """The articles a review links to that `viewer` may read."""
    return list(
        db.session.scalars(
            select(KbArticle)
            .join(KbReviewLink, KbReviewLink.article_id == KbArticle.id)
            .where(KbReviewLink.review_id == review.id, readable(viewer))
            .order_by(KbArticle.id)
        )
    )


# --- training modules and coaching sessions ------------------------------------------------


def _referenced(table: Table, key: str, owner_id: int, viewer: User | None) -> list[KbArticle]:
    query = (
        select(KbArticle)
        .join(table, table.c.article_id == KbArticle.id)
        .where(table.c[key] == owner_id)
        .order_by(KbArticle.id)
    )
    if viewer is not None:
        query = query.where(readable(viewer))
    return list(db.session.scalars(query))


def _set_references(
    table: Table, key: str, owner_id: int, numbers: Iterable[int], actor: User
) -> list[int]:
    """Replace what an owner references by the given articles the actor may read (others are
    dropped silently: a stale form can name an article archived since)."""
    wanted = set(numbers)
    allowed = set(
        db.session.scalars(select(KbArticle.id).where(KbArticle.id.in_(wanted), readable(actor)))
    )
    db.session.execute(delete(table).where(table.c[key] == owner_id))
    if allowed:
        db.session.execute(
            insert(table), [{key: owner_id, "article_id": n} for n in sorted(allowed)]
        )
    return sorted(allowed)


def module_articles(module_id: int, viewer: User | None = None) -> list[KbArticle]:
    """Articles a training module references (those `viewer` may read, when given)."""
    return _referenced(kb_module_article, "module_id", module_id, viewer)


def set_module_articles(module_id: int, numbers: Sequence[int], actor: User) -> list[int]:
    return _set_references(kb_module_article, "module_id", module_id, numbers, actor)


def session_articles(session_id: int, viewer: User | None = None) -> list[KbArticle]:
    """Articles a coaching session's agenda references (those `viewer` may read)."""
    return _referenced(kb_session_article, "session_id", session_id, viewer)


def set_session_articles(session_id: int, numbers: Sequence[int], actor: User) -> list[int]:
    return _set_references(kb_session_article, "session_id", session_id, numbers, actor)


def reference_choices(viewer: User) -> list[tuple[int, str]]:
    """(number, "KB-n · title") of the articles `viewer` may reference, newest first."""
    found = db.session.scalars(
        select(KbArticle).where(readable(viewer)).order_by(KbArticle.id.desc())
    )
    return [(a.id, f"{a.number} · {a.title}") for a in found]
