"""CSV exports of reviews, answers, training and coaching sessions, scoped to teams and audited."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Answer, Criterion, Interaction, Review, ReviewStatus, User
from ..services import audit
from ..services.dashboard import Period, criterion_score_expr, scope
from .models import CoachingSession, TrainingAssignment, TrainingModule


def _in_period(column: Any, period: Period) -> list[Any]:
    return [column >= period.start_at, column < period.end_at]


def _reviews(team_ids: Sequence[int], period: Period) -> tuple[list[str], Select]:
    """Submitted reviews of the teams' interactions in the period."""
    agent = aliased(User)
    reviewer = aliased(User)
    header = [
        "review_id",
        "interaction",
        "channel",
        "started_at",
        "agent",
        "reviewer",
        "score",
        "submitted_at",
        "acknowledged_at",
    ]
    query = (
        select(
            Review.id,
            Interaction.external_id,
            Interaction.channel,
            Interaction.started_at,
            agent.email,
            reviewer.email,
            Review.score,
            Review.submitted_at,
            Review.acknowledged_at,
        )
        .join(Interaction, Interaction.id == Review.interaction_id)
        .join(agent, agent.id == Interaction.agent_id)
        .join(reviewer, reviewer.id == Review.reviewer_id)
        .where(*scope(team_ids, period), Review.status == ReviewStatus.SUBMITTED)
        .order_by(Review.id)
    )
    return header, query


def _answers(team_ids: Sequence[int], period: Period) -> tuple[list[str], Select]:
    """Each answer of those reviews, with the criterion's 0-100 score."""
    agent = aliased(User)
    header = [
        "review_id",
        "interaction",
        "agent",
        "criterion",
        "value",
        "na",
        "criterion_score",
        "comment",
    ]
    query = (
        select(
            Review.id,
            Interaction.external_id,
            agent.email,
            Criterion.name,
            Answer.value,
            Answer.na,
            criterion_score_expr(),
            Answer.comment,
        )
        .join(Answer, Answer.review_id == Review.id)
        .join(Criterion, Criterion.id == Answer.criterion_id)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .join(agent, agent.id == Interaction.agent_id)
        .where(*scope(team_ids, period), Review.status == ReviewStatus.SUBMITTED)
        .order_by(Review.id, Criterion.position)
    )
    return header, query


def _training(team_ids: Sequence[int], period: Period) -> tuple[list[str], Select]:
    """Training assigned to the teams' agents in the period."""
    agent = aliased(User)
    header = [
        "assignment_id",
        "module",
        "criterion",
        "agent",
        "assigned_at",
        "due_date",
        "status",
        "completed_at",
        "quiz_score",
        "quiz_attempts",
    ]
    query = (
        select(
            TrainingAssignment.id,
            TrainingModule.title,
            TrainingModule.criterion_key,
            agent.email,
            TrainingAssignment.created_at,
            TrainingAssignment.due_date,
            TrainingAssignment.status,
            TrainingAssignment.completed_at,
            TrainingAssignment.quiz_score,
            TrainingAssignment.quiz_attempts,
        )
        .join(TrainingModule, TrainingModule.id == TrainingAssignment.module_id)
        .join(agent, agent.id == TrainingAssignment.agent_id)
        .where(
            agent.team_id.in_(list(team_ids)),
            *_in_period(TrainingAssignment.created_at, period),
        )
        .order_by(TrainingAssignment.id)
    )
    return header, query


def _sessions(team_ids: Sequence[int], period: Period) -> tuple[list[str], Select]:
    """Coaching sessions of the teams' agents scheduled in the period."""
    agent = aliased(User)
    lead = aliased(User)
    header = [
        "session_id",
        "agent",
        "lead",
        "scheduled_at",
        "status",
        "criteria",
        "action_items",
        "follow_up_date",
        "acknowledged_at",
    ]
    query = (
        select(
            CoachingSession.id,
            agent.email,
            lead.email,
            CoachingSession.scheduled_at,
            CoachingSession.status,
            CoachingSession.criteria,
            CoachingSession.action_items,
            CoachingSession.follow_up_date,
            CoachingSession.acknowledged_at,
        )
        .join(agent, agent.id == CoachingSession.agent_id)
        .join(lead, lead.id == CoachingSession.lead_id)
        .where(
            agent.team_id.in_(list(team_ids)),
            *_in_period(CoachingSession.scheduled_at, period),
        )
        .order_by(CoachingSession.id)
    )
    return header, query


QUERIES: dict[str, Callable[[Sequence[int], Period], tuple[list[str], Select]]] = {
    "reviews": _reviews,
    "answers": _answers,
    "training": _training,
    "sessions": _sessions,
}
KINDS = tuple(QUERIES)


def export(
    kind: str, actor: User, team_ids: Sequence[int], period: Period
) -> tuple[list[str], list[tuple]]:
    """Header and rows of one export for the teams and period; the export is audited."""
    header, query = QUERIES[kind](team_ids, period)
    rows = [tuple(_plain(v) for v in row) for row in db.session.execute(query)]
    audit.record(
        actor,
        f"export.{kind}",
        None,
        teams=list(team_ids),
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        rows=len(rows),
    )
    return header, rows


def _plain(value: object) -> object:
    if isinstance(value, list):
        return "; ".join(
            " ".join(
                str(x) for x in (v.get("text"), f"({v.get('owner')}", f"due {v.get('due')})") if x
            )
            if isinstance(v, dict)
            else str(v)
            for v in value
        )
    return getattr(value, "value", value)
