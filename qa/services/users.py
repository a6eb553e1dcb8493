"""Users and teams."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import Role, Team, User
from . import audit


class UserError(ValueError):
    """A user could not be created or changed; the message says why."""


MIN_PASSWORD = 8


def get_or_create_team(name: str) -> Team:
    team = db.session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        db.session.add(team)
        db.session.flush()
    return team


def create_user(
    email: str,
    name: str,
    password: str,
    role: Role | str,
    team: Team | None = None,
    leads: list[Team] | None = None,
    actor: User | None = None,
) -> User:
    """Create a user with a hashed password; leads may lead several teams."""
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"not an email address: {email!r}")
    try:
        role = Role(role)
    except ValueError:
        raise UserError(
            f"unknown role {role!r}: use one of {', '.join(r.value for r in Role)}"
        ) from None
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password must have at least {MIN_PASSWORD} characters")
    if db.session.scalar(select(func.count(User.id)).where(User.email == email)):
        raise UserError(f"a user with email {email} already exists")
    user = User(email=email, name=name.strip() or email, role=role, team=team)
    user.set_password(password)
    if leads:
        user.led_teams = list(leads)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, role=role.value)
    return user


def set_role(user: User, role: Role, actor: User | None) -> None:
    """Change a user's role, audited."""
    old = user.role
    user.role = role
    audit.record(actor, "user.role_changed", user, old=old.value, new=role.value)
