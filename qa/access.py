"""Who may see what: role decorators and ownership filters shared by views, API and services.

Objects a user may not see answer 404, not 403, so guessed ids reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Select, false, or_, select, true

from .extensions import db
from .models import (
    Assignment,
    AssignmentStatus,
    CalibrationSession,
    Interaction,
    Review,
    ReviewStatus,
    Role,
    User,
    team_leads,
)

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Require a signed-in user with one of `roles` (403 otherwise)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403, gettext("Your role does not allow this page."))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def led_team_ids(user: User) -> list[int]:
    """Ids of the teams a lead leads."""
    return list(
        db.session.scalars(select(team_leads.c.team_id).where(team_leads.c.user_id == user.id))
    )


def interaction_filter(user: User) -> ColumnElement[bool]:
    """SQL condition selecting the interactions `user` may see."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.LEAD:
        teams = led_team_ids(user)
        return Interaction.team_id.in_(teams) if teams else false()
    if user.role == Role.AGENT:
        return Interaction.agent_id == user.id
    if user.role == Role.REVIEWER:
        assigned = select(Assignment.interaction_id).where(
            Assignment.reviewer_id == user.id, Assignment.status != AssignmentStatus.REPLACED
        )
        reviewed = select(Review.interaction_id).where(Review.reviewer_id == user.id)
        return or_(Interaction.id.in_(assigned), Interaction.id.in_(reviewed))
    return false()


def can_view_interaction(user: User, interaction: Interaction) -> bool:
    return bool(
        db.session.scalar(
            select(Interaction.id).where(Interaction.id == interaction.id, interaction_filter(user))
        )
    )


def get_interaction_or_404(interaction_id: int) -> Interaction:
    interaction = db.session.get(Interaction, interaction_id)
    if interaction is None or not can_view_interaction(current_user, interaction):
        abort(404)
    return interaction


def can_view_review(user: User, review: Review) -> bool:
    """Agents see their own submitted reviews; reviewers their own; leads their teams'."""
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.REVIEWER:
        return review.reviewer_id == user.id
    if user.role == Role.AGENT:
        return review.interaction.agent_id == user.id and review.status == ReviewStatus.SUBMITTED
    if user.role == Role.LEAD:
        return review.interaction.team_id in led_team_ids(user)
    return False


def get_review_or_404(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or not can_view_review(current_user, review):
        abort(404)
    return review


def can_manage_team(user: User, team_id: int | None) -> bool:
    """Admins manage every team, leads the teams they lead."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.LEAD and team_id is not None and team_id in led_team_ids(user)


def can_manage_calibration(user: User, session: CalibrationSession) -> bool:
    """Admins manage every calibration session, a lead the ones they run or their teams'."""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.LEAD:
        return False
    return session.lead_id == user.id or (
        session.team_id is not None and session.team_id in led_team_ids(user)
    )


def visible_agents(user: User) -> Select[tuple[User]]:
    """Agents a lead or admin may coach or assign training to."""
    query = select(User).where(User.role == Role.AGENT, User.active.is_(True))
    if user.role == Role.ADMIN:
        return query.order_by(User.name)
    if user.role == Role.LEAD:
        return query.where(User.team_id.in_(led_team_ids(user))).order_by(User.name)
    return query.where(false())
