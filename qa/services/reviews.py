"""Scorecards, reviews and their score formula, acknowledgements and disputes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from ..access import led_team_ids
from ..extensions import db
from ..languages import CONTENT_LANGUAGES
from ..models import (
    Answer,
    Assignment,
    AssignmentStatus,
    Criterion,
    Dispute,
    DisputeStatus,
    Interaction,
    Notification,
    Review,
    ReviewComment,
    ReviewStatus,
    Role,
    Scorecard,
    ScorecardVersion,
    Segment,
    Transcript,
    User,
    team_leads,
    utcnow,
)
from . import audit, mail, scorecards

# Longest stretch one page view may add to a review's duration (a tab left open overnight
# must not count as review time).
MAX_ELAPSED_PER_SAVE = 3600.0
SCALES = {"yesno": (0, 1), "1-3": (1, 3), "1-5": (1, 5)}
CRITERION_FIELDS = (
    "section",
    "name",
    "description",
    "examples",
    "weight",
    "scale_min",
    "scale_max",
    "allows_na",
    "critical",
    "autoqa_key",
)


class ReviewError(ValueError):
    """A review action was refused; the message says why."""


@dataclass(frozen=True)
class AnswerInput:
    value: int | None
    na: bool = False
    comment: str | None = None
    segment: int | None = None  # transcript segment position the comment is anchored to


def notify(user_id: int, message: str | Callable[[], str], link: str | None = None) -> None:
    """In-app notification, and an email when QA_SMTP_HOST is configured (a callable message
    is rendered in the recipient's language, see audit.notify)."""
    message = audit.notify(user_id, message, link).message
    if not has_app_context() or not current_app.config.get("SMTP_HOST"):
        return
    user = db.session.get(User, user_id)
    if user is None or not user.email:
        return
    send_email(user.email, message, link)


def send_email(to: str, subject: str, link: str | None = None) -> bool:
    """Send one plain-text email through the configured SMTP server; False if it failed (email
    is a courtesy copy: the in-app notification is already stored)."""
    return mail.send(to, subject, f"{subject}\n\n{mail.absolute(link or '')}\n")


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


def draft_version(scorecard: Scorecard) -> ScorecardVersion | None:
    """The scorecard's unpublished version being edited, if any."""
    return next((v for v in scorecard.versions if v.published_at is None), None)


def _check_criteria(criteria: list[dict]) -> None:
    if not criteria:
        raise ReviewError(gettext("a scorecard needs at least one criterion"))
    for spec in criteria:
        unknown = set(spec) - set(CRITERION_FIELDS)
        if unknown:
            raise ReviewError(gettext("unknown criterion fields: %(unknown)s", unknown=', '.join(sorted(unknown))))
        name = (spec.get("name") or "").strip()
        if not name:
            raise ReviewError(gettext("every criterion needs a name"))
        if spec.get("scale_max", 1) <= spec.get("scale_min", 0):
            raise ReviewError(gettext("criterion %(name)s: scale max must be above scale min", name=repr(name)))
        if not spec.get("weight", 1.0) > 0:
            raise ReviewError(gettext("criterion %(name)s: weight must be above 0", name=repr(name)))


def _fill(version: ScorecardVersion, criteria: list[dict]) -> None:
    version.criteria.clear()
    db.session.flush()
    for position, spec in enumerate(criteria):
        spec = {k: v for k, v in spec.items() if v is not None or k == "autoqa_key"}
        version.criteria.append(Criterion(position=position, **spec))


def save_draft(
    scorecard: Scorecard, criteria: list[dict], actor: User | None = None
) -> ScorecardVersion:
    """Store the criteria as the scorecard's unpublished draft version."""
    _check_criteria(criteria)
    version = draft_version(scorecard)
    if version is None:
        number = (scorecard.versions[-1].number + 1) if scorecard.versions else 1
        version = ScorecardVersion(scorecard=scorecard, number=number)
        db.session.add(version)
    _fill(version, criteria)
    db.session.flush()
    audit.record(actor, "scorecard.draft_saved", version, scorecard=scorecard.name)
    return version


def publish_version(
    scorecard: Scorecard, criteria: list[dict] | None = None, actor: User | None = None
) -> ScorecardVersion:
    """Publish a new version of a scorecard; earlier reviews keep the version they used.

    With `criteria` None the draft version is published as it is.
    """
    version = draft_version(scorecard)
    if criteria is None:
        if version is None:
            raise ReviewError(gettext("there is no draft to publish"))
        criteria = [{k: getattr(c, k) for k in CRITERION_FIELDS} for c in version.criteria]
    _check_criteria(criteria)
    if version is None:
        number = (scorecard.versions[-1].number + 1) if scorecard.versions else 1
        version = ScorecardVersion(scorecard=scorecard, number=number)
        db.session.add(version)
        for position, spec in enumerate(criteria):
            version.criteria.append(Criterion(position=position, **spec))
    else:
        _fill(version, criteria)
    version.published_at = utcnow()
    db.session.flush()
    audit.record(
        actor, "scorecard.published", version, scorecard=scorecard.name, number=version.number
    )
    return version


def save_scorecard(
    scorecard: Scorecard | None,
    name: str,
    description: str | None,
    criteria: list[dict],
    *,
    publish: bool,
    actor: User | None = None,
    language: str | None = None,
) -> ScorecardVersion:
    """Create (scorecard None) or rename the scorecard, set the language it is written in (None
    keeps it), then store the criteria as its draft or publish them as a new version."""
    if language is not None and language not in CONTENT_LANGUAGES:
        raise ReviewError(gettext("unknown language %(code)s", code=repr(language)))
    if scorecard is None:
        scorecard = Scorecard(name=name.strip())
        db.session.add(scorecard)
    scorecard.name = name.strip()
    scorecard.description = (description or "").strip() or None
    if language is not None:
        scorecard.language = language
    db.session.flush()
    if publish:
        return publish_version(scorecard, criteria, actor=actor)
    return save_draft(scorecard, criteria, actor=actor)


def scorecard_for(interaction: Interaction, assignment: Assignment | None) -> Scorecard | None:
    """The scorecard of the sampling policy that picked the interaction, else the default one."""
    if assignment is not None:
        policy = assignment.sample.policy if assignment.sample else None
        if policy is not None and policy.scorecard is not None and policy.scorecard.current:
            return policy.scorecard
    return scorecards.pick_scorecard(interaction)


def checked_criterion(
    criteria: Mapping[int, Criterion], criterion_id: int, given: AnswerInput, *, require_value: bool
) -> Criterion:
    """The criterion an answer is for, after checking the answer fits it (N/A allowed, on the
    scale). `require_value`: an empty answer is refused too (drafts may leave one empty)."""
    criterion = criteria.get(criterion_id)
    if criterion is None:
        raise ReviewError(gettext("answer for a criterion that is not on this scorecard"))
    if given.na and not criterion.allows_na:
        raise ReviewError(gettext("%(criterion)s: N/A is not allowed", criterion=criterion.name))
    if not given.na and (
        (given.value is None and require_value)
        or (
            given.value is not None
            and not criterion.scale_min <= given.value <= criterion.scale_max
        )
    ):
        raise ReviewError(
            gettext("%(criterion)s: answer must be %(scale_min)s-%(scale_max)s", criterion=criterion.name, scale_min=criterion.scale_min, scale_max=criterion.scale_max)
        )
    return criterion


def start_review(interaction: Interaction, reviewer: User, version: ScorecardVersion) -> Review:
    """The reviewer's draft for this interaction, created on first open."""
    if interaction.agent_id == reviewer.id:
        raise ReviewError(gettext("you cannot review your own interaction"))
    review = db.session.scalar(
        select(Review).where(
            Review.interaction_id == interaction.id,
            Review.reviewer_id == reviewer.id,
            Review.calibration_session_id.is_(None),
        )
    )
    if review is not None:
        return review
    assignment = open_assignment(interaction, reviewer)
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


def assigned_to(reviewer: User) -> list[Assignment]:
    """The reviewer's open assignments, oldest interaction first."""
    return list(
        db.session.scalars(
            select(Assignment)
            .where(
                Assignment.reviewer_id == reviewer.id,
                Assignment.status == AssignmentStatus.ASSIGNED,
            )
            .join(Interaction, Interaction.id == Assignment.interaction_id)
            .options(
                selectinload(Assignment.interaction).selectinload(Interaction.agent),
                selectinload(Assignment.sample),
            )
            .order_by(Interaction.started_at)
        )
    )


def own_reviews(reviewer: User, status: ReviewStatus, limit: int) -> list[Review]:
    """The reviewer's latest reviews in `status`, calibration left out, newest first."""
    # (reviewer_id, status) index entries are in id order: newest first without a sort
    return list(
        db.session.scalars(
            select(Review)
            .where(
                Review.reviewer_id == reviewer.id,
                Review.status == status,
                Review.calibration_session_id.is_(None),
            )
            .options(selectinload(Review.interaction).selectinload(Interaction.agent))
            .order_by(Review.id.desc())
            .limit(limit)
        )
    )


def open_assignment(interaction: Interaction, reviewer: User) -> Assignment | None:
    """The reviewer's open assignment of the interaction, if any."""
    return db.session.scalar(
        select(Assignment).where(
            Assignment.interaction_id == interaction.id,
            Assignment.reviewer_id == reviewer.id,
            Assignment.status == AssignmentStatus.ASSIGNED,
        )
    )


def segment_count(interaction_id: int) -> int:
    """How many transcript segments an interaction has (anchors must point inside)."""
    return (
        db.session.scalar(
            select(func.count(Segment.id))
            .join(Transcript, Transcript.id == Segment.transcript_id)
            .where(Transcript.interaction_id == interaction_id)
        )
        or 0
    )


def lock_review(review: Review) -> None:
    """Hold the review's row until the transaction ends and read it afresh: parallel requests
    on one review take turns, and the later one sees what the earlier one stored. Changes not
    yet flushed are flushed first: the re-read must not discard them (on PostgreSQL nothing
    else flushes before the expire)."""
    db.session.flush()
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a write takes the database's write lock, held to the commit
        db.session.execute(
            update(Review)
            .where(Review.id == review.id)
            .values(status=Review.status)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(review)
    db.session.get(Review, review.id, with_for_update=True, populate_existing=True)


def save_answers(
    review: Review,
    answers: Mapping[int, AnswerInput],
    comment: str | None,
    *,
    submit: bool,
    actor: User,
    elapsed_seconds: float | None = None,
    comment_segment: int | None = None,
) -> Review:
    """Store answers (draft or submit); submitting requires every criterion answered or N/A.

    Criterion comments and the overall comment (`comment_segment`) may each be anchored to a
    transcript segment (0-based position).

    `elapsed_seconds` is the time spent on the page since it was opened; it adds up into the
    review's duration (reviewer-quality view).
    """
    if review.status != ReviewStatus.DRAFT:
        raise ReviewError(gettext("this review is already submitted"))
    if review.reviewer_id != actor.id:
        raise ReviewError(gettext("only the reviewer can change this review"))
    session = review.calibration_session
    if session is not None and session.status.value == "closed":
        raise ReviewError(gettext("this calibration session is closed"))
    criteria = {c.id: c for c in review.scorecard_version.criteria}
    check_segment = _segment_check(review.interaction_id)
    _store_answers(review, criteria, answers, check_segment)
    if comment_segment is not None:
        check_segment(comment_segment, gettext("Overall comment"))
    review.comment = (comment or "").strip() or None
    review.comment_segment_position = comment_segment
    if elapsed_seconds is not None and elapsed_seconds > 0:
        review.duration_seconds = (review.duration_seconds or 0.0) + min(
            float(elapsed_seconds), MAX_ELAPSED_PER_SAVE
        )
    if submit:
        _submit(review, criteria, answers, actor)
    return review


def _segment_check(interaction_id: int) -> Callable[[int, str], None]:
    """check(position, label): refuses a segment position outside the interaction's transcript
    (the segments are counted once, on first use)."""
    counted: list[int] = []

    def check(position: int, label: str) -> None:
        if not counted:
            counted.append(segment_count(interaction_id))
        if not 0 <= position < counted[0]:
            raise ReviewError(gettext("%(label)s: no transcript segment #%(position)s", label=label, position=position + 1))

    return check


def _store_answers(
    review: Review,
    criteria: Mapping[int, Criterion],
    answers: Mapping[int, AnswerInput],
    check_segment: Callable[[int, str], None],
) -> None:
    existing = {a.criterion_id: a for a in review.answers}
    for criterion_id, given in answers.items():
        criterion = checked_criterion(criteria, criterion_id, given, require_value=False)
        if given.segment is not None:
            check_segment(given.segment, criterion.name)
        answer = existing.get(criterion_id) or Answer(review=review, criterion=criterion)
        answer.value = None if given.na else given.value
        answer.na = given.na
        answer.comment = (given.comment or "").strip() or None
        answer.segment_position = given.segment
        db.session.add(answer)


def _submit(
    review: Review,
    criteria: Mapping[int, Criterion],
    answers: Mapping[int, AnswerInput],
    actor: User,
) -> None:
    """Score and submit the draft (a calibration review stays within its session)."""
    missing = [
        c.name
        for c in criteria.values()
        if c.id not in answers or (answers[c.id].value is None and not answers[c.id].na)
    ]
    if missing:
        raise ReviewError(
            gettext("answer every criterion before submitting (missing: %(missing)s)", missing=', '.join(missing))
        )
    db.session.flush()
    db.session.refresh(review)
    review.score = review_score(review)
    review.submitted_at = utcnow()
    if review.duration_seconds is None:
        review.duration_seconds = min(
            (review.submitted_at - review.started_at).total_seconds(), MAX_ELAPSED_PER_SAVE
        )
    session = review.calibration_session
    if session is not None:
        # Calibration reviews never reach the agent nor count in IQS.
        review.status = ReviewStatus.CALIBRATION
        audit.record(actor, "calibration.review_submitted", review, session=session.id)
        return
    review.status = ReviewStatus.SUBMITTED
    if review.assignment_id:
        assignment = db.session.get(Assignment, review.assignment_id)
        if assignment is not None:
            assignment.status = AssignmentStatus.DONE
    audit.record(actor, "review.submitted", review, score=score_value(review.score))
    notify(
        review.interaction.agent_id,
        lambda: gettext("New feedback on %(external_id)s", external_id=review.interaction.external_id),
        f"/reviews/{review.id}",
    )


def acknowledge(review: Review, agent: User) -> None:
    """The agent confirms they read the feedback (once; later calls change nothing)."""
    if review.interaction.agent_id != agent.id or review.status != ReviewStatus.SUBMITTED:
        raise ReviewError(gettext("only the agent of a submitted review can acknowledge it"))
    if review.acknowledged_at is None:
        review.acknowledged_at = utcnow()
        audit.record(agent, "review.acknowledged", review)


def open_dispute(
    review: Review, agent: User, reason: str, criteria_ids: list[int], window_days: int
) -> Dispute:
    """Dispute a submitted review within the window, with a reason; the review's reviewer is
    told and answers first (qa.services.disputes)."""
    if review.interaction.agent_id != agent.id:
        raise ReviewError(gettext("only the agent of this interaction can dispute it"))
    if review.status != ReviewStatus.SUBMITTED or review.submitted_at is None:
        raise ReviewError(gettext("only submitted reviews can be disputed"))
    if utcnow() - review.submitted_at > timedelta(days=window_days):
        raise ReviewError(gettext("the %(window_days)s-day dispute window has closed", window_days=window_days))
    lock_review(review)  # a parallel dispute of the same review waits, then sees this one
    if open_dispute_of(review) is not None:
        raise ReviewError(gettext("this review already has an open dispute"))
    if final_dispute_of(review) is not None:
        raise ReviewError(
            gettext("this review was already disputed and the dispute is closed: one dispute per review")
        )
    if not reason.strip():
        raise ReviewError(gettext("give a reason for the dispute"))
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
    if not review.reviewer.active:  # nobody to answer first: straight to the team's leads
        escalate_to_leads(dispute, "reviewer_inactive")
        return dispute
    notify(
        review.reviewer_id,
        lambda: gettext(
            "%(agent)s disputed your review of %(external_id)s: answer first",
            agent=agent.name, external_id=review.interaction.external_id,
        ),
        f"/disputes/{dispute.id}",
    )  # fmt: skip
    return dispute


# a dispute still under way: waiting for the reviewer, for the agent, or for the lead
UNDER_WAY = (DisputeStatus.OPEN, DisputeStatus.ANSWERED, DisputeStatus.ESCALATED)


def open_dispute_of(review: Review) -> Dispute | None:
    """The review's dispute still under way, read from the database (a parallel request may
    have stored it)."""
    return db.session.scalar(
        select(Dispute).where(Dispute.review_id == review.id, Dispute.status.in_(UNDER_WAY))
    )


def final_dispute_of(review: Review) -> Dispute | None:
    """The review's closed dispute, if any (one dispute per review: once it is final, adjusted,
    accepted, upheld or changed, the agent cannot open another)."""
    return db.session.scalar(
        select(Dispute).where(Dispute.review_id == review.id, Dispute.status.not_in(UNDER_WAY))
    )


def escalate_to_leads(dispute: Dispute, reason: str) -> None:
    """Send a dispute no reviewer can answer (the review's reviewer is inactive) to the team's
    leads, audited with the reason; the leads are told."""
    dispute.status, dispute.escalated_at = DisputeStatus.ESCALATED, utcnow()
    audit.record(None, "dispute.escalated", dispute, reason=reason)
    external_id = dispute.review.interaction.external_id
    for lead_id in team_lead_ids(dispute.review.interaction.team_id):
        notify(
            lead_id,
            lambda: gettext(
                "A dispute on %(external_id)s has no active reviewer to answer it: decide it",
                external_id=external_id,
            ),
            f"/disputes/{dispute.id}",
        )


def escalate_open_disputes_of(reviewer: User) -> list[Dispute]:
    """On the reviewer's deactivation: their reviews' disputes waiting for their answer go to
    the team's leads (see escalate_to_leads); the ones sent."""
    waiting = list(
        db.session.scalars(
            select(Dispute)
            .join(Review, Review.id == Dispute.review_id)
            .where(Review.reviewer_id == reviewer.id, Dispute.status == DisputeStatus.OPEN)
        )
    )
    for dispute in waiting:
        escalate_to_leads(dispute, "reviewer_inactive")
    return waiting


def mark_dispute_notes_read(dispute: Dispute, user_id: int) -> None:
    """Mark the user's unread notifications about the dispute read once they took their step,
    so their list shows only what is still to do (matched by the notification's link)."""
    links = (f"/disputes/{dispute.id}", f"/reviews/{dispute.review_id}#disputes")
    db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.link.in_(links),
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )


def team_lead_ids(team_id: int | None) -> list[int]:
    """Ids of the team's leads (told of a dispute)."""
    return list(
        db.session.scalars(select(team_leads.c.user_id).where(team_leads.c.team_id == team_id))
    )


def disputes_for(user: User) -> list[Dispute]:
    """Disputes on the lead's teams, those they arbitrate and those of their own reviews (an
    admin: all), those under way first."""
    query = (
        select(Dispute)
        .join(Review, Review.id == Dispute.review_id)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .options(
            selectinload(Dispute.agent),
            selectinload(Dispute.arbitrator),
            selectinload(Dispute.review).selectinload(Review.interaction),
        )
    )
    if user.role != Role.ADMIN:
        query = query.where(
            or_(
                Interaction.team_id.in_(led_team_ids(user)),
                Dispute.arbitrator_id == user.id,
                Review.reviewer_id == user.id,
            )
        )
    return list(
        db.session.scalars(
            query.order_by(Dispute.status.not_in(UNDER_WAY), Dispute.created_at.desc())
        )
    )


def arbitrator_candidates(dispute: Dispute) -> list[User]:
    """Who may decide the dispute: active leads, admins and reviewers other than its agent and
    the review's author."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role.in_([Role.LEAD, Role.ADMIN, Role.REVIEWER]),
                User.active.is_(True),
                User.id.not_in([dispute.agent_id, dispute.review.reviewer_id]),
            )
            .order_by(User.name)
        )
    )


def assign_arbitrator(dispute: Dispute, arbitrator: User, actor: User) -> None:
    """Hand a dispute to another lead, admin or reviewer to decide (not the agent, not the
    reviewer who wrote the review)."""
    if dispute.status != DisputeStatus.ESCALATED:
        raise ReviewError(gettext("only a dispute escalated to the lead gets an arbitrator"))
    if arbitrator.role not in (Role.LEAD, Role.ADMIN, Role.REVIEWER) or not arbitrator.active:
        raise ReviewError(gettext("an arbitrator is an active lead, admin or reviewer"))
    if arbitrator.id in (dispute.agent_id, dispute.review.reviewer_id):
        raise ReviewError(gettext("the agent or the original reviewer cannot arbitrate"))
    dispute.arbitrator = arbitrator
    audit.record(actor, "dispute.arbitrator_assigned", dispute, arbitrator=arbitrator.id)
    notify(arbitrator.id, lambda: gettext("You were asked to decide a dispute"),
           f"/disputes/{dispute.id}")


def resolve_dispute(
    dispute: Dispute,
    resolver: User,
    *,
    new_score: float | None,
    comment: str,
    answer_changes: Mapping[int, AnswerInput] | None = None,
    outcome: str | None = None,
) -> None:
    """The lead's step, on a dispute the agent escalated: uphold the score or change it, either
    directly (new_score) or by changing answers of some criteria (the score is then recomputed
    by the formula); the agent and the reviewer are told, the history kept on the dispute and
    in the audit trail."""
    if dispute.status != DisputeStatus.ESCALATED:
        raise ReviewError(
            gettext("this dispute is already decided")
            if dispute.status not in UNDER_WAY
            else gettext("the reviewer answers first; the lead decides once the agent escalates")
        )
    if resolver.id in (dispute.agent_id, dispute.review.reviewer_id):
        raise ReviewError(gettext("the agent or the original reviewer cannot decide this dispute"))
    if not comment.strip():
        raise ReviewError(gettext("explain the decision in a comment"))
    if outcome == "uphold":
        new_score, answer_changes = None, None
    changed = apply_score_change(dispute, new_score, answer_changes)
    if outcome == "overturn" and not changed:
        raise ReviewError(gettext("to overturn, change an answer or give a new score"))
    dispute.resolver = resolver
    dispute.resolution_comment = comment.strip()
    dispute.resolved_at = utcnow()
    dispute.status = DisputeStatus.CHANGED if changed else DisputeStatus.UPHELD
    mark_dispute_notes_read(dispute, resolver.id)
    audit.record(
        resolver,
        "dispute.resolved",
        dispute,
        status=dispute.status.value,
        before=score_value(dispute.score_before),
        after=score_value(dispute.score_after),
        changes=dispute.changes,
    )
    for user_id in (dispute.agent_id, dispute.review.reviewer_id):
        notify(
            user_id,
            lambda: gettext(
                "The lead decided the dispute on %(external_id)s: %(outcome)s",
                external_id=dispute.review.interaction.external_id,
                outcome=gettext("upheld")
                if dispute.status == DisputeStatus.UPHELD
                else gettext("changed"),
            ),
            f"/reviews/{dispute.review_id}#disputes",
        )


def apply_score_change(
    dispute: Dispute, new_score: float | None, answer_changes: Mapping[int, AnswerInput] | None
) -> bool:
    """Set the decided answers and score on the disputed review (changed answers recompute it
    by the formula, `new_score` overrides it); records the changes and the score after on the
    dispute. True if anything changed."""
    if new_score is not None and not 0 <= new_score <= 100:
        raise ReviewError(gettext("a score is between 0 and 100"))
    review = dispute.review
    changes = _apply_answer_changes(review, answer_changes or {})
    dispute.changes = changes
    score = review.score
    if changes:
        db.session.flush()
        score = review_score(review)
    if new_score is not None:
        score = new_score
    changed = bool(changes) or score != review.score
    review.score = score
    dispute.score_after = score
    return changed


def score_value(value: float | None) -> float | None:
    """The one rounding rule of a review score wherever it is shown or recorded (pages,
    flashes, the audit trail of disputes): one decimal, half away from zero."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def dispute_deadline(review: Review, window_days: int) -> datetime | None:
    """When the agent's dispute window on a submitted review closes (none before submission)."""
    if review.submitted_at is None or review.status != ReviewStatus.SUBMITTED:
        return None
    return review.submitted_at + timedelta(days=window_days)


@dataclass(frozen=True)
class ScoreTrend:
    """An agent's average review score per ISO week beside their team's, oldest week first."""

    weeks: list[str]
    mine: list[float | None]
    team: list[float | None]


def _iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def score_trend(agent: User, weeks: int = 8) -> ScoreTrend:
    """The agent's weekly IQS (mean submitted review score, by week of submission) over the
    last `weeks` weeks with reviews, and the mean of their team's reviews in the same weeks."""
    since = utcnow() - timedelta(weeks=weeks)
    team_filter = (
        Interaction.team_id == agent.team_id
        if agent.team_id is not None
        else Interaction.agent_id == agent.id
    )
    rows = db.session.execute(
        select(Review.submitted_at, Review.score, Interaction.agent_id)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(
            team_filter,
            Review.status == ReviewStatus.SUBMITTED,
            Review.calibration_session_id.is_(None),
            Review.submitted_at >= since,
            Review.score.is_not(None),
        )
    ).all()
    mine: dict[str, list[float]] = {}
    team: dict[str, list[float]] = {}
    for submitted_at, score, agent_id in rows:
        if submitted_at is None or score is None:
            continue
        week = _iso_week(submitted_at)
        team.setdefault(week, []).append(score)
        if agent_id == agent.id:
            mine.setdefault(week, []).append(score)
    labels = sorted(mine)
    if labels:
        labels = sorted(w for w in team if labels[0] <= w <= labels[-1])

    def mean(values: list[float] | None) -> float | None:
        return score_value(sum(values) / len(values)) if values else None

    return ScoreTrend(
        labels, [mean(mine.get(w)) for w in labels], [mean(team.get(w)) for w in labels]
    )


def _apply_answer_changes(
    review: Review, answer_changes: Mapping[int, AnswerInput]
) -> dict[str, Any]:
    """Set the decided answers on the review; {criterion id: {"before", "after"}} of those that
    changed."""
    changes: dict[str, Any] = {}
    criteria = {c.id: c for c in review.scorecard_version.criteria}
    answers = {a.criterion_id: a for a in review.answers}
    for criterion_id, given in answer_changes.items():
        criterion = checked_criterion(criteria, criterion_id, given, require_value=True)
        answer = answers.get(criterion_id)
        if answer is None:
            answer = Answer(review=review, criterion=criterion)
            db.session.add(answer)
        before = "na" if answer.na else answer.value
        after = "na" if given.na else given.value
        if before != after:
            changes[str(criterion_id)] = {"before": before, "after": after}
            answer.na = given.na
            answer.value = None if given.na else given.value
    return changes


def comments_of(review: Review) -> list[ReviewComment]:
    """The review's comment thread, oldest first, with the authors."""
    return list(
        db.session.scalars(
            select(ReviewComment)
            .where(ReviewComment.review_id == review.id)
            .options(selectinload(ReviewComment.author))
            .order_by(ReviewComment.created_at, ReviewComment.id)
        )
    )


def add_comment(review: Review, author: User, body: str) -> ReviewComment:
    """Post to the review's thread (the caller checked the author may see the review); the
    other party is told: the agent's message goes to the reviewer, the reviewer's to the agent,
    a lead's or admin's to both."""
    text = body.strip()
    if not text:
        raise ReviewError(gettext("write a comment first"))
    if len(text) > 5000:
        raise ReviewError(gettext("a comment is at most 5000 characters"))
    if review.status != ReviewStatus.SUBMITTED:
        raise ReviewError(gettext("only submitted reviews have a comment thread"))
    comment = ReviewComment(review_id=review.id, author_id=author.id, body=text)
    db.session.add(comment)
    db.session.flush()
    audit.record(author, "review.commented", review, comment=comment.id)
    parties = {review.interaction.agent_id, review.reviewer_id} - {author.id}
    for user_id in sorted(parties):
        notify(
            user_id,
            lambda: gettext("%(author)s commented on the review of %(external_id)s",
                            author=author.name, external_id=review.interaction.external_id),
            f"/reviews/{review.id}#comments",
        )
    return comment


# --- the reviewer's journey (issue 18): suggestions in the criterion's scale, scale anchors,
# the next item in the queue, and pacing this week ---

# Words under a scale's radios (the scorecard model has no column for them): the lowest and
# highest ends of every scale, and the middle ones of the common 1-3 and 1-5 scales.
SCALE_ANCHORS: dict[tuple[int, int], dict[int, Any]] = {
    (1, 3): {1: lazy_gettext("Not met"), 2: lazy_gettext("Partly"), 3: lazy_gettext("Fully met")},
    (1, 5): {1: lazy_gettext("Not at all"), 2: lazy_gettext("Slightly"), 3: lazy_gettext("Partly"),
             4: lazy_gettext("Mostly"), 5: lazy_gettext("Fully")},
}
# Within this many points of a bin edge, an AutoQA score could as well be the next answer.
NEAR_EDGE = 5.0


def scale_anchors(criterion: Criterion) -> dict[int, str]:
    """The anchor word for each value of a scale criterion ({} for yes/no criteria)."""
    low, high = criterion.scale_min, criterion.scale_max
    if (low, high) == (0, 1):
        return {}
    anchors = SCALE_ANCHORS.get((low, high), {low: lazy_gettext("Not at all"),
                                              high: lazy_gettext("Fully")})
    return {value: str(word) for value, word in anchors.items()}


@dataclass(frozen=True)
class Suggestion:
    """An AutoQA score (0-100) said in a criterion's own answers: `value` is the radio it
    pre-fills, `label` how it reads, `confidence` the share the model gives that answer (for
    yes/no criteria) and `note` how the score was mapped."""

    key: str
    raw: float
    value: str
    label: str
    confidence: float | None
    note: str


def suggested_answer(criterion: Criterion, key: str, raw: float) -> Suggestion:
    """Map an AutoQA score to the criterion's scale. Yes/no: the score is a probability in
    percent, yes at 50 or more, confidence max(p, 1 - p). A scale of n values: 0-100 is cut into
    n equal bins (1-5: 0-20 → 1, 20-40 → 2, … 80-100 → 5); a score within 5 points of a bin
    edge is flagged as close to the neighbouring answer."""
    low, high = criterion.scale_min, criterion.scale_max
    p = max(0.0, min(100.0, raw))
    if (low, high) == (0, 1):
        yes = p >= 50.0
        return Suggestion(key, raw, "1" if yes else "0", gettext("Yes") if yes else gettext("No"),
                          max(p, 100.0 - p) / 100.0, gettext("yes at %(threshold)s%% or more", threshold=50))  # fmt: skip
    levels = high - low + 1
    width = 100.0 / levels
    step = min(int(p // width), levels - 1)
    value = low + step
    edges = [width * step, width * (step + 1)]
    near = any(0.0 < e < 100.0 and abs(p - e) < NEAR_EDGE for e in edges)
    word = scale_anchors(criterion).get(value)
    label = f"{value}" + (f" ({word})" if word else "")
    note = gettext("%(low)s–%(high)s of 100 maps to %(value)s", low=format(edges[0], "g"),
                   high=format(edges[1], "g"), value=value)
    if near:
        note += gettext(", close to the next answer")
    return Suggestion(key, raw, str(value), label, None, note)


def suggestions_for(
    criteria: Iterable[Criterion], scores: Mapping[str, Any]
) -> dict[int, list[Suggestion]]:
    """Per criterion id, the AutoQA suggestions in its scale: its built-in key, then its custom
    head learned from reviewers (crit:<id>), for those that have a score."""
    out: dict[int, list[Suggestion]] = {}
    for c in criteria:
        for key in (c.autoqa_key, f"crit:{c.id}"):
            if key and key in scores:
                out.setdefault(c.id, []).append(suggested_answer(c, key, scores[key].value))
    return out


def next_in_queue(reviewer: User, after: Review) -> Review | Assignment | None:
    """What the reviewer does next after `after`: their oldest open assignment of another
    interaction, else their oldest other draft (calibration left out), else nothing."""
    for assignment in assigned_to(reviewer):
        other = assignment.interaction_id != after.interaction_id
        if other and assignment.interaction.agent_id != reviewer.id:
            return assignment
    return db.session.scalar(
        select(Review)
        .where(
            Review.reviewer_id == reviewer.id,
            Review.status == ReviewStatus.DRAFT,
            Review.calibration_session_id.is_(None),
            Review.id != after.id,
        )
        .order_by(Review.id)
        .limit(1)
    )


@dataclass(frozen=True)
class Pacing:
    """The reviewer's week: reviews submitted since Monday, assignments made since Monday
    (replaced ones left out), and their weekly capacity; `quota` is what they are measured on."""

    done: int
    assigned: int
    capacity: int
    week_start: datetime

    @property
    def quota(self) -> int:
        return self.assigned or self.capacity

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.quota)) if self.quota else 0


def pacing(reviewer: User, now: datetime | None = None) -> Pacing:
    """Done vs quota this ISO week (Monday 00:00 UTC onward)."""
    now = now or utcnow()
    start = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    done = db.session.scalar(
        select(func.count(Review.id)).where(
            Review.reviewer_id == reviewer.id,
            Review.status == ReviewStatus.SUBMITTED,
            Review.calibration_session_id.is_(None),
            Review.submitted_at >= start,
        )
    )
    assigned = db.session.scalar(
        select(func.count(Assignment.id)).where(
            Assignment.reviewer_id == reviewer.id,
            Assignment.status != AssignmentStatus.REPLACED,
            Assignment.created_at >= start,
        )
    )
    return Pacing(int(done or 0), int(assigned or 0), int(reviewer.weekly_capacity or 0), start)
