"""Transcribe and score interactions: the work behind the jobs, idempotent and failure-safe.

The jobs (`qa.jobs`) pass the models in: a `transcription.Transcriber` and a `scoring`
AutoQA model, as `qa.ml` builds them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from transcription import Transcriber, TranscriptionError
from transcription.diarization import Diarizer, label_speakers
from transcription.language import detect_language, whisper_language

from ..extensions import db
from ..models import AutoScore, Interaction, Segment, Status, Transcript
from . import call_analytics, escalation_head, voice_profiles
from .autoqa import dialogue_turns, score_conversations

if TYPE_CHECKING:
    from scoring import AutoQAModel, Evidence
    from scoring.conformal import Calibration, Uncertainty
    from scoring.custom import CustomScore

log = logging.getLogger(__name__)


def fail(interaction: Interaction, reason: str) -> None:
    """Keep the interaction, marked failed with a reason it can be retried from."""
    interaction.status = Status.FAILED
    interaction.failure_reason = reason[:1000]
    interaction.transcription_progress = None
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


def expected_language(interaction_id: int) -> str | None:
    """The language a call is expected in before Whisper hears it: the upload's, else the
    team's (the job picks the multilingual Whisper model when it is not English)."""
    interaction = db.session.get(Interaction, interaction_id)
    if interaction is None:
        return None
    if interaction.language_source == "import" and interaction.language:
        return interaction.language
    return interaction.team.language


def _set_call_language(interaction: Interaction, transcript: Transcript) -> None:
    """Whisper's detected language (when confident), else the transcript text's; a language
    given with the upload is kept."""
    if interaction.language_source == "import":
        return
    code = whisper_language(transcript.language, transcript.language_probability)
    if code is not None:
        interaction.language, interaction.language_source = code, "whisper"
    else:  # an English-only model detects nothing; an unsure Whisper is not trusted either
        detected = detect_language(s.text for s in transcript.segments)
        interaction.language, interaction.language_source = detected.language, "detected"


def progress_writer(
    interaction: Interaction, every_seconds: float = 2.0, step: float = 0.01
) -> Callable[[float], None]:
    """A transcription progress callback that stores the share done on the interaction, for
    its page, committing at most every ``every_seconds`` and only on a change of ``step``
    or more (a 1-hour call writes a few hundred small updates, not one per segment)."""
    last = {"at": time.monotonic(), "share": 0.0}

    def write(share: float) -> None:
        now = time.monotonic()
        if share - last["share"] < step or now - last["at"] < every_seconds:
            return
        last["at"], last["share"] = now, share
        interaction.transcription_progress = round(min(share, 1.0), 3)
        db.session.commit()

    return write


def transcribe(
    interaction_id: int, transcriber: Transcriber, diarizer: Diarizer | None = None
) -> bool:
    """Transcribe the interaction's recording; True when a transcript exists afterwards.

    With a ``diarizer``, a mono recording's "unknown" speakers become agent and customer
    (each segment with a speaker confidence); when that fails they stay "unknown" and the
    transcript's diarization note says why."""
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
    interaction.transcription_progress = 0.0
    db.session.commit()
    try:
        result = transcriber.transcribe(
            recording.path,
            agent_channel=recording.agent_channel,
            progress=progress_writer(interaction),
        )
    except TranscriptionError as exc:
        fail(interaction, exc.reason)
        return False
    except Exception as exc:  # a bug or broken model must not lose the interaction
        log.exception("transcription of interaction %s failed", interaction_id)
        fail(interaction, f"transcription failed unexpectedly: {type(exc).__name__}: {exc}")
        return False
    if diarizer is not None:  # the agent's opt-in voice profile, if any, helps name the agent
        profile = voice_profiles.profile_for(interaction.agent_id)
        result = label_speakers(diarizer, recording.path, result, profile)
    transcript = Transcript(
        interaction=interaction,
        language=result.language,
        language_probability=result.language_probability,
        duration_seconds=result.duration,
        model=result.model,
        redactions=dict(result.redactions),
        diarization_note=result.diarization_note,
    )
    for position, seg in enumerate(result.segments):
        transcript.segments.append(
            Segment(
                position=position,
                speaker=seg.speaker,
                start=seg.start,
                end=seg.end,
                text=seg.text,
                speaker_confidence=seg.speaker_confidence,
            )
        )
    db.session.add(transcript)
    _set_call_language(interaction, transcript)
    call_analytics.compute(interaction)  # talk ratio, dead air, overtalk... (issue 16)
    interaction.status = Status.TRANSCRIBED
    interaction.transcription_progress = None
    try:
        db.session.commit()
    except IntegrityError:
        # Another worker stored this transcript first (a redelivered job): keep theirs.
        db.session.rollback()
    return True


def score(
    interaction_ids: list[int],
    scorer: AutoQAModel,
    for_language: Callable[[str], AutoQAModel | None] | None = None,
) -> int:
    """Run AutoQA over interactions with transcripts; returns how many were scored. An
    interaction in a language `scorer` was not trained on goes to `for_language(language)`
    (the model shipped for it, e.g. French) or, with none, is not scored."""
    todo: dict[int, tuple[AutoQAModel, list[tuple[Interaction, list[tuple[str, str]]]]]] = {}
    chosen = db.session.scalars(select(Interaction).where(Interaction.id.in_(interaction_ids)))
    skipped = 0
    for interaction in list(chosen):  # fail() commits: read them all first
        if interaction.transcript is None:
            continue
        model = _model_for(interaction.language, scorer, for_language)
        if model is None:
            _not_scored(interaction, f"language {interaction.language}")
            skipped += 1
            continue
        turns = dialogue_turns(interaction.transcript)
        if turns:
            todo.setdefault(id(model), (model, []))[1].append((interaction, turns))
        else:
            fail(interaction, "transcript has no text to score")
    if skipped:
        db.session.commit()
    return sum(_score_with(model, group) for model, group in todo.values())


