"""Training assignments: assign a module to agents, complete it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from markupsafe import Markup, escape
from sqlalchemy import or_, select

from qa.extensions import db
from qa.models import Review, Role, User, utcnow
from qa.services import audit

from .models import TrainingAssignment, TrainingModule, TrainingStatus


class TrainingError(ValueError):
    """A training action was refused; the message says why."""


def render_content(module: TrainingModule) -> Markup:
    """Markdown to HTML with any raw HTML escaped first, so module text cannot inject markup."""
    import markdown

    return Markup(markdown.markdown(str(escape(module.content)), extensions=["extra"]))


def modules_for_review(review: Review) -> list[TrainingModule]:
    """Modules linked to the review's weakest criteria first, then the rest of the catalogue."""
    weak = {
        a.criterion.name
        for a in review.answers
        if not a.na and a.value is not None and a.value < a.criterion.scale_max
    }
    weak |= {
        a.criterion.autoqa_key
        for a in review.answers
        if a.criterion.autoqa_key and a.criterion.name in weak
    }
    modules = list(db.session.scalars(select(TrainingModule).order_by(TrainingModule.title)))
    return sorted(modules, key=lambda m: (m.criterion_key not in weak, m.title))


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
            raise TrainingError(f"{agent.name} is not an agent")
        if due_date is not None and due_date < utcnow().date():
            raise TrainingError("the due date is in the past")
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
            agent.id, f"New training: {module.title}", f"/training/assignments/{assignment.id}"
        )
        created.append(assignment)
    return created


def complete(assignment: TrainingAssignment, agent: User) -> None:
    if assignment.agent_id != agent.id:
        raise TrainingError("this training is assigned to someone else")
    if assignment.status == TrainingStatus.COMPLETED:
        raise TrainingError("already completed")
    assignment.status = TrainingStatus.COMPLETED
    assignment.completed_at = utcnow()
    audit.record(agent, "training.completed", assignment, module=assignment.module_id)
    audit.notify(
        assignment.assigned_by_id, f"{agent.name} completed {assignment.module.title}", "/training"
    )


def assignments_for(user: User, team_ids: list[int]) -> list[TrainingAssignment]:
    """An agent's own assignments; a lead's teams'; everything for an admin."""
    query = select(TrainingAssignment).join(User, User.id == TrainingAssignment.agent_id)
    if user.role == Role.AGENT:
        query = query.where(TrainingAssignment.agent_id == user.id)
    elif user.role == Role.LEAD:
        query = query.where(
            or_(User.team_id.in_(team_ids), TrainingAssignment.assigned_by_id == user.id)
        )
    elif user.role != Role.ADMIN:
        return []
    return list(
        db.session.scalars(query.order_by(TrainingAssignment.status, TrainingAssignment.due_date))
    )
