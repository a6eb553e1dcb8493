"""Users and teams."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from ..extensions import db
from ..models import Role, Team, User
from . import audit, mail, reviews


class UserError(ValueError):
    """A user could not be created or changed; the message says why."""


MIN_PASSWORD = 8
MAX_PASSWORD = 200  # the sign-in form's limit
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "auth" / "common_passwords.txt"


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line and not line.startswith("#"))


def check_password_strength(password: str, email: str = "", name: str = "") -> None:
    """Refuse a password that is short, one of the 10,000 most common ones, or the user's own
    email or name: length alone let `password1` and `12345678` through."""
    if len(password) < MIN_PASSWORD:
        raise UserError(gettext("password must have at least %(MIN_PASSWORD)s characters", MIN_PASSWORD=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise UserError(gettext("password must have at most %(MAX_PASSWORD)s characters", MAX_PASSWORD=MAX_PASSWORD))
    folded = password.casefold()
    if folded in _common_passwords() or len(set(folded)) == 1:
        raise UserError(gettext("this password is one of the most common ones: choose another"))
    own = {
        email.strip().casefold(),
        email.strip().casefold().split("@")[0],
        name.strip().casefold(),
    }
    if folded.strip() in own - {""}:
        raise UserError(gettext("the password must not be your email address or name"))


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
        raise UserError(gettext("not an email address: %(email)s", email=repr(email)))
    try:
        role = Role(role)
    except ValueError:
        raise UserError(
            gettext("unknown role %(role)s: use one of %(Role)s", role=repr(role), Role=', '.join(r.value for r in Role))
        ) from None
    check_password_strength(password, email, name)
    if db.session.scalar(select(func.count(User.id)).where(User.email == email)):
        raise UserError(gettext("a user with email %(email)s already exists", email=email))
    user = User(email=email, name=name.strip() or email, role=role, team=team)
    user.set_password(password)
    if leads:
        user.led_teams = list(leads)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, role=role.value)
    return user


def _lock_admins() -> None:
    """Lock the active admins' rows until this transaction ends (PostgreSQL; SQLite has no row locks).

    Without it, two admins demoting each other at the same moment each count the other as still an
    admin and both succeed, leaving none. With it the second waits here for the first to commit and
    then, its next statement reading the committed rows, finds itself the last admin. Every caller
    locks the same rows in the same (id) order, so two of them cannot deadlock.
    """
    db.session.execute(
        select(User.id)
        .where(User.role == Role.ADMIN, User.active.is_(True))
        .order_by(User.id)
        .with_for_update()
    )


def _change_keeping_an_admin(user: User, attribute: str, value: object, refusal: str) -> None:
    """Set `user.<attribute>` to `value`, refusing with `refusal` if that leaves no active admin,
    or no active admin who may sign in with a password."""
    if user.role != Role.ADMIN or not user.active:
        setattr(user, attribute, value)
        return
    _lock_admins()
    old = getattr(user, attribute)
    setattr(user, attribute, value)
    # Written first, counted second: on SQLite the write opens the write transaction, so the count
    # sees every earlier commit and no other writer can commit between it and ours (a count taken
    # before writing could be stale by the time we commit).
    db.session.flush()
    admins = db.session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN, User.active.is_(True))
    )
    if not admins:
        setattr(user, attribute, old)
        db.session.flush()
        raise UserError(refusal)
    # ... and one of them keeps a password: with single sign-on broken, it is the way in.
    had_password = old if attribute == "password_login" else user.password_login
    if had_password and not _password_admins():
        setattr(user, attribute, old)
        db.session.flush()
        raise UserError(
            f"{user.email} is the last active admin with a password: give another admin a "
            "password first"
        )


def _password_admins() -> int:
    """How many active admins may sign in with a password."""
    count = db.session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.ADMIN, User.active.is_(True), User.password_login.is_(True)
        )
    )
    return count or 0


def set_role(user: User, role: Role, actor: User | None) -> None:
    """Change a user's role, audited, ending their sessions; the last active admin keeps theirs."""
    old = user.role
    if role == old:
        return
    _change_keeping_an_admin(
        user,
        "role",
        role,
        f"{user.email} is the last active admin: make another user admin first, then change this role",
    )
    user.end_sessions()  # sessions opened under the old role end; the user signs in again
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
    """Deactivate a user (their sessions end; they can no longer sign in or use tokens) or
    reactivate them (old sessions stay ended), audited."""
    if user.active == active:
        return
    if not active and actor is not None and actor.id == user.id:
        raise UserError(gettext("you cannot deactivate your own account"))
    _change_keeping_an_admin(
        user, "active", active, f"{user.email} is the last active admin and cannot be deactivated"
    )
    if not active:
        user.end_sessions()
    audit.record(actor, "user.reactivated" if active else "user.deactivated", user)
    if not active:  # nobody answers their reviews' open disputes any more: the leads decide
        reviews.escalate_open_disputes_of(user)