def _model_for(
    language: str | None,
    scorer: AutoQAModel,
    for_language: Callable[[str], AutoQAModel | None] | None,
) -> AutoQAModel | None:
    """The model that scores this language: the active one when it knows it (or the language
    is unknown), else the one shipped for it, else None."""
    if language is None or language in scorer.languages:
        return scorer
    other = for_language(language) if for_language is not None else None
    return other if other is not None and language in other.languages else None


def _score_with(scorer: AutoQAModel, todo: list[tuple[Interaction, list[tuple[str, str]]]]) -> int:
    """Score these interactions with one model and store the scores."""
    from scoring import Turn  # loaded already: `scorer` is a scoring model

    try:
        # built-in and custom heads score one encoding of each conversation
        predictions, custom = score_conversations(
            scorer, [[Turn(s, t) for s, t in turns] for _, turns in todo]
        )
    except Exception as exc:
        log.exception("scoring failed")
        fail_many([i.id for i, _ in todo], f"scoring failed: {type(exc).__name__}: {exc}")
        return 0
    calibration = _calibration(scorer)
    for (interaction, _), pred, heads in zip(todo, predictions, custom, strict=True):
        existing = {s.criterion: s for s in interaction.auto_scores}
        version = pred.model_version
        _set(
            existing,
            interaction,
            "empathy",
            pred.empathy_score,
            None,
            pred.empathy_evidence,
            version,
        )
        _set(
            existing,
            interaction,
            "resolution",
            pred.resolution_probability * 100,
            pred.resolution_label,
            pred.resolution_evidence,
            version,
        )
        _set_uncertainty(existing, calibration.assess_prediction(pred) if calibration else {})
        _store_custom(existing, interaction, heads)
        interaction.status = Status.SCORED
        interaction.failure_reason = None
        interaction.autoqa_skipped = None
    # qa/tiers: the escalation head reads the conversation with the escalation's reason (it
    # applies only over the encoder it was trained with, see escalation_head)
    escalation_head.score_escalated([i for i, _ in todo], getattr(scorer, "encoder", None))
    db.session.commit()
    return len(todo)


def _calibration(scorer: AutoQAModel) -> Calibration | None:
    """The uncertainty calibration stored with the model (scoring/conformal.py), or None: a
    model without one (or with an unreadable one, logged) gives scores without uncertainty."""
    from scoring import ScoringError
    from scoring.conformal import Calibration

    try:
        return Calibration.from_metadata(getattr(scorer, "metadata", None))
    except ScoringError as exc:
        log.error("AutoQA uncertainty not applied: %s", exc)
        return None


# the words of each head's labels in a conformal set (0, 1)
SET_LABELS = {"empathy": ("not empathetic", "empathetic"), "resolution": ("unresolved", "resolved")}


def _set_uncertainty(existing: dict[str, AutoScore], assessed: dict[str, Uncertainty]) -> None:
    """Each built-in score's confidence and conformal set (cleared when the model has none)."""
    for key in SET_LABELS:
        row = existing.get(key)
        if row is None:
            continue
        u = assessed.get(key)
        row.confidence = None if u is None else round(100 * u.confidence, 2)
        row.prediction_set = None if u is None else [SET_LABELS[key][y] for y in u.prediction_set]
        row.coverage_level = None if u is None else u.level
        row.uncertain = None if u is None else u.uncertain


def _not_scored(interaction: Interaction, reason: str) -> None:
    """The model was not trained on this interaction's language: no score at all (a score
    would mean nothing), and the reason shown instead; earlier scores of it are removed."""
    for row in list(interaction.auto_scores):
        db.session.delete(row)
    interaction.auto_scores.clear()
    interaction.autoqa_skipped = reason[:80]
    interaction.status = Status.SCORED  # the pipeline is done with it, nothing to retry
    interaction.failure_reason = None


def _store_custom(
    existing: dict[str, AutoScore], interaction: Interaction, scores: Sequence[CustomScore]
) -> None:
    """Active custom criterion heads (learned from reviewers) add `crit:<id>` AutoScores
    (`autoqa.score_conversations` already logged and skipped a broken head)."""
    for cs in scores:
        if interaction.language is not None and interaction.language not in cs.languages:
            continue  # a head trained in other languages: no score rather than a meaningless one
        _set(existing, interaction, cs.key, cs.probability * 100, cs.label, cs.evidence, cs.version)


def _set(
    existing: dict[str, AutoScore],
    interaction: Interaction,
    key: str,
    value: float,
    label: str | None,
    evidence: Sequence[Evidence],
    version: str,
) -> None:
    """Store one criterion's AutoScore (a new row, or the one a previous scoring left)."""
    row = existing.get(key) or AutoScore(interaction=interaction, criterion=key)
    row.value = round(float(value), 2)
    row.label = label
    row.evidence = [
        {"turn": e.turn, "speaker": e.speaker, "text": e.text, "weight": round(float(e.weight), 4)}
        for e in evidence
    ]
    row.model_version = version
    existing[key] = row
    db.session.add(row)


__all__ = ["expected_language", "fail", "fail_many", "score", "transcribe"]
