"""Calibration sessions, agreement statistics (Krippendorff's alpha, Cohen's kappa), reviewer
quality and AutoQA-vs-human agreement.

Calibration reviews are ordinary Review rows tied to a session; once submitted their status is
CALIBRATION (not SUBMITTED), so they never count in IQS nor reach the agent's feedback.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from flask_babel import gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..access import interaction_filter, led_team_ids
from ..extensions import db
from ..formats import format_day
from ..models import (
    Answer,
    AutoScore,
    CalibrationSession,
    CalibrationStatus,
    Criterion,
    Interaction,
    Review,
    ReviewStatus,
    Role,
    ScorecardVersion,
    Status,
    User,
    calibration_reviewers,
    utcnow,
)
from . import audit
from .reviews import ReviewError, criterion_score, notify

Level = Literal["nominal", "ordinal", "interval"]
MODES = ("blind", "visible")


# --- agreement statistics ------------------------------------------------------------------


def krippendorff_alpha(
    units: Iterable[Sequence[float | None]], level: Level = "interval"
) -> float | None:
    """Krippendorff's alpha for reliability data with missing values.

    `units` holds one sequence per unit (an interaction, or an interaction x criterion), with
    one value per coder, None where the coder gave no value. Units with fewer than two values
    are not pairable and are left out. Built from the coincidence matrix (Krippendorff 2011,
    "Computing Krippendorff's alpha-reliability"): alpha = 1 - (n - 1) * sum o_ck d_ck /
    sum n_c n_k d_ck. None when undefined (fewer than two pairable values, or every value the
    same so there is no expected disagreement).
    """
    coincidence: dict[tuple[float, float], float] = defaultdict(float)
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, a in enumerate(values):
            for j, b in enumerate(values):
                if i != j:
                    coincidence[(a, b)] += 1.0 / (m - 1)
    totals: dict[float, float] = defaultdict(float)
    for (a, _), o in coincidence.items():
        totals[a] += o
    n = sum(totals.values())
    if n <= 1:
        return None
    values_sorted = sorted(totals)
    delta = _delta(values_sorted, totals, level)
    observed = sum(o * delta(a, b) for (a, b), o in coincidence.items())
    expected = sum(
        totals[a] * totals[b] * delta(a, b) for a in values_sorted for b in values_sorted
    )
    if expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected


def _delta(values: list[float], totals: dict[float, float], level: Level):  # type: ignore[no-untyped-def]
    """Squared difference function of the metric."""
    if level == "nominal":
        return lambda a, b: 0.0 if a == b else 1.0
    if level == "interval":
        return lambda a, b: float(a - b) ** 2
    if level != "ordinal":
        raise ValueError(gettext("unknown level of measurement: %(level)s", level=level))
    index = {v: i for i, v in enumerate(values)}
    cumulative = [0.0]
    for v in values:
        cumulative.append(cumulative[-1] + totals[v])

    def ordinal(a: float, b: float) -> float:
        lo, hi = sorted((index[a], index[b]))
        # sum of n_g for g from c to k, minus half of n_c and n_k
        between = cumulative[hi + 1] - cumulative[lo] - (totals[a] + totals[b]) / 2
        return between**2

    return ordinal


def cohens_kappa(pairs: Sequence[tuple[object, object]]) -> float | None:
    """Cohen's kappa of two raters' labels; None when undefined (no pairs, or chance
    agreement is total because both raters used one and the same label)."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    left = Counter(a for a, _ in pairs)
    right = Counter(b for _, b in pairs)
    expected = sum(left[k] * right.get(k, 0) for k in left) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


# --- sessions ------------------------------------------------------------------------------


def _check_schedule(name: str, due_on: date | None, mode: str) -> None:
    if not name.strip():
        raise ReviewError(gettext("give the session a name"))
    if mode not in MODES:
        raise ReviewError(gettext("unknown mode: %(mode)s", mode=mode))
    if due_on is not None and due_on < utcnow().date():
        raise ReviewError(gettext("the due date is in the past"))


