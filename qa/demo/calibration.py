"""The demo's calibration: one closed session, so /calibration/quality shows agreement and
review times from the start."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import (
    CalibrationSession,
    Interaction,
    Review,
    Role,
    ScorecardVersion,
    Status,
    User,
    utcnow,
)
from ..services import calibration as service
from ..services.reviews import AnswerInput, save_answers


def load_calibration(
    version: ScorecardVersion, rng: random.Random, *, interactions: int = 3
) -> CalibrationSession | None:
    """A closed calibration session from last week: the first lead scores a few of their
    team's scored interactions as the reference, every active reviewer scores them too (each
    a step off now and then), with review times measured as the review page does. None when
    the workspace has no lead with a team, fewer than two reviewers or nothing scored."""
    lead = db.session.scalars(
        select(User).where(User.role == Role.LEAD, User.active.is_(True)).order_by(User.id)
    ).first()
    reviewers = list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.REVIEWER, User.active.is_(True))
            .order_by(User.id)
            .limit(3)
        )
    )
    if lead is None or not lead.led_teams or len(reviewers) < 2:
        return None
    team = lead.led_teams[0]
    chosen = list(
        db.session.scalars(
            select(Interaction)
            .where(Interaction.team_id == team.id, Interaction.status == Status.SCORED)
            .order_by(Interaction.started_at.desc(), Interaction.id)
            .limit(interactions)
        )
    )
    if not chosen:
        return None
    session = service.create_session(
        "Billing calibration: refunds and tone", lead, version, chosen, reviewers, team_id=team.id
    )
    reference = {
        (i.id, c.id): rng.randint(c.scale_min, c.scale_max)
        for i in chosen
        for c in version.criteria
    }
    closed = utcnow() - timedelta(days=4)
    for review in db.session.scalars(
        select(Review).where(Review.calibration_session_id == session.id)
    ).all():
        _score(review, reference, rng, exact=review.reviewer_id == lead.id)
        minutes = rng.uniform(4, 11)
        review.started_at = closed - timedelta(days=1, minutes=minutes)
        review.submitted_at = closed - timedelta(days=1)
        review.duration_seconds = round(minutes * 60, 1)
    service.close_session(session, lead)
    session.created_at = closed - timedelta(days=3)
    session.closed_at = closed
    db.session.commit()
    return session


def _score(
    review: Review, reference: dict[tuple[int, int], int], rng: random.Random, *, exact: bool
) -> None:
    """Submit the review: the reference answers, a step off one time in four unless exact."""
    answers = {}
    for criterion in review.scorecard_version.criteria:
        value = reference[(review.interaction_id, criterion.id)]
        if not exact and rng.random() < 0.25:
            step = rng.choice([-1, 1])
            value = min(criterion.scale_max, max(criterion.scale_min, value + step))
        answers[criterion.id] = AnswerInput(value=value)
    save_answers(review, answers, None, submit=True, actor=review.reviewer)
