"""Calibration sessions, the reviewer-quality view and AutoQA agreement."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from ..access import can_manage_calibration, led_team_ids, roles_required
from ..extensions import db
from ..models import CalibrationSession, Role
from ..services import calibration as service
from ..services import reviews as review_service
from . import bp
from .forms import CalibrationForm


def _get_session_or_404(session_id: int) -> CalibrationSession:
    session = db.session.get(CalibrationSession, session_id)
    if session is None:
        abort(404)
    if not can_manage_calibration(current_user, session) and current_user not in session.reviewers:
        abort(404)
    return session


@bp.route("/calibration/")
@roles_required(Role.ADMIN, Role.LEAD, Role.REVIEWER)
def index():
    """Sessions the user runs or takes part in, open first."""
    return render_template(
        "calibration/index.html",
        rows=service.sessions_for(current_user),
        todo=service.todo_for(current_user),
        overdue=service.is_overdue,
    )


@bp.route("/calibration/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.LEAD)
def new():
    """Pick interactions and reviewers; everyone scores blind, the lead gives the reference."""
    scorecard = review_service.default_scorecard()
    if scorecard is None or scorecard.current is None:
        abort(409, gettext("Publish a scorecard first."))
    offered = (
        service.candidate_interactions(current_user),
        service.candidate_reviewers(current_user),
    )
    form = CalibrationForm()
    form.offer(*offered)
    if form.validate_on_submit():
        try:
            session = service.create_from_choice(
                form.name.data, current_user, scorecard.current, offered,
                form.interactions.data, form.reviewers.data,
                due_on=form.due_on.data, mode=form.mode.data,
            )  # fmt: skip
        except review_service.ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(gettext("Calibration “%(session)s” started.", session=session.name), "info")
            return redirect(url_for(".show", session_id=session.id))
    return render_template("calibration/new.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/calibration/<int:session_id>")
@roles_required(Role.ADMIN, Role.LEAD, Role.REVIEWER)
def show(session_id: int):
    """Reviewers see their own reviews only; the lead sees progress, and results once closed."""
    session = _get_session_or_404(session_id)
    manages = can_manage_calibration(current_user, session)
    reviews = service.session_reviews(session)
    shown = service.can_see_answers(session, current_user, reviews, manages=manages)
    return render_template(
        "calibration/show.html",
        session=session,
        manages=manages,
        mine=sorted(
            (r for r in reviews if r.reviewer_id == current_user.id),
            key=lambda r: r.interaction_id,
        ),
        progress=service.progress(reviews) if manages else {},
        results=service.results(session) if shown else None,
        overdue=service.is_overdue(session),
    )


@bp.route("/calibration/<int:session_id>/close", methods=["POST"])
@roles_required(Role.ADMIN, Role.LEAD)
def close(session_id: int):
    """Close the session and show the results."""
    session = _get_session_or_404(session_id)
    if not can_manage_calibration(current_user, session):
        abort(404)
    try:
        service.close_session(session, current_user)
    except review_service.ReviewError as exc:
        abort(409, str(exc))
    db.session.commit()
    flash(gettext("Session closed."), "info")
    return redirect(url_for(".show", session_id=session.id))


@bp.route("/calibration/quality")
@roles_required(Role.ADMIN, Role.LEAD)
def quality():
    """Average deviation from the reference and review time per reviewer, week by week."""
    reviewers = service.active_reviewers()
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
