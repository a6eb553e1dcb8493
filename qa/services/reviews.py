"""Scorecards, reviews and their score formula, acknowledgements and disputes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import (
    Answer,
    Assignment,
    AssignmentStatus,
    Criterion,
    Dispute,
    DisputeStatus,
    Interaction,
    Review,
    ReviewStatus,
    Scorecard,
    ScorecardVersion,
    User,
    utcnow,
)
from . import audit


class ReviewError(ValueError):
    """A review action was refused; the message says why."""


@dataclass(frozen=True)
class AnswerInput:
    value: int | None
    na: bool = False
    comment: str | None = None


def criterion_score(criterion: Criterion, value: float) -> float:
    """(answer - scale min) / (scale max - scale min) x 100."""
    span = criterion.scale_max - criterion.scale_min
    return (value - criterion.scale_min) / span * 100 if span else 100.0


def compute_score(pairs: Iterable[tuple[Criterion, float | None]]) -> float | None:
    """Weighted mean of criterion scores, N/A (None) left out; a failed critical item gives 0.

    A critical criterion fails when its answer is below 50% of its scale. None when nothing is
    answered.
    """
    total = weights = 0.0
    for criterion, value in pairs:
        if value is None:
            continue
        points = criterion_score(criterion, value)
        if criterion.critical and points < 50:
            return 0.0
        total += points * criterion.weight
        weights += criterion.weight
    return round(total / weights, 2) if weights else None


def review_score(review: Review) -> float | None:
    return compute_score((a.criterion, None if a.na else a.value) for a in review.answers)


def default_scorecard() -> Scorecard | None:
    return db.session.scalar(select(Scorecard).order_by(Scorecard.id))


def publish_version(
    scorecard: Scorecard, criteria: list[dict], actor: User | None = None
) -> ScorecardVersion:
    """Publish a new version of a scorecard; earlier reviews keep the version they used."""
    number = (scorecard.versions[-1].number + 1) if scorecard.versions else 1
    version = ScorecardVersion(scorecard=scorecard, number=number, published_at=utcnow())
    for position, spec in enumerate(criteria):
        if spec.get("scale_max", 1) <= spec.get("scale_min", 0):
            raise ReviewError(f"criterion {spec.get('name')!r}: scale max must be above scale min")
        version.criteria.append(Criterion(position=position, **spec))
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "scorecard.published", version, scorecard=scorecard.name, number=number)
    return version


def start_review(interaction: Interaction, reviewer: User, version: ScorecardVersion) -> Review:
    """The reviewer's draft for this interaction, created on first open."""
    if interaction.agent_id == reviewer.id:
        raise ReviewError("you cannot review your own interaction")
    review = db.session.scalar(
        select(Review).where(
            Review.interaction_id == interaction.id, Review.reviewer_id == reviewer.id
        )
    )
    if review is not None:
        return review
    assignment = db.session.scalar(
        select(Assignment).where(
            Assignment.interaction_id == interaction.id,
            Assignment.reviewer_id == reviewer.id,
            Assignment.status == AssignmentStatus.ASSIGNED,
        )
    )
    review = Review(
        interaction=interaction,
        reviewer=reviewer,
        scorecard_version=version,
        assignment_id=assignment.id if assignment else None,
    )
    db.session.add(review)
    db.session.flush()
    audit.record(reviewer, "review.started", review, interaction=interaction.id)
    return review


