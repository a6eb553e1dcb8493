"""Calibration sessions, the reviewer-quality view and AutoQA agreement."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from ..access import interaction_filter, led_team_ids, roles_required
from ..extensions import db
from ..models import (
    CalibrationSession,
    CalibrationStatus,
    Interaction,
    Review,
    ReviewStatus,
    Role,
    Status,
    User,
    calibration_reviewers,
)
from ..services import calibration as service
from ..services import reviews as review_service
from . import bp
from .forms import CalibrationForm


def _manages(session: CalibrationSession) -> bool:
    if current_user.role == Role.ADMIN:
        return True
    if current_user.role != Role.LEAD:
        return False
    return session.lead_id == current_user.id or (
        session.team_id is not None and session.team_id in led_team_ids(current_user)
    )


def _get_session_or_404(session_id: int) -> CalibrationSession:
    session = db.session.get(CalibrationSession, session_id)
    if session is None:
        abort(404)
    if not _manages(session) and current_user not in session.reviewers:
        abort(404)
    return session


@bp.route("/calibration/")
@roles_required(Role.ADMIN, Role.LEAD, Role.REVIEWER)
def calibration_index():
    """Sessions the user runs or takes part in, open first."""
    query = select(CalibrationSession)
    if current_user.role == Role.LEAD:
        query = query.where(
            or_(
                CalibrationSession.lead_id == current_user.id,
                CalibrationSession.team_id.in_(led_team_ids(current_user)),
            )
        )
    elif current_user.role == Role.REVIEWER:
        mine = select(calibration_reviewers.c.session_id).where(
            calibration_reviewers.c.user_id == current_user.id
        )
        query = query.where(CalibrationSession.id.in_(mine))
    rows = db.session.scalars(
        query.order_by(
            CalibrationSession.status != CalibrationStatus.OPEN,
            CalibrationSession.created_at.desc(),
        )
    ).all()
    return render_template("calibration/index.html", rows=rows, todo=service.todo_for(current_user))


@bp.route("/calibration/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.LEAD)
def calibration_new():
    """Pick interactions and reviewers; everyone scores blind, the lead gives the reference."""
    scorecard = review_service.default_scorecard()
    if scorecard is None or scorecard.current is None:
        abort(409, "Publish a scorecard first.")
    form = CalibrationForm()
    candidates = db.session.scalars(
        select(Interaction)
        .where(interaction_filter(current_user), Interaction.status == Status.SCORED)
        .order_by(Interaction.started_at.desc())
        .limit(200)
    ).all()
    people = db.session.scalars(
        select(User)
        .where(
            User.role.in_([Role.REVIEWER, Role.LEAD]),
            User.active.is_(True),
            User.id != current_user.id,
        )
        .order_by(User.role.desc(), User.name)
    ).all()
    form.interactions.choices = [
        (i.id, f"{i.external_id} · {i.channel.value} · {i.agent.name}") for i in candidates
    ]
    form.reviewers.choices = [(u.id, f"{u.name} ({u.role.value})") for u in people]
    if form.validate_on_submit():
        chosen = [i for i in candidates if i.id in set(form.interactions.data)]
        reviewers = [u for u in people if u.id in set(form.reviewers.data)]
        teams = {i.team_id for i in chosen}
        try:
            session = service.create_session(
                form.name.data,
                current_user,
                scorecard.current,
                chosen,
                reviewers,
                team_id=teams.pop() if len(teams) == 1 else None,
            )
        except review_service.ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"Calibration “{session.name}” started.", "info")
            return redirect(url_for(".calibration_show", session_id=session.id))
    status = 400 if form.is_submitted() else 200
    return render_template("calibration/new.html", form=form), status


@bp.route("/calibration/<int:session_id>")
@roles_required(Role.ADMIN, Role.LEAD, Role.REVIEWER)
def calibration_show(session_id: int):
    """Reviewers see their own reviews only; the lead sees progress, and results once closed."""
    session = _get_session_or_404(session_id)
    manages = _manages(session)
    reviews = db.session.scalars(
        select(Review).where(Review.calibration_session_id == session.id)
    ).all()
    mine = sorted(
        (r for r in reviews if r.reviewer_id == current_user.id), key=lambda r: r.interaction_id
    )
    progress: dict[int, tuple[int, int]] = {}
    if manages:
        for r in reviews:
            done, total = progress.get(r.reviewer_id, (0, 0))
            progress[r.reviewer_id] = (
                done + (r.status == ReviewStatus.CALIBRATION),
                total + 1,
            )
    results = (
        service.results(session) if manages and session.status == CalibrationStatus.CLOSED else None
    )
    return render_template(
        "calibration/show.html",
        session=session,
        manages=manages,
        mine=mine,
        progress=progress,
        results=results,
    )


@bp.route("/calibration/<int:session_id>/close", methods=["POST"])
@roles_required(Role.ADMIN, Role.LEAD)
def calibration_close(session_id: int):
    """Close the session and show the results."""
    session = _get_session_or_404(session_id)
    if not _manages(session):
        abort(404)
    try:
        service.close_session(session, current_user)
    except review_service.ReviewError as exc:
        abort(409, str(exc))
    db.session.commit()
    flash("Session closed.", "info")
    return redirect(url_for(".calibration_show", session_id=session.id))


@bp.route("/calibration/quality")
@roles_required(Role.ADMIN, Role.LEAD)
def reviewer_quality():
    """Average deviation from the reference and review time per reviewer, week by week."""
    reviewers = db.session.scalars(
        select(User).where(User.role == Role.REVIEWER, User.active.is_(True)).order_by(User.name)
    ).all()
    data = service.reviewer_quality(reviewers)
    weeks = next(iter(data.values()), [])
    return render_template(
        "calibration/quality.html",
        reviewers=reviewers,
        data=data,
        weeks=[w.week for w in weeks],
        agreement=service.autoqa_agreement(
            None if current_user.role == Role.ADMIN else led_team_ids(current_user)
        ),
    )
