"""`flask backup`: back up and restore the database, the recordings and the models."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..services import backup
from .common import one_line_errors

manager = AppGroup("backup", help="Back up and restore the database, recordings and models.")


def _paths() -> dict[str, str]:
    """The configured places a backup holds, as keyword arguments of backup.create/restore."""
    c = current_app.config
    return {
        "database_url": c["SQLALCHEMY_DATABASE_URI"],
        "upload_folder": c["UPLOAD_FOLDER"],
        "model_dir": c["SCORING_MODEL_DIR"],
    }


@manager.command("create")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def backup_create(target: Path) -> None:
    """Write a backup folder under TARGET (safe while the app runs)."""
    with one_line_errors(backup.BackupError, OSError):
        out = backup.create(target, **_paths())
    click.echo(str(out))


@manager.command("restore")
@click.argument("source", type=click.Path(file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore(source: Path, yes: bool) -> None:
    """Replace the database, recordings and models with a backup (stop the app first)."""
    if not yes:
        click.confirm(
            "This replaces the current database, recordings and models. Continue?", abort=True
        )
    with one_line_errors(backup.BackupError, OSError):
        manifest = backup.restore(source, **_paths())
    click.echo(f"restored backup of {manifest['created']} ({manifest['database']})")