def create_session(
    name: str,
    lead: User,
    version: ScorecardVersion,
    interactions: Sequence[Interaction],
    reviewers: Sequence[User],
    *,
    team_id: int | None = None,
    due_on: date | None = None,
    mode: str = "blind",
) -> CalibrationSession:
    """Open a session: a draft review per reviewer and interaction, and the lead's own
    reference review; reviewers are notified (with the due date when there is one). In a
    blind session nobody sees another's answers before submitting their own."""
    _check_schedule(name, due_on, mode)
    if not interactions:
        raise ReviewError(gettext("pick at least one interaction"))
    reviewers = [r for r in reviewers if r.id != lead.id]
    if len(reviewers) < 2:
        raise ReviewError(gettext("pick at least two reviewers"))
    for r in reviewers:
        if r.role not in (Role.REVIEWER, Role.LEAD, Role.ADMIN):
            raise ReviewError(gettext("%(value)s is not a reviewer", value=r.name))
    for i in interactions:
        if i.agent_id in {lead.id, *(r.id for r in reviewers)}:
            raise ReviewError(gettext("%(external_id)s: nobody scores their own interaction", external_id=i.external_id))
    session = CalibrationSession(
        name=name.strip(),
        lead=lead,
        team_id=team_id,
        scorecard_version=version,
        interactions=list(interactions),
        reviewers=list(reviewers),
        due_on=due_on,
        mode=mode,
    )
    db.session.add(session)
    db.session.flush()
    for person in [lead, *reviewers]:
        for interaction in interactions:
            db.session.add(
                Review(
                    interaction=interaction,
                    reviewer=person,
                    scorecard_version=version,
                    calibration_session=session,
                )
            )
    def message() -> str:
        if due_on:
            return gettext("Calibration to do: %(session)s (due %(due)s)", session=session.name,
                           due=format_day(due_on, "%d %b %Y"))
        return gettext("Calibration to do: %(session)s", session=session.name)

    for person in reviewers:
        notify(person.id, message, f"/calibration/{session.id}")
    audit.record(
        lead,
        "calibration.created",
        session,
        interactions=[i.id for i in interactions],
        reviewers=[r.id for r in reviewers],
    )
    db.session.flush()
    return session


def candidate_interactions(user: User) -> list[Interaction]:
    """What a session can be made of: the 200 latest scored interactions the user may see."""
    return list(
        db.session.scalars(
            select(Interaction)
            .where(interaction_filter(user), Interaction.status == Status.SCORED)
            .order_by(Interaction.started_at.desc())
            .limit(200)
        )
    )


def candidate_reviewers(user: User) -> list[User]:
    """Who can take part in the user's session: active reviewers and leads, leads first."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role.in_([Role.REVIEWER, Role.LEAD]),
                User.active.is_(True),
                User.id != user.id,
            )
            .order_by(User.role.desc(), User.name)
        )
    )


def create_from_choice(
    name: str,
    lead: User,
    version: ScorecardVersion,
    offered: tuple[Sequence[Interaction], Sequence[User]],
    interaction_ids: Iterable[int],
    reviewer_ids: Iterable[int],
    *,
    due_on: date | None = None,
    mode: str = "blind",
) -> CalibrationSession:
    """create_session on the offered interactions and reviewers whose ids were picked; the
    session belongs to a team when all its interactions do."""
    interactions, people = offered
    picked_interactions, picked_reviewers = set(interaction_ids), set(reviewer_ids)
    chosen = [i for i in interactions if i.id in picked_interactions]
    reviewers = [u for u in people if u.id in picked_reviewers]
    teams = {i.team_id for i in chosen}
    return create_session(
        name,
        lead,
        version,
        chosen,
        reviewers,
        team_id=teams.pop() if len(teams) == 1 else None,
        due_on=due_on,
        mode=mode,
    )


def close_session(session: CalibrationSession, actor: User) -> None:
    """Close the session: no more answers; results become visible to the lead."""
    if session.status == CalibrationStatus.CLOSED:
        raise ReviewError(gettext("this session is already closed"))
    session.status = CalibrationStatus.CLOSED
    session.closed_at = utcnow()
    audit.record(actor, "calibration.closed", session)


def is_overdue(session: CalibrationSession, today: date | None = None) -> bool:
    """Still open after its due date."""
    today = today or utcnow().date()
    return (
        session.status == CalibrationStatus.OPEN
        and session.due_on is not None
        and session.due_on < today
    )


def can_see_answers(
    session: CalibrationSession, user: User, reviews: Sequence[Review], *, manages: bool
) -> bool:
    """Whether the user may see everyone's answers side by side: once the session is closed;
    in a visible session from the start; in a blind one, a participant once they submitted
    all their own reviews (the lead runs it and sees them at the close)."""
    if session.status == CalibrationStatus.CLOSED or session.mode == "visible":
        return manages or user.id == session.lead_id or user in session.reviewers
    own = [r for r in reviews if r.reviewer_id == user.id]
    return bool(own) and not manages and all(r.status == ReviewStatus.CALIBRATION for r in own)


def todo_for(user: User) -> list[Review]:
    """The user's unfinished calibration reviews in open sessions."""
    return list(
        db.session.scalars(
            select(Review)
            .join(CalibrationSession, CalibrationSession.id == Review.calibration_session_id)
            .where(
                Review.reviewer_id == user.id,
                Review.status == ReviewStatus.DRAFT,
                CalibrationSession.status == CalibrationStatus.OPEN,
            )
            .options(selectinload(Review.interaction), selectinload(Review.calibration_session))
            .order_by(Review.calibration_session_id, Review.interaction_id)
        )
    )


