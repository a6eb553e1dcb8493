"""Knowledge-base articles, their translations (one per language) and versions, and the links
from reviews, training modules and coaching sessions to them.

An article is numbered KB-<id>. Its title and Markdown body live in one translation per
language; every edit of a title or body adds a version (author, time, title, body) to that
translation, so its history can be read line by line. `keywords` is the article's topic and
tags copied onto each translation on write, so the full-text index (qa/kb/search.py) reads one
row: SQLite's FTS5 table is kept in sync by triggers, PostgreSQL's tsvector is a generated column.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Team, User, str_enum, utcnow
from . import fulltext


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"  # editors only
    PUBLISHED = "published"  # every signed-in user reads it
    ARCHIVED = "archived"  # editors only; kept for the links that point to it


class KbArticle(db.Model):
    __tablename__ = "kb_article"

    id: Mapped[int] = mapped_column(primary_key=True)  # the KB number
    # the team whose leads edit it; None: the whole organisation (admins edit it)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    topic: Mapped[str | None] = mapped_column(String(120), index=True)  # an interaction queue
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[ArticleStatus] = mapped_column(
        str_enum(ArticleStatus, "kb_article_status"), default=ArticleStatus.DRAFT
    )
    review_by: Mapped[date | None] = mapped_column(Date)  # stale after this day
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    team: Mapped[Team | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    translations: Mapped[list[KbTranslation]] = relationship(
        back_populates="article", order_by="KbTranslation.id", cascade="all, delete-orphan"
    )

    @property
    def number(self) -> str:
        return f"KB-{self.id}"

    def translation(self, language: str | None = None) -> KbTranslation | None:
        """The translation in `language`, else the first one written."""
        found = next((t for t in self.translations if t.language == language), None)
        return found or (self.translations[0] if self.translations else None)

    @property
    def title(self) -> str:
        first = self.translation()
        return first.title if first else self.number

    def stale(self, today: date) -> bool:
        return self.review_by is not None and self.review_by < today


class KbTranslation(db.Model):
    __tablename__ = "kb_translation"
    __table_args__ = (
        UniqueConstraint("article_id", "language", name="uq_kb_translation_article_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown, the latest version's
    keywords: Mapped[str] = mapped_column(Text, default="")  # the article's topic and tags
    version: Mapped[int] = mapped_column(Integer, default=1)  # the latest version's number
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    article: Mapped[KbArticle] = relationship(back_populates="translations")
    versions: Mapped[list[KbVersion]] = relationship(
        back_populates="translation",
        order_by="KbVersion.number.desc()",
        cascade="all, delete-orphan",
    )


class KbVersion(db.Model):
    __tablename__ = "kb_version"
    __table_args__ = (
        UniqueConstraint("translation_id", "number", name="uq_kb_version_translation_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(ForeignKey("kb_translation.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    translation: Mapped[KbTranslation] = relationship(back_populates="versions")
    author: Mapped[User] = relationship()


class KbReviewLink(db.Model):
    """A review whose comments mention an article ("the answer was in KB-142"), for reports."""

    __tablename__ = "kb_review_link"
    __table_args__ = (
        UniqueConstraint("review_id", "article_id", name="uq_kb_review_link_review_article"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_article.id", ondelete="CASCADE"), index=True
    )
    # the first criterion whose comment mentions it; None: the overall comment or the thread
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("criterion.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    article: Mapped[KbArticle] = relationship()


kb_module_article = Table(
    "kb_module_article",
    db.metadata,
    Column("module_id", ForeignKey("training_module.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", ForeignKey("kb_article.id", ondelete="CASCADE"), primary_key=True),
)

kb_session_article = Table(
    "kb_session_article",
    db.metadata,
    Column("session_id", ForeignKey("coaching_session.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", ForeignKey("kb_article.id", ondelete="CASCADE"), primary_key=True),
)

__all__ = [
    "ArticleStatus",
    "KbArticle",
    "KbReviewLink",
    "KbTranslation",
    "KbVersion",
    "kb_module_article",
    "kb_session_article",
]

fulltext.attach(KbTranslation.__table__)  # type: ignore[arg-type]
