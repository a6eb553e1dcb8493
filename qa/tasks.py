"""Celery wiring (Flask's Celery pattern): tasks run inside an app context and call the jobs.

Used only when QA_CELERY_BROKER_URL is set; otherwise qa.jobs runs everything inline.
Transcription and scoring have their own queues so each worker pool can scale alone.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask
from sqlalchemy.exc import OperationalError

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
    )
    _register(celery)
    app.extensions["celery"] = celery
    return celery


def _register(celery: Celery) -> None:
    from . import jobs

    @celery.task(name="qa.transcribe_interaction", bind=True, max_retries=5)
    def transcribe_interaction(self: Task, interaction_id: int) -> bool:
        try:
            return jobs.transcribe_interaction(interaction_id, then_score=False) and bool(
                jobs.enqueue_scoring([interaction_id])
            )
        except (TransientError, OperationalError) as exc:
            raise self.retry(exc=exc, countdown=min(2**self.request.retries * 5, 300)) from exc

    @celery.task(name="qa.score_interactions", bind=True, max_retries=5)
    def score_interactions(self: Task, interaction_ids: list[int]) -> int:
        try:
            return jobs.score_interactions(interaction_ids)
        except (TransientError, OperationalError) as exc:
            raise self.retry(exc=exc, countdown=min(2**self.request.retries * 5, 300)) from exc
