from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import get_interaction_or_404, get_review_or_404, led_team_ids, roles_required
from ..extensions import db
from ..models import (
    Assignment,
    AssignmentStatus,
    Dispute,
    DisputeStatus,
    Interaction,
    Review,
    ReviewStatus,
    Role,
    User,
    team_leads,
)
from ..services import reviews as service
from . import bp
from .forms import DisputeForm, ResolveForm, answers_from, review_form


@bp.route("/queue")
@roles_required(Role.REVIEWER)
def queue():
    """The reviewer's work: assigned interactions, drafts, and what they submitted."""
    assigned = db.session.scalars(
        select(Assignment)
        .where(
            Assignment.reviewer_id == current_user.id,
            Assignment.status == AssignmentStatus.ASSIGNED,
        )
        .join(Interaction, Interaction.id == Assignment.interaction_id)
        .order_by(Interaction.started_at)
    ).all()
    mine = db.session.scalars(
        select(Review)
        .where(Review.reviewer_id == current_user.id)
        .order_by(Review.started_at.desc())
        .limit(100)
    ).all()
    drafts = [r for r in mine if r.status == ReviewStatus.DRAFT]
    done = [r for r in mine if r.status == ReviewStatus.SUBMITTED]
    return render_template("reviews/queue.html", assigned=assigned, drafts=drafts, done=done)


@bp.route("/interactions/<int:interaction_id>/review", methods=["POST"])
@roles_required(Role.REVIEWER)
def start(interaction_id: int):
    """Open (or reopen) the reviewer's draft for an interaction."""
    interaction = get_interaction_or_404(interaction_id)
    scorecard = service.default_scorecard()
    if scorecard is None or scorecard.current is None:
        abort(409, "No published scorecard yet.")
    try:
        review = service.start_review(interaction, current_user, scorecard.current)
    except service.ReviewError as exc:
        flash(str(exc), "error")
        return redirect(url_for("interactions.detail", interaction_id=interaction_id))
    db.session.commit()
    return redirect(url_for(".edit", review_id=review.id))


@bp.route("/reviews/<int:review_id>/edit", methods=["GET", "POST"])
@roles_required(Role.REVIEWER)
def edit(review_id: int):
    """Score the interaction on the scorecard: save as draft or submit."""
    review = get_review_or_404(review_id)
    if review.status == ReviewStatus.SUBMITTED:
        return redirect(url_for(".show", review_id=review.id))
    form = review_form(review, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        submit = bool(form.submit.data)
        try:
            service.save_answers(
                review,
                answers_from(form, review),
                form.comment.data,
                submit=submit,
                actor=current_user,
            )
        except service.ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            review = get_review_or_404(review_id)
            return render_template(
                "reviews/edit.html", review=review, form=form, i=review.interaction
            ), 400
        db.session.commit()
        if submit:
            flash(f"Review submitted: score {review.score:.0f}.", "info")
            return redirect(url_for(".queue"))
        flash("Draft saved.", "info")
        return redirect(url_for(".edit", review_id=review.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "reviews/edit.html", review=review, form=form, i=review.interaction
    ), status


@bp.route("/reviews/<int:review_id>")
@roles_required(Role.REVIEWER, Role.AGENT, Role.LEAD, Role.ADMIN)
def show(review_id: int):
    """A review with its answers, comments, disputes and actions for the viewer's role."""
    review = get_review_or_404(review_id)
    from coaching.services import modules_for_review

    window = current_app.config["DISPUTE_WINDOW_DAYS"]
    return render_template(
        "reviews/show.html",
        review=review,
        i=review.interaction,
        window=window,
        dispute_form=DisputeForm(),
        modules=modules_for_review(review),
        can_dispute=_can_dispute(review, window),
    )


def _can_dispute(review: Review, window: int) -> bool:
    from datetime import timedelta

    from ..models import utcnow

    return (
        current_user.role == Role.AGENT
        and review.submitted_at is not None
        and utcnow() - review.submitted_at <= timedelta(days=window)
        and not any(d.status == DisputeStatus.OPEN for d in review.disputes)
    )


@bp.route("/feedback")
@roles_required(Role.AGENT)
def feedback():
    """My feedback: the agent's submitted reviews, newest first."""
    reviews = db.session.scalars(
        select(Review)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(Interaction.agent_id == current_user.id, Review.status == ReviewStatus.SUBMITTED)
        .order_by(Review.submitted_at.desc())
    ).all()
    return render_template("reviews/feedback.html", reviews=reviews)


@bp.route("/reviews/<int:review_id>/acknowledge", methods=["POST"])
@roles_required(Role.AGENT)
def acknowledge(review_id: int):
    """The agent confirms they read the feedback."""
    review = get_review_or_404(review_id)
    service.acknowledge(review, current_user)
    db.session.commit()
    flash("Feedback acknowledged.", "info")
    return redirect(url_for(".show", review_id=review_id))


@bp.route("/reviews/<int:review_id>/dispute", methods=["POST"])
@roles_required(Role.AGENT)
def dispute(review_id: int):
    """The agent disputes the review within the window, with a reason."""
    review = get_review_or_404(review_id)
    form = DisputeForm()
    form.criteria.choices = [(c.id, c.name) for c in review.scorecard_version.criteria]
    if not form.validate_on_submit():
        flash("Give a reason for the dispute.", "error")
        return redirect(url_for(".show", review_id=review_id))
    leads = db.session.scalars(
        select(team_leads.c.user_id).where(team_leads.c.team_id == review.interaction.team_id)
    ).all()
    try:
        service.open_dispute(
            review,
            current_user,
            form.reason.data,
            form.criteria.data or [],
            current_app.config["DISPUTE_WINDOW_DAYS"],
            lead_ids=leads,
        )
    except service.ReviewError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".show", review_id=review_id))
    db.session.commit()
    flash("Dispute opened. Your lead will decide.", "info")
    return redirect(url_for(".show", review_id=review_id))


def _get_dispute_or_404(dispute_id: int) -> Dispute:
    dispute = db.session.get(Dispute, dispute_id)
    if dispute is None:
        abort(404)
    if current_user.role != Role.ADMIN and dispute.review.interaction.team_id not in led_team_ids(
        current_user
    ):
        abort(404)
    return dispute


@bp.route("/disputes")
@roles_required(Role.LEAD, Role.ADMIN)
def disputes():
    """Disputes on the lead's teams, open first."""
    query = (
        select(Dispute)
        .join(Review, Review.id == Dispute.review_id)
        .join(Interaction, Interaction.id == Review.interaction_id)
    )
    if current_user.role != Role.ADMIN:
        query = query.where(Interaction.team_id.in_(led_team_ids(current_user)))
    rows = db.session.scalars(
        query.order_by(Dispute.status != DisputeStatus.OPEN, Dispute.created_at.desc())
    ).all()
    return render_template("reviews/disputes.html", rows=rows)


@bp.route("/disputes/<int:dispute_id>", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def resolve(dispute_id: int):
    """Uphold or change the disputed score, with a comment."""
    dispute = _get_dispute_or_404(dispute_id)
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            service.resolve_dispute(
                dispute,
                current_user,
                new_score=float(form.new_score.data) if form.new_score.data is not None else None,
                comment=form.comment.data,
            )
        except service.ReviewError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"Dispute {dispute.status.value}.", "info")
            return redirect(url_for(".disputes"))
    agent = db.session.get(User, dispute.agent_id)
    return render_template(
        "reviews/resolve.html", dispute=dispute, review=dispute.review, form=form, agent=agent
    )
