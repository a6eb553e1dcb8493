"""Jobs take interaction ids and call services; inline by default (Celery comes with scale-out)."""

from __future__ import annotations

from collections.abc import Iterable

from .ml import get_scorer, get_transcriber
from .models import Status
from .services import pipeline


def transcribe_interaction(interaction_id: int) -> bool:
    """Transcribe one call; on success score it too."""
    if pipeline.transcribe(interaction_id, get_transcriber()):
        score_interactions([interaction_id])
        return True
    return False


def score_interactions(interaction_ids: Iterable[int], batch_size: int = 64) -> int:
    """Score interactions in batches (the encoder is much faster batched)."""
    ids = list(interaction_ids)
    done = 0
    for start in range(0, len(ids), batch_size):
        done += pipeline.score(ids[start : start + batch_size], get_scorer())
    return done


def process_interaction(interaction_id: int, status: Status) -> None:
    """Run whatever the interaction still needs, given its status."""
    if status in (Status.PENDING, Status.TRANSCRIBING, Status.FAILED):
        transcribe_interaction(interaction_id)
    elif status == Status.TRANSCRIBED:
        score_interactions([interaction_id])