def sessions_for(user: User) -> list[CalibrationSession]:
    """The sessions a user runs (a lead: theirs and their teams'; an admin: all) or takes part
    in (a reviewer), open first, newest first."""
    query = select(CalibrationSession)
    if user.role == Role.LEAD:
        query = query.where(
            or_(
                CalibrationSession.lead_id == user.id,
                CalibrationSession.team_id.in_(led_team_ids(user)),
            )
        )
    elif user.role == Role.REVIEWER:
        mine = select(calibration_reviewers.c.session_id).where(
            calibration_reviewers.c.user_id == user.id
        )
        query = query.where(CalibrationSession.id.in_(mine))
    return list(
        db.session.scalars(
            query.order_by(
                CalibrationSession.status != CalibrationStatus.OPEN,
                CalibrationSession.created_at.desc(),
            )
        )
    )


def session_reviews(session: CalibrationSession) -> list[Review]:
    """Every review of the session (each person's, each interaction)."""
    return list(
        db.session.scalars(select(Review).where(Review.calibration_session_id == session.id))
    )


def progress(reviews: Iterable[Review]) -> dict[int, tuple[int, int]]:
    """Per reviewer id: (reviews submitted, reviews to do in all)."""
    out: dict[int, tuple[int, int]] = {}
    for r in reviews:
        done, total = out.get(r.reviewer_id, (0, 0))
        out[r.reviewer_id] = (done + (r.status == ReviewStatus.CALIBRATION), total + 1)
    return out


