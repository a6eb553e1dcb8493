"""Assignments: a module given to agents, completed (after a passed quiz if it has one)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from flask_babel import gettext
from sqlalchemy import Select, select

from ...extensions import db
from ...languages import differs
from ...models import Review, Role, User, utcnow
from ...services import audit
from ..models import TrainingAssignment, TrainingModule, TrainingStatus
from .errors import TrainingError
from .quizzes import QuizResult, grade_quiz
from .scopes import visible_rows


def assign(
    module: TrainingModule,
    agents: Iterable[User],
    assigned_by: User,
    *,
    due_date: date | None = None,
    review: Review | None = None,
    note: str | None = None,
) -> list[TrainingAssignment]:
    """Assign a module to agents; an agent who already has it open is not assigned twice."""
    created = []
    for agent in agents:
        if agent.role != Role.AGENT:
            raise TrainingError(gettext("%(agent)s is not an agent", agent=agent.name))
        if due_date is not None and due_date < utcnow().date():
            raise TrainingError(gettext("the due date is in the past"))
        already = db.session.scalar(
            select(TrainingAssignment).where(
                TrainingAssignment.module_id == module.id,
                TrainingAssignment.agent_id == agent.id,
                TrainingAssignment.status == TrainingStatus.ASSIGNED,
            )
        )
        if already is not None:
            continue
        assignment = TrainingAssignment(
            module=module,
            agent=agent,
            assigned_by=assigned_by,
            due_date=due_date,
            review=review,
            note=(note or "").strip() or None,
        )
        db.session.add(assignment)
        db.session.flush()
        audit.record(
            assigned_by, "training.assigned", assignment, module=module.title, agent=agent.id
        )
        audit.notify(
            agent.id, lambda: gettext("New training: %(module)s", module=module.title),
            f"/training/assignments/{assignment.id}",
        )
        created.append(assignment)
    return created


def agents_in_other_language(module: TrainingModule, agents: Iterable[User]) -> list[User]:
    """The agents whose team works in another language than the module is written in (the
    assign page warns about them; it does not refuse them)."""
    return [a for a in agents if a.team is not None and differs(module.language, a.team.language)]


def complete(
    assignment: TrainingAssignment, agent: User, answers: Mapping[int, int] | None = None
) -> QuizResult | None:
    """Complete an assignment; with a quiz it completes only when the graded answers pass."""
    if assignment.agent_id != agent.id:
        raise TrainingError(gettext("this training is assigned to someone else"))
    if assignment.status == TrainingStatus.COMPLETED:
        raise TrainingError(gettext("already completed"))
    result = None
    if assignment.module.quiz:
        result = grade_quiz(assignment.module, answers or {})
        assignment.quiz_attempts = (assignment.quiz_attempts or 0) + 1
        assignment.quiz_score = max(assignment.quiz_score or 0.0, result.score)
        if not result.passed:
            audit.record(agent, "training.quiz_failed", assignment, score=result.score)
            return result
    assignment.status = TrainingStatus.COMPLETED
    assignment.completed_at = utcnow()
    audit.record(
        agent,
        "training.completed",
        assignment,
        module=assignment.module_id,
        quiz_score=result.score if result else None,
    )
    audit.notify(
        assignment.assigned_by_id,
        lambda: gettext("%(agent)s completed %(module)s", agent=agent.name,
                        module=assignment.module.title),
        "/training",
    )
    return result


def _assignment_scope(user: User, team_ids: Sequence[int]) -> Select | None:
    return visible_rows(TrainingAssignment, user, team_ids, TrainingAssignment.assigned_by_id)


def assignments_for(user: User, team_ids: list[int]) -> list[TrainingAssignment]:
    """An agent's own assignments; a lead's teams'; everything for an admin."""
    query = _assignment_scope(user, team_ids)
    if query is None:
        return []
    return list(
        db.session.scalars(
            query.order_by(
                TrainingAssignment.status, TrainingAssignment.due_date, TrainingAssignment.id
            )
        )
    )


def agent_assignments(agent_id: int) -> list[TrainingAssignment]:
    """All of one agent's assignments, newest first (the agent dashboard's training list)."""
    return list(
        db.session.scalars(
            select(TrainingAssignment)
            .where(TrainingAssignment.agent_id == agent_id)
            .order_by(TrainingAssignment.created_at.desc())
        )
    )


def can_view_assignment(user: User, assignment: TrainingAssignment, team_ids: list[int]) -> bool:
    """Whether the assignment is in the user's scope (see assignments_for)."""
    query = _assignment_scope(user, team_ids)
    if query is None:
        return False
    return (
        db.session.scalar(
            query.with_only_columns(TrainingAssignment.id).where(
                TrainingAssignment.id == assignment.id
            )
        )
        is not None
    )


def overdue(team_ids: Sequence[int], today: date | None = None) -> list[TrainingAssignment]:
    """Open assignments past their due date for agents of the teams (flagged to the lead)."""
    today = today or utcnow().date()
    return list(
        db.session.scalars(
            select(TrainingAssignment)
            .join(User, User.id == TrainingAssignment.agent_id)
            .where(
                User.team_id.in_(list(team_ids)),
                TrainingAssignment.status == TrainingStatus.ASSIGNED,
                TrainingAssignment.due_date < today,
            )
            .order_by(TrainingAssignment.due_date)
        )
    )
