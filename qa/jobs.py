"""Jobs take interaction ids and call services; inline by default, Celery when a broker is configured."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app

from .ml import get_scorer, get_transcriber
from .models import Status
from .services import pipeline


def _celery():  # type: ignore[no-untyped-def]
    return current_app.extensions.get("celery")


def transcribe_interaction(interaction_id: int, *, then_score: bool = True) -> bool:
    """Transcribe one call; on success score it too (unless a queue will)."""
    if pipeline.transcribe(interaction_id, get_transcriber()):
        if then_score:
            score_interactions([interaction_id])
        return True
    return False


def score_interactions(interaction_ids: Iterable[int], batch_size: int = 64) -> int:
    """Score interactions in batches (the encoder is much faster batched)."""
    ids = list(interaction_ids)
    try:
        scorer = get_scorer()
    except Exception as exc:  # a missing or broken model must not lose the interactions
        pipeline.fail_many(ids, f"AutoQA model unavailable: {exc}")
        return 0
    done = 0
    for start in range(0, len(ids), batch_size):
        done += pipeline.score(ids[start : start + batch_size], scorer)
    return done


def enqueue_transcription(interaction_id: int) -> bool:
    """Queue a transcription (then scoring); inline returns whether it succeeded, queued returns True."""
    celery = _celery()
    if celery is None:
        return transcribe_interaction(interaction_id)
    celery.tasks["qa.transcribe_interaction"].delay(interaction_id)
    return True


def enqueue_scoring(interaction_ids: list[int]) -> int:
    """Queue scoring; inline returns how many were scored, queued returns how many were queued."""
    celery = _celery()
    if celery is None:
        return score_interactions(interaction_ids)
    celery.tasks["qa.score_interactions"].delay(list(interaction_ids))
    return len(interaction_ids)


def is_queued() -> bool:
    return _celery() is not None


def process_interaction(interaction_id: int, status: Status) -> None:
    """Run whatever the interaction still needs, given its status."""
    if status in (Status.PENDING, Status.TRANSCRIBING, Status.FAILED):
        enqueue_transcription(interaction_id)
    elif status == Status.TRANSCRIBED:
        enqueue_scoring([interaction_id])