def active_reviewers() -> list[User]:
    """Active reviewers by name (the rows of the reviewer-quality view)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.REVIEWER, User.active.is_(True))
            .order_by(User.name)
        )
    )


@dataclass
class Deviation:
    reviewer: User
    criterion: float | None  # mean |criterion score - reference| (0-100 points)
    score: float | None  # mean |review score - reference review score|
    compared: int  # answers compared


@dataclass
class Results:
    session: CalibrationSession
    criteria: list[Criterion]
    people: list[User]  # lead first, then reviewers
    # answers[interaction_id][criterion_id][user_id] -> "na" | value | None
    answers: dict[int, dict[int, dict[int, object]]]
    scores: dict[int, dict[int, float | None]]  # [interaction_id][user_id]
    alpha: dict[int, float | None]  # per criterion (ordinal)
    alpha_overall: float | None  # interval, criterion scores 0-100 over all criteria
    deviations: list[Deviation] = field(default_factory=list)


def _reviews_of(session: CalibrationSession) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.calibration_session_id == session.id)
            .options(selectinload(Review.answers))
        )
    )


def results(session: CalibrationSession) -> Results:
    """Everyone's answers side by side, alpha per criterion and overall, and each reviewer's
    deviation from the lead's reference review. Drafts count only for their answered items;
    N/A is a missing value."""
    criteria = list(session.scorecard_version.criteria)
    by_id = {c.id: c for c in criteria}
    people = [session.lead, *session.reviewers]
    reviews = _reviews_of(session)
    answers: dict[int, dict[int, dict[int, object]]] = defaultdict(lambda: defaultdict(dict))
    points: dict[tuple[int, int, int], float] = {}  # (interaction, criterion, user) -> 0-100
    raw: dict[tuple[int, int, int], float] = {}
    scores: dict[int, dict[int, float | None]] = defaultdict(dict)
    for review in reviews:
        scores[review.interaction_id][review.reviewer_id] = (
            review.score if review.status == ReviewStatus.CALIBRATION else None
        )
        for a in review.answers:
            key = (review.interaction_id, a.criterion_id, review.reviewer_id)
            if a.na:
                answers[review.interaction_id][a.criterion_id][review.reviewer_id] = "na"
            elif a.value is not None:
                answers[review.interaction_id][a.criterion_id][review.reviewer_id] = a.value
                raw[key] = a.value
                points[key] = criterion_score(by_id[a.criterion_id], a.value)
    interaction_ids = [i.id for i in session.interactions]
    person_ids = [p.id for p in people]
    alpha = {
        c.id: krippendorff_alpha(
            ([raw.get((i, c.id, u)) for u in person_ids] for i in interaction_ids), "ordinal"
        )
        for c in criteria
    }
    alpha_overall = krippendorff_alpha(
        ([points.get((i, c.id, u)) for u in person_ids] for i in interaction_ids for c in criteria),
        "interval",
    )
    deviations = []
    lead_id = session.lead_id
    for reviewer in session.reviewers:
        diffs = [
            abs(points[(i, c.id, reviewer.id)] - points[(i, c.id, lead_id)])
            for i in interaction_ids
            for c in criteria
            if (i, c.id, reviewer.id) in points and (i, c.id, lead_id) in points
        ]
        score_diffs = [
            abs(scores[i][reviewer.id] - scores[i][lead_id])  # type: ignore[operator]
            for i in interaction_ids
            if scores[i].get(reviewer.id) is not None and scores[i].get(lead_id) is not None
        ]
        deviations.append(
            Deviation(
                reviewer=reviewer,
                criterion=round(sum(diffs) / len(diffs), 2) if diffs else None,
                score=round(sum(score_diffs) / len(score_diffs), 2) if score_diffs else None,
                compared=len(diffs),
            )
        )
    return Results(
        session=session,
        criteria=criteria,
        people=people,
        answers=answers,
        scores=scores,
        alpha=alpha,
        alpha_overall=alpha_overall,
        deviations=deviations,
    )


# --- reviewer quality ----------------------------------------------------------------------


def _week_start(moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


@dataclass
class ReviewerWeek:
    week: date  # Monday
    reviews: int = 0
    avg_seconds: float | None = None
    deviation: float | None = None  # mean |criterion score - reference| in closed sessions


# Nobody reads a conversation and answers a scorecard in less time: a shorter "duration" was
# not measured (a review created and submitted in one go, by an import or the demo).
MIN_REVIEW_SECONDS = 10.0
MAX_REVIEW_SECONDS = 4 * 3600.0


def review_seconds(
    started_at: datetime | None, submitted_at: datetime | None, measured: float | None
) -> float | None:
    """Time a reviewer spent on a review: the time measured on the page when there is one,
    else submitted minus started; None when neither is a plausible human review time (under
    MIN_REVIEW_SECONDS, negative, or over MAX_REVIEW_SECONDS), never a made-up zero."""
    candidates = [measured]
    if started_at is not None and submitted_at is not None:
        candidates.append((submitted_at - started_at).total_seconds())
    for value in candidates:
        if value is not None and MIN_REVIEW_SECONDS <= value <= MAX_REVIEW_SECONDS:
            return value
    return None


def reviewer_quality(
    reviewers: Sequence[User], weeks: int = 8, today: date | None = None
) -> dict[int, list[ReviewerWeek]]:
    """Per reviewer and ISO week: reviews submitted, average review time, and the average
    deviation from the lead's reference in closed calibration sessions."""
    today = today or utcnow().date()
    first = _week_start(today) - timedelta(weeks=weeks - 1)
    ids = [r.id for r in reviewers]
    out: dict[int, dict[date, ReviewerWeek]] = {
        rid: {
            first + timedelta(weeks=k): ReviewerWeek(first + timedelta(weeks=k))
            for k in range(weeks)
        }
        for rid in ids
    }
    if not ids:
        return {}
    since = datetime.combine(first, datetime.min.time())
    timing: dict[tuple[int, date], list[float]] = defaultdict(list)
    rows = db.session.execute(
        select(
            Review.reviewer_id, Review.started_at, Review.submitted_at, Review.duration_seconds
        ).where(
            Review.reviewer_id.in_(ids),
            Review.status.in_([ReviewStatus.SUBMITTED, ReviewStatus.CALIBRATION]),
            Review.submitted_at >= since,
        )
    )
    for rid, started_at, submitted_at, seconds in rows:
        week = out[rid].get(_week_start(submitted_at))  # type: ignore[arg-type]
        if week is None:
            continue
        week.reviews += 1
        spent = review_seconds(started_at, submitted_at, seconds)
        if spent is not None:
            timing[(rid, week.week)].append(spent)
    for (rid, wk), values in timing.items():
        out[rid][wk].avg_seconds = round(sum(values) / len(values), 1)
    sessions = db.session.scalars(
        select(CalibrationSession).where(
            CalibrationSession.status == CalibrationStatus.CLOSED,
            CalibrationSession.closed_at >= since,
        )
    ).all()
    dev: dict[tuple[int, date], list[tuple[float, int]]] = defaultdict(list)
    for session in sessions:
        wk = _week_start(session.closed_at)  # type: ignore[arg-type]
        for d in results(session).deviations:
            if d.reviewer.id in out and d.criterion is not None:
                dev[(d.reviewer.id, wk)].append((d.criterion, d.compared))
    for (rid, wk), compared in dev.items():
        if wk in out[rid]:
            total = sum(n for _, n in compared)
            out[rid][wk].deviation = round(sum(v * n for v, n in compared) / total, 2)
    return {rid: list(weeks_.values()) for rid, weeks_ in out.items()}


