"""Who reads and who edits knowledge-base articles.

- Admins create and edit every article, the organisation-wide ones (no team) included.
- Leads create articles for the teams they lead and edit those teams' articles; they read
  every published article and their teams' drafts and archived ones.
- Reviewers and agents read every published article, in every language. Teams carry no
  language today, so "the team's languages" is every language an article is written in; an
  agent picks a translation (their interface language first). `reader_languages` is the one
  place to narrow it once teams carry languages.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, true

from ...access import led_team_ids
from ...extensions import db
from ...models import Role, Team, User
from ..models import ArticleStatus, KbArticle

EDITORS = (Role.ADMIN, Role.LEAD)


def can_create(user: User) -> bool:
    """Admins, and leads who lead at least one team."""
    return user.role == Role.ADMIN or (user.role == Role.LEAD and bool(led_team_ids(user)))


def can_edit(user: User, article: KbArticle) -> bool:
    """Admins every article; a lead their teams' (not the organisation-wide ones)."""
    if user.role == Role.ADMIN:
        return True
    return (
        user.role == Role.LEAD
        and article.team_id is not None
        and article.team_id in led_team_ids(user)
    )


def readable(user: User) -> ColumnElement[bool]:
    """SQL condition on KbArticle: the articles `user` may read."""
    published = KbArticle.status == ArticleStatus.PUBLISHED
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.LEAD:
        teams = led_team_ids(user)
        return or_(published, KbArticle.team_id.in_(teams)) if teams else published
    return published


def can_read(user: User, article: KbArticle) -> bool:
    return can_edit(user, article) or article.status == ArticleStatus.PUBLISHED


def reader_languages(user: User) -> None:
    """The languages `user` reads articles in; None: all of them (see the module docstring)."""
    return None


def editable_teams(user: User) -> list[Team]:
    """The teams `user` may file an article under (admins may also choose none)."""
    query = select(Team).order_by(Team.name)
    if user.role != Role.ADMIN:
        query = query.where(Team.id.in_(led_team_ids(user)))
    return list(db.session.scalars(query))


def owner_candidates() -> list[User]:
    """Who can own an article: active leads and admins."""
    return list(
        db.session.scalars(
            select(User).where(User.role.in_(EDITORS), User.active.is_(True)).order_by(User.name)
        )
    )
