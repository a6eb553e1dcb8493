"""Writing articles: create, edit, translate; every change of a title or body is a new version."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import User, utcnow
from ...services import audit
from ..fulltext import LANGUAGES
from ..models import ArticleStatus, KbArticle, KbTranslation, KbVersion
from .access import can_create, can_edit, editable_teams, owner_candidates
from .errors import KbError

MAX_TITLE = 200
MAX_BODY = 100_000
MAX_TAGS = 20
MAX_TAG = 40
TAG_SPLIT = re.compile(r"[,;\n]")


@dataclass(frozen=True)
class ArticleInput:
    """What an editor submits: the article's fields and one translation's title and body."""

    language: str
    title: str
    body: str
    team_id: int | None = None
    owner_id: int | None = None
    topic: str | None = None
    tags: Sequence[str] = field(default_factory=tuple)
    status: ArticleStatus = ArticleStatus.DRAFT
    review_by: date | None = None


def parse_tags(text: str | None) -> list[str]:
    """Tags from a comma-separated line: trimmed, lower-cased, each once, in order."""
    tags = [t.strip().lower() for t in TAG_SPLIT.split(text or "")]
    return list(dict.fromkeys(t for t in tags if t))


def _check(given: ArticleInput, actor: User, article: KbArticle | None) -> None:
    if given.language not in LANGUAGES:
        raise KbError(f"unknown language {given.language!r}")
    if not given.title.strip() or not given.body.strip():
        raise KbError("an article needs a title and a body")
    if len(given.title.strip()) > MAX_TITLE or len(given.body) > MAX_BODY:
        raise KbError(f"the title is at most {MAX_TITLE} characters, the body {MAX_BODY}")
    if len(given.tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in given.tags):
        raise KbError(f"at most {MAX_TAGS} tags of at most {MAX_TAG} characters")
    if given.topic and len(given.topic.strip()) > 120:
        raise KbError("a topic is at most 120 characters")
    if article is not None and given.team_id == article.team_id:
        return  # an unchanged team needs no check (an admin may have filed it anywhere)
    if given.team_id not in {t.id for t in editable_teams(actor)} and not (
        given.team_id is None and actor.role.value == "admin"
    ):
        raise KbError("you may not file an article under that team")


def _owner(given: ArticleInput, actor: User) -> int:
    if given.owner_id is None:
        return actor.id
    if given.owner_id not in {u.id for u in owner_candidates()}:
        raise KbError("the owner must be an active lead or admin")
    return given.owner_id


def keywords_of(article: KbArticle) -> str:
    """What the full-text index reads besides title and body: the topic and the tags."""
    return " ".join([article.topic or "", *article.tags]).strip()


def save_article(article: KbArticle | None, actor: User, given: ArticleInput) -> KbArticle:
    """Create (article None) or edit an article and its translation in `given.language`
    (created when missing); a new title or body adds a version. The caller commits."""
    if article is None and not can_create(actor):
        raise KbError("only admins and leads write articles")
    if article is not None and not can_edit(actor, article):
        raise KbError("you may not edit this article")
    _check(given, actor, article)
    created = article is None
    article = article or KbArticle(created_by_id=actor.id, translations=[])
    article.team_id = given.team_id
    article.owner_id = _owner(given, actor)
    article.topic = (given.topic or "").strip() or None
    article.tags = list(given.tags)
    article.status = given.status
    article.review_by = given.review_by
    db.session.add(article)
    db.session.flush()
    version = _write_translation(article, actor, given.language, given.title.strip(), given.body)
    for translation in article.translations:
        translation.keywords = keywords_of(article)
    audit.record(
        actor,
        "kb.article_created" if created else "kb.article_edited",
        article,
        language=given.language,
        version=version,
    )
    return article


def _write_translation(
    article: KbArticle, actor: User, language: str, title: str, body: str
) -> int | None:
    """Store the translation's title and body; the new version's number, None if unchanged."""
    translation = next((t for t in article.translations if t.language == language), None)
    if translation is not None and (translation.title, translation.body) == (title, body):
        return None
    if translation is None:
        translation = KbTranslation(article=article, language=language, version=0)
        db.session.add(translation)
    translation.title = title
    translation.body = body
    translation.version = (translation.version or 0) + 1
    translation.updated_at = utcnow()
    translation.versions.append(
        KbVersion(number=translation.version, title=title, body=body, author_id=actor.id)
    )
    return translation.version


def get_article(number: int) -> KbArticle | None:
    return db.session.get(KbArticle, number)


def articles(
    condition: object, *, language: str | None = None, topic: str | None = None
) -> list[KbArticle]:
    """Articles matching `condition` (access.readable), newest first, optionally only those
    with a translation in `language` or on `topic`."""
    query = (
        select(KbArticle)
        .where(condition)  # type: ignore[arg-type]
        .options(selectinload(KbArticle.translations), selectinload(KbArticle.owner))
        .order_by(KbArticle.id.desc())
    )
    if language:
        query = query.where(KbArticle.translations.any(KbTranslation.language == language))
    if topic:
        query = query.where(KbArticle.topic == topic)
    return list(db.session.scalars(query))


def topics() -> list[str]:
    """Topics articles are filed under, alphabetically."""
    return list(
        db.session.scalars(
            select(KbArticle.topic)
            .where(KbArticle.topic.is_not(None))
            .distinct()
            .order_by(KbArticle.topic)
        )
    )