# --- AutoQA against the reviewers ------------------------------------------------------------


def autoqa_answer(criterion: Criterion, value: float) -> int:
    """AutoQA's 0-100 value placed on the criterion's scale (nearest step, halves up)."""
    span = criterion.scale_max - criterion.scale_min
    return criterion.scale_min + math.floor(value / 100 * span + 0.5)


def _human_answers(
    team_ids: Sequence[int] | None = None,
) -> dict[tuple[int, str], tuple[Criterion, int]]:
    """(interaction_id, criterion, value) of submitted reviews on criteria with an AutoQA key;
    the latest review wins when an interaction was reviewed twice."""
    query = (
        select(Review.interaction_id, Criterion, Answer.value, Review.submitted_at)
        .join(Answer, Answer.review_id == Review.id)
        .join(Criterion, Criterion.id == Answer.criterion_id)
        .where(
            Review.status == ReviewStatus.SUBMITTED,
            Criterion.autoqa_key.is_not(None),
            Answer.na.is_(False),
            Answer.value.is_not(None),
        )
        .order_by(Review.submitted_at)
    )
    if team_ids is not None:
        query = query.join(Interaction, Interaction.id == Review.interaction_id).where(
            Interaction.team_id.in_(list(team_ids))
        )
    latest: dict[tuple[int, str], tuple[Criterion, int]] = {}
    for interaction_id, criterion, value, _ in db.session.execute(query):
        # (the query keeps criteria with an AutoQA key and answers with a value)
        latest[(interaction_id, str(criterion.autoqa_key))] = (criterion, int(value or 0))
    return latest


@dataclass
class KeyAgreement:
    key: str
    criterion: str
    pairs: int
    matched: int
    kappa: float | None

    @property
    def rate(self) -> float | None:
        return self.matched / self.pairs if self.pairs else None


def autoqa_agreement(team_ids: Sequence[int] | None = None) -> list[KeyAgreement]:
    """Per AutoQA key: how often AutoQA's suggestion (placed on the criterion's scale) matched
    the reviewer's answer, and Cohen's kappa of the two."""
    latest = _human_answers(team_ids)
    if not latest:
        return []
    auto = {
        (s.interaction_id, s.criterion): s.value
        for s in db.session.scalars(
            select(AutoScore).where(
                AutoScore.interaction_id.in_({iid for iid, _ in latest}),
                AutoScore.criterion.in_({k for _, k in latest}),
            )
        )
    }
    grouped: dict[str, list[tuple[int, int]]] = defaultdict(list)
    names: dict[str, str] = {}
    for (iid, key), (criterion, value) in latest.items():
        if (iid, key) in auto:
            grouped[key].append((autoqa_answer(criterion, auto[(iid, key)]), value))
            names.setdefault(key, criterion.name)
    return [
        KeyAgreement(
            key=key,
            criterion=names[key],
            pairs=len(pairs),
            matched=sum(1 for a, b in pairs if a == b),
            kappa=cohens_kappa(pairs),
        )
        for key, pairs in sorted(grouped.items())
    ]
