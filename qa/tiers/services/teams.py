"""Which teams a user's tier dashboard covers (qa/access.py's rules: admins every team, leads
the teams they lead, everyone else none)."""

from __future__ import annotations

from sqlalchemy import select

from ...access import led_team_ids
from ...extensions import db
from ...models import Role, Team, User


def visible_teams(user: User) -> list[Team]:
    """The teams whose tier figures `user` may see, by name."""
    if user.role == Role.ADMIN:
        return list(db.session.scalars(select(Team).order_by(Team.name)))
    if user.role != Role.LEAD:
        return []
    ids = led_team_ids(user)
    return list(db.session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.name)))


__all__ = ["visible_teams"]
