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


def _is_last_admin(user: User) -> bool:
    """Whether `user` is the only active admin, so taking the role away would lock admins out."""
    if user.role != Role.ADMIN or not user.active:
        return False
    others = db.session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
        )
    )
    return not others


def set_role(user: User, role: Role, actor: User | None) -> None:
    """Change a user's role, audited; the last active admin keeps theirs."""
    old = user.role
    if role == old:
        return
    if _is_last_admin(user):
        raise UserError(
            f"{user.email} is the last active admin: make another user admin first, then change this role"
        )
    user.role = role
    audit.record(actor, "user.role_changed", user, old=old.value, new=role.value)


def set_team(user: User, team: Team | None, actor: User | None) -> None:
    """Move a user to another team (or none), audited."""
    old = user.team
    if (old.id if old else None) == (team.id if team else None):
        return
    user.team = team
    audit.record(
        actor,
        "user.team_changed",
        user,
        old=old.name if old else None,
        new=team.name if team else None,
    )


def set_active(user: User, active: bool, actor: User | None) -> None:
    """Deactivate a user (they can no longer sign in or use tokens) or reactivate them, audited."""
    if user.active == active:
        return
    if not active:
        if actor is not None and actor.id == user.id:
            raise UserError("you cannot deactivate your own account")
        if _is_last_admin(user):
            raise UserError(f"{user.email} is the last active admin and cannot be deactivated")
    user.active = active
    audit.record(actor, "user.reactivated" if active else "user.deactivated", user)
