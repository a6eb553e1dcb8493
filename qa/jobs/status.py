"""What the pipeline is doing: interactions per status, recent failures, queue lengths."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kombu.exceptions import ChannelError
from sqlalchemy import func, select

from ..extensions import db
from ..models import Interaction, Status
from .tasks import SCORING_QUEUE, TRANSCRIPTION_QUEUE


@dataclass
class JobsStatus:
    """Interactions per status, the latest failures, and (with Celery) the queue lengths."""

    by_status: dict[str, int]
    failures: list[Interaction]
    queues: dict[str, int | str] = field(default_factory=dict)  # name -> length, or an error text
    mode: str = "inline"


def status(celery: Any | None = None, failures: int = 50) -> JobsStatus:
    """Counts per pipeline status, the latest failures with reasons, and Celery queue lengths."""
    counts = dict(
        db.session.execute(
            select(Interaction.status, func.count()).group_by(Interaction.status)
        ).all()
    )
    result = JobsStatus(
        by_status={s.value: int(counts.get(s, 0)) for s in Status},
        failures=list(
            db.session.scalars(
                select(Interaction)
                .where(Interaction.status == Status.FAILED)
                .order_by(Interaction.updated_at.desc())
                .limit(failures)
            )
        ),
    )
    if celery is not None:
        result.mode = "celery"
        try:
            with celery.connection_for_read() as conn:
                conn.ensure_connection(max_retries=1)
                for name in (TRANSCRIPTION_QUEUE, SCORING_QUEUE):
                    result.queues[name] = _queue_length(conn, name)
        except Exception as exc:  # the page must still render when the broker is down
            result.queues = {"broker": f"unreachable: {type(exc).__name__}: {exc}"}
    return result


def _queue_length(conn: Any, name: str) -> int:
    """Messages waiting in a queue; a queue nobody has declared yet (Redis: no key) holds none."""
    try:
        return int(conn.default_channel.queue_declare(name, passive=True).message_count)
    except ChannelError:
        return 0
