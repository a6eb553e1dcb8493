"""Replacing a sampled interaction a reviewer cannot work on by the next one of its kind."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from ...extensions import db
from ...models import Assignment, AssignmentStatus, Review, ReviewStatus, Sample, User
from .. import audit
from .rules import RISK, SamplingError
from .statements import bind_params, replacement_statement, shape_of


def _check_replaceable(assignment: Assignment, reason: str) -> None:
    """Refuse a replacement without a reason, of a closed assignment or of a reviewed interaction."""
    if not reason:
        raise SamplingError(gettext("give a reason for replacing the interaction"))
    if assignment.status != AssignmentStatus.ASSIGNED:
        raise SamplingError(gettext("this assignment is already %(status)s", status=assignment.status.value))
    if db.session.scalar(
        select(Review.id).where(
            Review.interaction_id == assignment.interaction_id,
            Review.status == ReviewStatus.SUBMITTED,
        )
    ):
        raise SamplingError(gettext("this interaction is already reviewed"))


def replace(assignment: Assignment, reason: str, *, actor: User | None = None) -> Assignment | None:
    """Swap an assigned interaction for the next one of the same agent and stratum.

    The old assignment is marked replaced with the reason; the replacement goes to the same
    reviewer. Returns the new assignment, or None when the agent has nothing left to offer
    (the old one is still released). The caller commits.
    """
    reason = (reason or "").strip()
    _check_replaceable(assignment, reason)
    sample = assignment.sample
    policy = sample.policy
    agent_id = assignment.interaction.agent_id
    assignment.status = AssignmentStatus.REPLACED
    assignment.replaced_reason = reason[:2000]
    row = db.session.execute(
        replacement_statement(shape_of(policy, agent=True), risk=sample.stratum == RISK),
        bind_params(policy, sample.week, agent_id=agent_id),
    ).first()
    new: Assignment | None = None
    if row is not None:
        new_sample = Sample(
            policy_id=policy.id,
            week=sample.week,
            interaction_id=row.id,
            stratum=sample.stratum,
            risk_reason=row.reason if sample.stratum == RISK else None,
        )
        new = Assignment(
            sample=new_sample, interaction_id=row.id, reviewer_id=assignment.reviewer_id
        )
        db.session.add_all([new_sample, new])
        db.session.flush()
    audit.record(
        actor,
        "sample.replaced",
        assignment,
        reason=reason,
        week=sample.week,
        stratum=sample.stratum,
        interaction_id=assignment.interaction_id,
        replacement_interaction_id=row.id if row is not None else None,
    )
    return new
