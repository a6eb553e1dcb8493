"""`flask users`: create and list users, and create, list and revoke their API tokens."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, Role, User
from ..services import tokens
from ..services import users as user_service
from .common import one_line_errors

manager = AppGroup("users", help="Create and list users, and their API tokens.")


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    return user


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else "never"


@manager.command("create")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--team", "team_name", help="Team the agent or reviewer belongs to (created if new).")
@click.option(
    "--leads", "led", multiple=True, help="Team a lead leads (repeatable; created if new)."
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(
    email: str, name: str, role: str, team_name: str | None, led: tuple[str, ...], password: str
) -> None:
    """Create a user with a hashed password."""
    with one_line_errors(user_service.UserError, on_error=db.session.rollback):
        team = user_service.get_or_create_team(team_name) if team_name else None
        leads = [user_service.get_or_create_team(t) for t in led]
        user = user_service.create_user(email, name, password, role, team=team, leads=leads)
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email}")


@manager.command("list")
def list_users() -> None:
    """List users with role and team."""
    for user in db.session.scalars(select(User).order_by(User.role, User.email)):
        team = user.team.name if user.team else "-"
        click.echo(f"{user.role.value:9} {user.email:35} {team}")


@manager.command("token")
@click.argument("email")
@click.option("--name", default="api", help="What the token is for.")
def create_token(email: str, name: str) -> None:
    """Create an API token for a user; it is printed once and stored only as a hash."""
    _, raw = tokens.create_token(_user(email), name, None)
    db.session.commit()
    click.echo(raw)


@manager.command("tokens")
@click.argument("email")
def list_tokens(email: str) -> None:
    """List a user's API tokens (id, name, first characters, created, last used), never the secret."""
    user = _user(email)
    found = tokens.tokens_of(user)
    if not found:
        click.echo(f"{user.email} has no API tokens")
    for token in found:
        state = f", revoked {_when(token.revoked_at)}" if token.revoked_at else ""
        click.echo(
            f"{token.id:5} {token.name:20} {token.prefix}…  created {_when(token.created_at)}, "
            f"last used {_when(token.last_used_at)}{state}"
        )


@manager.command("revoke-token")
@click.argument("token_id", metavar="ID", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke an API token by its id (see `flask users tokens EMAIL`); the API refuses it at once."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None:
        raise click.ClickException(f"no API token with id {token_id}")
    label = f"API token {token.id} ({token.name}) of {token.user.email}"
    if not tokens.revoke(token, None):
        click.echo(f"{label} was already revoked on {_when(token.revoked_at)}")
        return
    db.session.commit()
    click.echo(f"revoked {label}")


@manager.command("password-login")
@click.argument("email")
@click.option("--on/--off", "allowed", required=True, help="Allow or refuse the password.")
def password_login(email: str, allowed: bool) -> None:
    """Allow (--on) or refuse (--off) a user's password on the sign-in form; the way back in for
    an admin when single sign-on fails."""
    user = _user(email)
    with one_line_errors(user_service.UserError, on_error=db.session.rollback):
        user_service.set_password_login(user, allowed, None)
    db.session.commit()
    click.echo(f"password sign-in {'on' if allowed else 'off'} for {user.email}")
    if allowed:
        # An account made by single sign-on has a password nobody knows: a one-time link sets one.
        token = user_service.invite_token(user, current_app.config["SECRET_KEY"])
        base = (current_app.config.get("BASE_URL") or "").rstrip("/")
        click.echo(f"set a password within 7 days at {base}/account/set-password/{token}")
