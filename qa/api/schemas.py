"""JSON shapes of the API (kept in step with openapi.py)."""

from __future__ import annotations

from typing import Any

from ..models import AutoScore, Interaction, Review
from ..services.interactions import ImportReport
from ..services.reviews import score_value


def _iso(value: Any) -> str | None:
    """RFC 3339 in UTC: stored datetimes are naive UTC, so say so with a Z."""
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def auto_score(score: AutoScore) -> dict[str, Any]:
    return {
        "criterion": score.criterion,
        "value": score.value,
        "label": score.label,
        "evidence": score.evidence,
        "model_version": score.model_version,
    }


def autoqa_note(item: Interaction) -> str | None:
    """Why AutoQA gave no score ("not scored: language fr"), or "language unknown" when it
    scored a conversation whose language could not be told."""
    if item.autoqa_skipped:
        return f"not scored: {item.autoqa_skipped}"
    if item.auto_scores and item.language is None:
        return "language unknown"
    return None


def interaction(item: Interaction, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "source": item.source,
        "external_id": item.external_id,
        "channel": item.channel.value,
        "agent": {"id": item.agent_id, "email": item.agent.email, "name": item.agent.name},
        "team": {"id": item.team_id, "name": item.team.name},
        "queue": item.queue,
        "subject": item.subject,
        "started_at": _iso(item.started_at),
        "duration_seconds": item.duration_seconds,
        "wait_seconds": item.wait_seconds,
        "first_response_seconds": item.first_response_seconds,
        "csat": item.csat,
        "escalated": item.escalated,
        "status": item.status.value,
        "failure_reason": item.failure_reason,
        "transcription_progress": item.transcription_progress,
        "auto_scores": [auto_score(s) for s in item.auto_scores],
        "language": item.language,
        "language_source": item.language_source,
        "autoqa_status": item.autoqa_status,
        "autoqa_note": autoqa_note(item),
    }
    if full:
        t = item.transcript
        data["transcript"] = (
            None
            if t is None
            else {
                "language": t.language,
                "duration": t.duration_seconds,
                "model": t.model,
                "redactions": t.redactions,
                "segments": [
                    {"start": s.start, "end": s.end, "speaker": s.speaker, "text": s.text}
                    for s in t.segments
                ],
            }
        )
    return data


def ingest_report(report: ImportReport) -> dict[str, Any]:
    """What POST /interactions did: ids created, duplicates skipped, each bad item's reason."""
    return {
        "created": report.created,
        "duplicates": report.duplicates,
        "errors": [{"index": n, "reason": reason} for n, reason in report.errors],
    }


def review(item: Review) -> dict[str, Any]:
    return {
        "id": item.id,
        "interaction_id": item.interaction_id,
        "reviewer": {"id": item.reviewer_id, "name": item.reviewer.name},
        "scorecard": {
            "name": item.scorecard_version.scorecard.name,
            "version": item.scorecard_version.number,
        },
        "status": item.status.value,
        # the one rounding rule of the pages (docs/reviews.md), and the stored value
        "score": score_value(item.score),
        "score_exact": item.score,
        "comment": item.comment,
        "comment_segment": item.comment_segment_position,  # 0-based transcript segment
        "submitted_at": _iso(item.submitted_at),
        "acknowledged_at": _iso(item.acknowledged_at),
        "answers": [
            {
                "criterion": a.criterion.name,
                "value": a.value,
                "na": a.na,
                "comment": a.comment,
                "segment": a.segment_position,
            }
            for a in item.answers
        ],
        "disputes": [
            {
                "status": d.status.value,
                "reason": d.reason,
                "resolution_comment": d.resolution_comment,
            }
            for d in item.disputes
        ],
    }
