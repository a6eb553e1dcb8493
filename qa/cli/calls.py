"""`flask calls analytics`: call analytics (issue 16) for calls stored before, or recomputed."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import Interaction
from ..services import call_analytics

manager = AppGroup("calls", help="Call recordings: analytics.")


@manager.command("analytics")
@click.argument("ids", nargs=-1, type=int)
@click.option("--backfill", is_flag=True, help="Every transcribed call without analytics.")
@click.option("--recompute", is_flag=True, help="Every transcribed call, analytics or not.")
def analytics_cmd(ids: tuple[int, ...], backfill: bool, recompute: bool) -> None:
    """Compute call analytics: by id, --backfill or --recompute (new thresholds)."""
    if not (ids or backfill or recompute):
        raise click.ClickException("name interaction ids, or use --backfill or --recompute")
    done = skipped = 0
    for interaction in db.session.scalars(select(Interaction).where(Interaction.id.in_(ids))):
        if call_analytics.compute(interaction) is None:
            skipped += 1
        else:
            done += 1
    db.session.commit()
    if backfill or recompute:
        more, more_skipped = call_analytics.backfill(
            recompute=recompute, progress=lambda n: click.echo(f"... {n} more call(s)", err=True)
        )
        done, skipped = done + more, skipped + more_skipped
    click.echo(f"analytics computed for {done} call(s), {skipped} without timed segments")
