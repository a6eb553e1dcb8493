"""`flask` command groups, one module each (Redash's cli/ layout); register_cli adds them all.

Every command reports bad input as one line (click.ClickException, see common.py), never a
traceback.
"""

from __future__ import annotations

from flask import Flask

from . import (
    backup,
    calls,
    dashboard,
    demo,
    helpdesk,
    interactions,
    jobs,
    sample,
    scoring,
    users,
    webhooks,
)

__all__ = ["register_cli"]


def register_cli(app: Flask) -> None:
    """Add every command group, and the top-level transcribe and score commands, to `flask`."""
    for command in (
        dashboard.manager,
        jobs.manager,
        backup.manager,
        users.manager,
        interactions.manager,
        sample.manager,
        demo.manager,
        scoring.manager,
        webhooks.manager,
        interactions.transcribe_cmd,
        interactions.score_cmd,
        helpdesk.manager,
        helpdesk.zendesk,
        calls.manager,
    ):
        app.cli.add_command(command)
