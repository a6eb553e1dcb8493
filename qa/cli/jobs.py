"""`flask jobs`: the state of the transcription and scoring pipeline."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..jobs.status import status

manager = AppGroup("jobs", help="The transcription and scoring pipeline.")


@manager.command("status")
def jobs_status() -> None:
    """Interactions per pipeline status, queue lengths (with Celery) and recent failures."""
    report = status(current_app.extensions.get("celery"), failures=20)
    click.echo(f"mode: {report.mode}")
    for name, count in report.by_status.items():
        click.echo(f"  {name:12} {count}")
    for name, length in report.queues.items():
        click.echo(f"  queue {name}: {length}")
    for interaction in report.failures:
        click.echo(
            f"failed {interaction.id} ({interaction.external_id}): {interaction.failure_reason}"
        )
