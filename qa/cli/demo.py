"""`flask demo`: load the demo workspace and print its logins."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..demo import DEMO_PASSWORD, demo_accounts, load_demo
from ..extensions import db
from ..models import Team

manager = AppGroup("demo", help="The demo workspace.")


@manager.command("load")
@click.option("--no-calls", is_flag=True, help="Skip transcribing the demo call recordings.")
def demo_load(no_calls: bool) -> None:
    """Load the demo workspace once (teams, users, scorecard, interactions, calls)."""
    if db.session.scalar(select(func.count(Team.id))):
        click.echo("demo workspace already loaded")
        return
    load_demo(calls=not no_calls, echo=click.echo)


@manager.command("logins")
def demo_logins() -> None:
    """Print the demo logins."""
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email in demo_accounts():
        click.echo(f"  {role:9} {email}")
