"""Celery wiring (Flask's Celery pattern): tasks run inside an app context and call the jobs.

Used only when QA_CELERY_BROKER_URL is set; otherwise `qa.jobs` runs everything inline.
Transcription and scoring have their own queues so each worker pool can scale alone; the
periodic jobs of `schedule` are registered with Celery beat here too.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask, current_app
from sqlalchemy.exc import OperationalError

from .. import jobs
from ..extensions import db
from ..services import webhooks
from . import schedule, training

TRANSCRIPTION_QUEUE = "transcription"
SCORING_QUEUE = "scoring"


class TransientError(Exception):
    """A failure worth retrying (database or broker hiccup), as opposed to bad input."""


def init_celery(app: Flask) -> Celery:
    """Create the Celery app bound to the Flask app; tasks acknowledge late so none is lost."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=app.config["CELERY_BROKER_URL"],
        result_backend=app.config.get("CELERY_RESULT_BACKEND"),
        task_acks_late=True,  # a job is acknowledged only once done: a killed worker's job is redelivered
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # Unacknowledged jobs of a dead worker come back after this many seconds; jobs are
        # idempotent, so a redelivery of a job still running elsewhere does no harm.
        broker_transport_options={"visibility_timeout": app.config["CELERY_VISIBILITY_TIMEOUT"]},
        task_routes={
            "qa.transcribe_interaction": {"queue": TRANSCRIPTION_QUEUE},
            "qa.score_interactions": {"queue": SCORING_QUEUE},
        },
        task_default_queue=SCORING_QUEUE,
        beat_schedule=schedule.beat_schedule(),
        timezone="UTC",
    )
    # shared=False, and the task functions live at module level: a shared task (Celery's default)
    # is also added to every Celery app created afterwards, so each create_app (every test, the
    # worker) registered both names again under new closures and Celery warned
    # DuplicateTaskNameWarning. Now each app registers the same callables, once.
    for fun in (transcribe_interaction, score_interactions):
        celery.task(name=f"qa.{fun.__name__}", bind=True, max_retries=5, shared=False)(fun)
    celery.task(name=schedule.TASK_NAME, shared=False)(run_weekly_sample)
    celery.task(name=schedule.REFRESH_TASK_NAME, shared=False)(refresh_dashboards)
    celery.task(name="qa.deliver_webhooks", shared=False)(deliver_webhooks)
    celery.task(name=schedule.WEBHOOK_RETRY_TASK_NAME, shared=False)(retry_webhooks)
    celery.task(name=training.TASK_NAME, shared=False)(train_autoqa)
    app.extensions["celery"] = celery
    return celery


def _retry_later(task: Task, exc: Exception) -> Exception:
    """The retry for a transient failure, backing off from 5 seconds to 5 minutes."""
    return task.retry(exc=exc, countdown=min(2**task.request.retries * 5, 300))


def transcribe_interaction(task: Task, interaction_id: int) -> bool:
    """Transcribe one call, then queue its scoring on the scoring queue."""
    try:
        return jobs.transcribe_interaction(interaction_id, then_score=False) and bool(
            jobs.enqueue_scoring([interaction_id])
        )
    except (TransientError, OperationalError) as exc:
        raise _retry_later(task, exc) from exc


def score_interactions(task: Task, interaction_ids: list[int]) -> int:
    """Score a batch of interactions."""
    try:
        return jobs.score_interactions(interaction_ids)
    except (TransientError, OperationalError) as exc:
        raise _retry_later(task, exc) from exc


def run_weekly_sample(week: str | None = None) -> list[dict[str, Any]]:
    """Beat's weekly job: sample and assign every active policy's week."""
    return schedule.run_weekly_sample(week)


def refresh_dashboards(days: int = schedule.REFRESH_DAYS) -> dict[str, int]:
    """Beat's nightly job: store the dashboards' closed days."""
    return schedule.refresh_dashboards(days)


def deliver_webhooks(delivery_ids: list[int]) -> int:
    """Send committed webhook deliveries once; beat's retry job tries the failed ones again,
    with backoff, up to their attempt limit."""
    done = webhooks.deliver_ids(delivery_ids, timeout=10)
    db.session.commit()
    return done


def train_autoqa(actor_id: int | None) -> str:
    """The models page's training (qa.jobs.training), on a worker; its final state."""
    return training.run_task(current_app._get_current_object(), actor_id)  # type: ignore[attr-defined]


def retry_webhooks() -> int:
    """Beat's job every few minutes: failed webhook deliveries whose backoff passed."""
    return schedule.retry_webhooks()
