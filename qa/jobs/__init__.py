"""Background work in one place: jobs take interaction ids and call services, inline by default,
on Celery when a broker is configured.

- this module: the jobs (`transcribe_interaction`, `score_interactions`) and their dispatch
  (`enqueue_*`, `process_interactions`), inline or queued;
- `tasks`: the Celery app, its queues and the tasks that run these jobs in a worker;
- `schedule`: the periodic jobs Celery beat runs (the weekly sample, the dashboard refresh);
- `status`: what the pipeline is doing (counts per status, failures, queue lengths).

The Celery worker starts from `qa.worker` (`celery -A qa.worker worker`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..ml import get_diarizer, get_scorer, get_transcriber, scorer_for_language
from ..models import Interaction, Status
from ..services import pipeline

# Statuses with work left: a call still to transcribe (or to retry), a text still to score.
NEEDS_TRANSCRIPTION = (Status.PENDING, Status.TRANSCRIBING, Status.FAILED)
BATCH_SIZE = 64  # interactions per scoring call: the encoder is much faster batched


def _celery() -> Any | None:
    return current_app.extensions.get("celery")


def transcribe_interaction(interaction_id: int, *, then_score: bool = True) -> bool:
    """Transcribe one call (the multilingual Whisper model when the upload's or team's language
    is not English); on success score it too (unless a queue will)."""
    transcriber = get_transcriber(pipeline.expected_language(interaction_id))
    if pipeline.transcribe(interaction_id, transcriber, get_diarizer()):
        if then_score:
            score_interactions([interaction_id])
        return True
    return False


def score_interactions(interaction_ids: Iterable[int], batch_size: int = BATCH_SIZE) -> int:
    """Score interactions in batches (the encoder is much faster batched)."""
    ids = list(interaction_ids)
    try:
        scorer = get_scorer()
    except Exception as exc:  # a missing or broken model must not lose the interactions
        pipeline.fail_many(ids, f"AutoQA model unavailable: {exc}")
        return 0
    done = 0
    for start in range(0, len(ids), batch_size):
        done += pipeline.score(ids[start : start + batch_size], scorer, scorer_for_language)
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
    """Whether jobs go to Celery (a broker is configured) rather than run inline."""
    return _celery() is not None


def process_interaction(interaction_id: int, status: Status) -> None:
    """Run whatever the interaction still needs, given its status."""
    if status in NEEDS_TRANSCRIPTION:
        enqueue_transcription(interaction_id)
    elif status == Status.TRANSCRIBED:
        enqueue_scoring([interaction_id])


def process_interactions(interaction_ids: Iterable[int], *, inline: bool = False) -> None:
    """Transcribe the calls and score the texts among new interactions: queued when Celery is
    configured, unless `inline` (the demo, the CLI) runs them here and now."""
    ids = list(interaction_ids)
    rows = db.session.execute(
        select(Interaction.id, Interaction.status).where(Interaction.id.in_(ids))
    ).all()
    calls = [i for i, status in rows if status in NEEDS_TRANSCRIPTION]
    texts = [i for i, status in rows if status == Status.TRANSCRIBED]
    transcribe = transcribe_interaction if inline else enqueue_transcription
    for interaction_id in calls:
        transcribe(interaction_id)
    if texts:
        (score_interactions if inline else enqueue_scoring)(texts)


__all__ = [
    "BATCH_SIZE",
    "NEEDS_TRANSCRIPTION",
    "enqueue_scoring",
    "enqueue_transcription",
    "is_queued",
    "process_interaction",
    "process_interactions",
    "score_interactions",
    "transcribe_interaction",
]