def set_led_teams(user: User, teams: Iterable[Team], actor: User | None) -> None:
    """Set the teams a lead leads, audited with the team names before and after."""
    if user.role != Role.LEAD:
        raise UserError(gettext("%(email)s has the role %(role)s: only leads lead teams", email=user.email, role=user.role.value))
    new = sorted({t.id: t for t in teams}.values(), key=lambda t: t.name)
    old = sorted(user.led_teams, key=lambda t: t.name)
    if [t.id for t in new] == [t.id for t in old]:
        return
    user.led_teams = new
    audit.record(
        actor,
        "user.led_teams_changed",
        user,
        old=[t.name for t in old],
        new=[t.name for t in new],
    )


def set_capacity(user: User, capacity: int, actor: User | None) -> None:
    """Set how many reviews a week the sampler may assign the user; audited when it changes."""
    if capacity < 0:
        raise UserError(gettext("the weekly capacity cannot be negative"))
    old = user.weekly_capacity
    if old != capacity:
        user.weekly_capacity = capacity
        audit.record(actor, "user.capacity_changed", user, old=old, new=capacity)


def change_password(user: User, new_password: str) -> None:
    """Set a new password (checked like a new user's) and end every session of the user; the
    caller signs the current one in again with the new session version."""
    if not user.password_login:
        raise UserError("this account signs in with single sign-on and has no password to change")
    if user.check_password(new_password):
        raise UserError(gettext("the new password must differ from the current one"))
    check_password_strength(new_password, user.email, user.name)
    user.set_password(new_password)
    user.end_sessions()
    audit.record(user, "user.password_changed", user)


def sign_out(user: User) -> None:
    """End this session and every copy of it (a copied session or remember-me cookie included)."""
    user.end_sessions()
    audit.record(user, "auth.logout", user)


# --- invitations: a one-time, expiring set-password link -------------------------------------

INVITE_SALT = "coachline.set-password"
INVITE_MAX_AGE = 7 * 24 * 3600  # seconds: a week to accept


def invite_user(
    email: str,
    name: str,
    role: Role | str,
    team: Team | None = None,
    leads: list[Team] | None = None,
    actor: User | None = None,
) -> User:
    """Create a user without a password anyone knows (a random one); they choose their own
    through the link of invite_token."""
    user = create_user(email, name, secrets.token_urlsafe(32), role, team, leads, actor)
    audit.record(actor, "user.invited", user)
    return user


def invite_token(user: User, secret: str) -> str:
    """A signed token naming the user and their session version: setting the password bumps the
    version, so the link works once; it also expires after INVITE_MAX_AGE."""
    serializer = URLSafeTimedSerializer(secret, salt=INVITE_SALT)
    return serializer.dumps({"u": user.id, "v": user.session_version or 0})


def user_for_invite(token: str, secret: str, max_age: int = INVITE_MAX_AGE) -> User:
    """The active user a set-password token is for; UserError if it is forged, expired or used."""
    serializer = URLSafeTimedSerializer(secret, salt=INVITE_SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise UserError(gettext("this link has expired: ask an admin for a new one")) from None
    except BadSignature:
        raise UserError(gettext("this link is not valid")) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or (user.session_version or 0) != data.get("v"):
        raise UserError(gettext("this link was already used or is no longer valid"))
    if not user.password_login:
        raise UserError(
            gettext("this account signs in with single sign-on and has no password to set")
        )
    return user


def email_invite(user: User, link: str, days: int, actor: User | None = None) -> bool:
    """Mail the user their set-password link (SMTP configured); False if it could not be sent.
    Audited either way, without the link (it is a password in all but name)."""
    sent = mail.send(
        user.email,
        "You are invited to Coachline",
        f"Hello {user.name},\n\nyou have a Coachline account ({user.role.value}). Choose your "
        f"password here; the link works once and for {days} days:\n\n{link}\n",
    )
    audit.record(actor, "user.invite_emailed" if sent else "user.invite_email_failed", user)
    return sent


def set_invited_password(user: User, password: str) -> None:
    """Set the password chosen through an invitation (checked like any password); the link and
    any session from before stop working."""
    check_password_strength(password, user.email, user.name)
    user.set_password(password)
    user.end_sessions()
    audit.record(user, "user.password_set", user)


def set_password_login(user: User, allowed: bool, actor: User | None) -> None:
    """Allow or refuse the user's password on the sign-in form, audited (open sessions stay: only
    the way in changes; deactivating the account ends them). At least one active admin keeps a
    password, so that single sign-on failing (the provider down, the client secret expired)
    cannot lock every admin out; `flask users password-login EMAIL --on` is the way back."""
    if user.password_login == allowed:
        return
    _change_keeping_an_admin(
        user, "password_login", allowed, f"{user.email} is the last active admin"
    )
    audit.record(actor, "user.password_login_changed", user, allowed=allowed)
