"""`flask dashboard`: fill the lead dashboards' stored daily sums."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from ..services import dashboard_cache
from ..services.kpis import sla_thresholds
from .common import one_line_errors

manager = AppGroup("dashboard", help="The lead dashboards' stored daily sums.")


@manager.command("refresh")
@click.option("--days", default=400, show_default=True, help="How far back to fill.")
def dashboard_refresh(days: int) -> None:
    """Store the closed days' sums of every team that aren't stored yet (run it nightly, or
    after a bulk import; the first dashboard that needs a day fills it otherwise)."""
    started = time.perf_counter()
    with one_line_errors(ValueError):
        done = dashboard_cache.refresh(days, sla_thresholds(current_app.config))
    seconds = time.perf_counter() - started
    click.echo(f"{done['stored']} team-days stored for {done['teams']} teams in {seconds:.1f} s")
