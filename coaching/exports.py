"""CSV exports of reviews, answers, training and coaching sessions, scoped to teams and audited."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import aliased

from qa.extensions import db
from qa.models import Answer, Criterion, Interaction, Review, ReviewStatus, User
from qa.services import audit
from qa.services.dashboard import Period, criterion_score_expr, scope

from .models import CoachingSession, TrainingAssignment, TrainingModule

KINDS = ("reviews", "answers", "training", "sessions")


def _in_period(column, period: Period):  # type: ignore[no-untyped-def]
    return [column >= period.start_at, column < period.end_at]


def export(
    kind: str, actor: User, team_ids: Sequence[int], period: Period
) -> tuple[list[str], list[tuple]]:
    """Header and rows of one export for the teams and period; the export is audited."""
    agent = aliased(User)
    if kind == "reviews":
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
    elif kind == "answers":
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
    elif kind == "training":
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
    elif kind == "sessions":
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
    else:
        raise KeyError(kind)
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
