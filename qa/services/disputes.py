"""A dispute in steps (issue 18): the agent opens it, the review's reviewer answers first
(accepts and adjusts the score, or rejects with a reason), the agent escalates a rejection to
the team's lead within a few days or accepts it, and the lead decides (uphold or overturn,
`reviews.resolve_dispute`). Each step is audited and tells the next party."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..formats import format_day
from ..models import Dispute, DisputeStatus, Review, User, utcnow
from . import audit
from .reviews import (
    AnswerInput,
    ReviewError,
    apply_score_change,
    mark_dispute_notes_read,
    notify,
    score_value,
    team_lead_ids,
)


def _link(dispute: Dispute) -> str:
    return f"/reviews/{dispute.review_id}#disputes"


def answer(
    dispute: Dispute,
    reviewer: User,
    *,
    accept: bool,
    comment: str,
    new_score: float | None = None,
    answer_changes: Mapping[int, AnswerInput] | None = None,
) -> None:
    """The reviewer's step: accept the dispute and adjust the score (changed answers, or a
    new score), which ends it, or reject it with a reason, which hands it back to the agent."""
    if dispute.status != DisputeStatus.OPEN:
        raise ReviewError(gettext("this dispute was already answered"))
    if reviewer.id != dispute.review.reviewer_id:
        raise ReviewError(gettext("only the reviewer who wrote the review answers first"))
    if not comment.strip():
        raise ReviewError(
            "say what you adjusted" if accept else "give the reason you reject the dispute"
        )
    now = utcnow()
    dispute.answered_at, dispute.answer_comment = now, comment.strip()
    mark_dispute_notes_read(dispute, reviewer.id)
    external_id = dispute.review.interaction.external_id
    if accept:
        if not apply_score_change(dispute, new_score, answer_changes):
            raise ReviewError(gettext("to accept, change an answer or give a new score"))
        dispute.status, dispute.resolver, dispute.resolved_at = (
            DisputeStatus.ADJUSTED,
            reviewer,
            now,
        )
        audit.record(
            reviewer, "dispute.reviewer_accepted", dispute, before=score_value(dispute.score_before),
            after=score_value(dispute.score_after), changes=dispute.changes,
        )  # fmt: skip
        notify(
            dispute.agent_id,
            lambda: gettext(
                "%(reviewer)s accepted your dispute on %(external_id)s and adjusted the score",
                reviewer=reviewer.name, external_id=external_id,
            ),
            _link(dispute),
        )
        return
    dispute.status = DisputeStatus.ANSWERED
    audit.record(reviewer, "dispute.reviewer_rejected", dispute)
    notify(
        dispute.agent_id,
        lambda: gettext(
            "%(reviewer)s answered your dispute on %(external_id)s: escalate it to your lead "
            "or accept the answer",
            reviewer=reviewer.name, external_id=external_id,
        ),
        _link(dispute),
    )


def to_answer(reviewer: User) -> list[Dispute]:
    """The open disputes on the reviewer's reviews, waiting for their answer, oldest first."""
    return list(
        db.session.scalars(
            select(Dispute)
            .join(Review, Review.id == Dispute.review_id)
            .where(Review.reviewer_id == reviewer.id, Dispute.status == DisputeStatus.OPEN)
            .options(
                selectinload(Dispute.agent),
                selectinload(Dispute.review).selectinload(Review.interaction),
            )
            .order_by(Dispute.created_at)
        )
    )


def escalation_deadline(dispute: Dispute, days: int) -> datetime | None:
    """Until when the agent may escalate the reviewer's rejection (None at other steps)."""
    if dispute.status != DisputeStatus.ANSWERED or dispute.answered_at is None:
        return None
    return dispute.answered_at + timedelta(days=days)


