"""`flask webhooks`: outgoing webhook deliveries."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db
from ..models import WebhookDelivery
from ..services import webhooks

manager = AppGroup("webhooks", help="Outgoing webhook deliveries.")


@manager.command("retry")
def webhooks_retry() -> None:
    """Try the failed deliveries whose backoff has passed once more (run it every few minutes
    from cron when there is no Celery beat); each delivery is tried at most
    webhooks.MAX_ATTEMPTS times."""
    done = webhooks.retry_failed()
    db.session.commit()
    click.echo(
        f"{done} delivered; {_failed()} failed deliveries left (each tried again after its "
        f"backoff, at most {webhooks.MAX_ATTEMPTS} attempts)"
    )


def _failed() -> int:
    return int(
        db.session.scalar(
            select(func.count(WebhookDelivery.id)).where(WebhookDelivery.status == "failed")
        )
        or 0
    )