def save_answers(
    review: Review,
    answers: Mapping[int, AnswerInput],
    comment: str | None,
    *,
    submit: bool,
    actor: User,
) -> Review:
    """Store answers (draft or submit); submitting requires every criterion answered or N/A."""
    if review.status == ReviewStatus.SUBMITTED:
        raise ReviewError("this review is already submitted")
    criteria = {c.id: c for c in review.scorecard_version.criteria}
    existing = {a.criterion_id: a for a in review.answers}
    for criterion_id, given in answers.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise ReviewError("answer for a criterion that is not on this scorecard")
        if given.na and not criterion.allows_na:
            raise ReviewError(f"{criterion.name}: N/A is not allowed")
        if (
            not given.na
            and given.value is not None
            and not (criterion.scale_min <= given.value <= criterion.scale_max)
        ):
            raise ReviewError(
                f"{criterion.name}: answer must be {criterion.scale_min}-{criterion.scale_max}"
            )
        answer = existing.get(criterion_id) or Answer(review=review, criterion=criterion)
        answer.value = None if given.na else given.value
        answer.na = given.na
        answer.comment = (given.comment or "").strip() or None
        db.session.add(answer)
    review.comment = (comment or "").strip() or None
    if submit:
        missing = [
            c.name
            for c in criteria.values()
            if c.id not in answers or (answers[c.id].value is None and not answers[c.id].na)
        ]
        if missing:
            raise ReviewError(
                f"answer every criterion before submitting (missing: {', '.join(missing)})"
            )
        db.session.flush()
        db.session.refresh(review)
        review.score = review_score(review)
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = utcnow()
        if review.assignment_id:
            assignment = db.session.get(Assignment, review.assignment_id)
            if assignment is not None:
                assignment.status = AssignmentStatus.DONE
        audit.record(actor, "review.submitted", review, score=review.score)
        audit.notify(
            review.interaction.agent_id,
            f"New feedback on {review.interaction.external_id}",
            f"/reviews/{review.id}",
        )
    return review


def acknowledge(review: Review, agent: User) -> None:
    if review.acknowledged_at is None:
        review.acknowledged_at = utcnow()
        audit.record(agent, "review.acknowledged", review)


def open_dispute(
    review: Review,
    agent: User,
    reason: str,
    criteria_ids: list[int],
    window_days: int,
    lead_ids: Iterable[int] = (),
) -> Dispute:
    """Dispute a submitted review within the window, with a reason."""
    if review.interaction.agent_id != agent.id:
        raise ReviewError("only the agent of this interaction can dispute it")
    if review.status != ReviewStatus.SUBMITTED or review.submitted_at is None:
        raise ReviewError("only submitted reviews can be disputed")
    if utcnow() - review.submitted_at > timedelta(days=window_days):
        raise ReviewError(f"the {window_days}-day dispute window has closed")
    if any(d.status == DisputeStatus.OPEN for d in review.disputes):
        raise ReviewError("this review already has an open dispute")
    if not reason.strip():
        raise ReviewError("give a reason for the dispute")
    valid = {c.id for c in review.scorecard_version.criteria}
    dispute = Dispute(
        review=review,
        agent=agent,
        reason=reason.strip(),
        criteria=[c for c in criteria_ids if c in valid],
        score_before=review.score,
    )
    db.session.add(dispute)
    db.session.flush()
    audit.record(agent, "dispute.opened", dispute, review=review.id)
    for lead_id in lead_ids:
        audit.notify(lead_id, f"{agent.name} disputed a review", f"/disputes/{dispute.id}")
    return dispute


def resolve_dispute(
    dispute: Dispute, resolver: User, *, new_score: float | None, comment: str
) -> None:
    """Uphold the score (new_score None) or change it; the agent is told, the history kept."""
    if dispute.status != DisputeStatus.OPEN:
        raise ReviewError("this dispute is already decided")
    if not comment.strip():
        raise ReviewError("explain the decision in a comment")
    if new_score is not None and not 0 <= new_score <= 100:
        raise ReviewError("a score is between 0 and 100")
    dispute.resolver = resolver
    dispute.resolution_comment = comment.strip()
    dispute.resolved_at = utcnow()
    if new_score is None:
        dispute.status = DisputeStatus.UPHELD
        dispute.score_after = dispute.review.score
    else:
        dispute.status = DisputeStatus.CHANGED
        dispute.score_after = new_score
        dispute.review.score = new_score
    audit.record(
        resolver,
        "dispute.resolved",
        dispute,
        status=dispute.status.value,
        before=dispute.score_before,
        after=dispute.score_after,
    )
    audit.notify(
        dispute.agent_id,
        f"Your dispute was {dispute.status.value}",
        f"/reviews/{dispute.review_id}",
    )