def escalate(dispute: Dispute, agent: User, note: str, days: int) -> None:
    """The agent's step after a rejection: take the dispute to the team's leads, who are told,
    within `days` days of the reviewer's answer."""
    _check_agent_step(dispute, agent)
    deadline = escalation_deadline(dispute, days)
    if deadline is not None and utcnow() > deadline:
        raise ReviewError(
            gettext(
                "the %(days)s-day window to escalate closed on %(day)s",
                days=days, day=format_day(deadline),
            )
        )  # fmt: skip
    dispute.status, dispute.escalated_at = DisputeStatus.ESCALATED, utcnow()
    dispute.escalation_note = note.strip() or None
    mark_dispute_notes_read(dispute, agent.id)
    audit.record(agent, "dispute.escalated", dispute)
    leads = team_lead_ids(dispute.review.interaction.team_id)
    for lead_id in leads:
        notify(
            lead_id,
            lambda: gettext(
                "%(agent)s escalated a dispute on %(external_id)s: decide it",
                agent=agent.name, external_id=dispute.review.interaction.external_id,
            ),
            f"/disputes/{dispute.id}",
        )


def accept_answer(dispute: Dispute, agent: User) -> None:
    """The agent's other choice: accept the reviewer's rejection; the dispute ends, the score
    stays and the reviewer is told."""
    _check_agent_step(dispute, agent)
    mark_dispute_notes_read(dispute, agent.id)
    _close(dispute, agent, "dispute.answer_accepted")
    notify(
        dispute.review.reviewer_id,
        lambda: gettext(
            "%(agent)s accepted your answer on %(external_id)s",
            agent=agent.name, external_id=dispute.review.interaction.external_id,
        ),
        _link(dispute),
    )


def lapse_expired(disputes: Iterable[Dispute], days: int) -> list[Dispute]:
    """Close the rejected disputes whose escalation window passed (the score stays, as if the
    agent accepted); the ones closed. Called before a review's disputes are read or a new one
    is opened, so a lapsed one never stays under way (it is final: one dispute per review)."""
    closed = []
    for dispute in disputes:
        deadline = escalation_deadline(dispute, days)
        if deadline is not None and utcnow() > deadline:
            _close(dispute, None, "dispute.escalation_lapsed")
            closed.append(dispute)
    return closed


def _check_agent_step(dispute: Dispute, agent: User) -> None:
    if agent.id != dispute.agent_id:
        raise ReviewError(gettext("only the agent who opened the dispute can take this step"))
    if dispute.status != DisputeStatus.ANSWERED:
        raise ReviewError(gettext("the reviewer has not rejected this dispute"))


def _close(dispute: Dispute, actor: User | None, action: str) -> None:
    dispute.status, dispute.resolved_at, dispute.resolver = DisputeStatus.ACCEPTED, utcnow(), actor
    dispute.score_after = dispute.review.score
    audit.record(actor, action, dispute)


@dataclass(frozen=True)
class Step:
    """One line of a dispute's timeline on the review page: what happened, who did it, when,
    and what they wrote."""

    kind: str  # opened | adjusted | rejected | escalated | to_leads | accepted | lapsed | upheld | changed
    who: str
    at: datetime
    text: str | None


def timeline(dispute: Dispute) -> list[Step]:
    """The dispute's steps so far, oldest first."""
    review = dispute.review
    steps = [Step("opened", dispute.agent.name, dispute.created_at, dispute.reason)]
    if dispute.answered_at is not None:
        kind = "adjusted" if dispute.status == DisputeStatus.ADJUSTED else "rejected"
        steps.append(Step(kind, review.reviewer.name, dispute.answered_at, dispute.answer_comment))
    if dispute.escalated_at is not None and dispute.answered_at is None:  # reviewer inactive
        steps.append(Step("to_leads", "", dispute.escalated_at, None))
    elif dispute.escalated_at is not None:
        steps.append(
            Step("escalated", dispute.agent.name, dispute.escalated_at, dispute.escalation_note)
        )
    if dispute.status == DisputeStatus.ACCEPTED and dispute.resolved_at is not None:
        kind = "accepted" if dispute.resolver_id == dispute.agent_id else "lapsed"
        steps.append(Step(kind, dispute.agent.name, dispute.resolved_at, None))
    if dispute.status in (DisputeStatus.UPHELD, DisputeStatus.CHANGED) and dispute.resolved_at:
        who = dispute.resolver.name if dispute.resolver else ""
        steps.append(
            Step(dispute.status.value, who, dispute.resolved_at, dispute.resolution_comment)
        )
    return steps
