"""Transcribe and score one interaction: the work behind the jobs, idempotent and failure-safe."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from transcription import TranscriptionError

from ..extensions import db
from ..models import AutoScore, Interaction, Segment, Status, Transcript

log = logging.getLogger(__name__)

AUTOQA_KEYS = ("empathy", "resolution")


def fail(interaction: Interaction, reason: str) -> None:
    """Keep the interaction, marked failed with a reason it can be retried from."""
    interaction.status = Status.FAILED
    interaction.failure_reason = reason[:1000]
    db.session.commit()


def fail_many(interaction_ids: list[int], reason: str) -> None:
    """Mark several interactions failed with one reason (e.g. the AutoQA model is unavailable)."""
    log.error("failing %d interactions: %s", len(interaction_ids), reason)
    for interaction in db.session.scalars(
        select(Interaction).where(Interaction.id.in_(interaction_ids))
    ):
        interaction.status = Status.FAILED
        interaction.failure_reason = reason[:1000]
    db.session.commit()


def transcribe(interaction_id: int, transcriber: Any) -> bool:
    """Transcribe the interaction's recording; True when a transcript exists afterwards."""
    interaction = db.session.get(Interaction, interaction_id)
    if interaction is None:
        return False
    if interaction.transcript is not None:
        return True  # never transcribe twice; uploads refuse a recording already stored (sha256)
    recording = interaction.recording
    if recording is None:
        fail(interaction, "no recording attached to this call")
        return False
    interaction.status = Status.TRANSCRIBING
    interaction.failure_reason = None
    db.session.commit()
    try:
        result = transcriber.transcribe(recording.path, agent_channel=recording.agent_channel)
    except TranscriptionError as exc:
        fail(interaction, exc.reason)
        return False
    except Exception as exc:  # a bug or broken model must not lose the interaction
        log.exception("transcription of interaction %s failed", interaction_id)
        fail(interaction, f"transcription failed unexpectedly: {type(exc).__name__}: {exc}")
        return False
    transcript = Transcript(
        interaction=interaction,
        language=result.language,
        language_probability=result.language_probability,
        duration_seconds=result.duration,
        model=result.model,
        redactions=dict(result.redactions),
    )
    for position, seg in enumerate(result.segments):
        transcript.segments.append(
            Segment(
                position=position, speaker=seg.speaker, start=seg.start, end=seg.end, text=seg.text
            )
        )
    db.session.add(transcript)
    interaction.status = Status.TRANSCRIBED
    try:
        db.session.commit()
    except IntegrityError:
        # Another worker stored this transcript first (a redelivered job): keep theirs.
        db.session.rollback()
    return True


def turn_groups(segments: Iterable[Any]) -> list[tuple[str, str, list[Any]]]:
    """(speaker, text, segments) per dialogue turn: consecutive segments of one speaker joined;
    mono 'unknown' counts as agent; turns without text are left out. AutoQA's turn indices
    (evidence `turn`) count these turns."""
    groups: list[tuple[str, str, list[Any]]] = []
    for seg in segments:
        speaker = "customer" if seg.speaker == "customer" else "agent"
        if groups and groups[-1][0] == speaker:
            _, text, members = groups[-1]
            groups[-1] = (speaker, f"{text} {seg.text}".strip(), [*members, seg])
        else:
            groups.append((speaker, seg.text.strip(), [seg]))
    return [g for g in groups if g[1]]


def dialogue_turns(transcript: Transcript) -> list[tuple[str, str]]:
    """(speaker, text) per dialogue turn, as AutoQA scores them (see `turn_groups`)."""
    return [(speaker, text) for speaker, text, _ in turn_groups(transcript.segments)]


def score(interaction_ids: list[int], scorer: Any) -> int:
    """Run AutoQA over interactions with transcripts; returns how many were scored."""
    from scoring import Turn

    interactions = [
        i
        for i in db.session.scalars(select(Interaction).where(Interaction.id.in_(interaction_ids)))
        if i.transcript is not None
    ]
    todo = [(i, dialogue_turns(i.transcript)) for i in interactions]  # type: ignore[arg-type]
    empty = [i for i, turns in todo if not turns]
    for interaction in empty:
        fail(interaction, "transcript has no text to score")
    todo = [(i, turns) for i, turns in todo if turns]
    if not todo:
        return 0
    from .autoqa import score_conversations

    try:
        # built-in and custom heads score one encoding of each conversation
        predictions, custom = score_conversations(
            scorer, [[Turn(s, t) for s, t in turns] for _, turns in todo]
        )
    except Exception as exc:
        log.exception("scoring failed")
        fail_many([i.id for i, _ in todo], f"scoring failed: {type(exc).__name__}: {exc}")
        return 0
    for (interaction, _), pred in zip(todo, predictions, strict=True):
        values = {
            "empathy": (pred.empathy_score, None, pred.empathy_evidence),
            "resolution": (
                pred.resolution_probability * 100,
                pred.resolution_label,
                pred.resolution_evidence,
            ),
        }
        existing = {s.criterion: s for s in interaction.auto_scores}
        for key, (value, label, evidence) in values.items():
            row = existing.get(key) or AutoScore(interaction=interaction, criterion=key)
            row.value = round(float(value), 2)
            row.label = label
            row.evidence = [
                {
                    "turn": e.turn,
                    "speaker": e.speaker,
                    "text": e.text,
                    "weight": round(float(e.weight), 4),
                }
                for e in evidence
            ]
            row.model_version = pred.model_version
            db.session.add(row)
        interaction.status = Status.SCORED
        interaction.failure_reason = None
    _store_custom(todo, custom)
    db.session.commit()
    return len(todo)


def _store_custom(todo: list[tuple[Interaction, list[tuple[str, str]]]], results: Any) -> None:
    """Active custom criterion heads (learned from reviewers) add `crit:<id>` AutoScores
    (`autoqa.score_conversations` already logged and skipped a broken head)."""
    for (interaction, _), scores in zip(todo, results, strict=True):
        existing = {s.criterion: s for s in interaction.auto_scores}
        for cs in scores:
            row = existing.get(cs.key) or AutoScore(interaction=interaction, criterion=cs.key)
            row.value = round(cs.probability * 100, 2)
            row.label = cs.label
            row.evidence = [
                {
                    "turn": e.turn,
                    "speaker": e.speaker,
                    "text": e.text,
                    "weight": round(float(e.weight), 4),
                }
                for e in cs.evidence
            ]
            row.model_version = cs.version
            db.session.add(row)
