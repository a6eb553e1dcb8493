"""Review workspace, the agent's feedback, and disputes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..access import get_interaction_or_404, get_review_or_404, led_team_ids, roles_required
from ..coaching import services as coaching
from ..dashboard.charts import line_chart
from ..extensions import db
from ..i18n import N_, format_review_score
from ..models import (
    Dispute,
    DisputeStatus,
    Interaction,
    Review,
    ReviewStatus,
    Role,
    ScorecardVersion,
    Segment,
    User,
    utcnow,
)
from ..services import calibration as calibration_service
from ..services import call_analytics
from ..services import disputes as dispute_steps
from ..services import reviews as service
from . import bp
from .forms import (
    ArbitratorForm,
    CommentForm,
    DisputeForm,
    EscalateForm,
    answers_from,
    changed_answers,
    resolve_form,
    review_form,
)


@bp.route("/queue")
@roles_required(Role.REVIEWER)
def queue():
    """The reviewer's work: assigned interactions, drafts, calibration to do, and what they
    submitted."""
    return render_template(
        "reviews/queue.html",
        assigned=service.assigned_to(current_user),
        drafts=service.own_reviews(current_user, ReviewStatus.DRAFT, 100),
        done=service.own_reviews(current_user, ReviewStatus.SUBMITTED, 50),
        calibration=calibration_service.todo_for(current_user),
        pacing=service.pacing(current_user),
        to_answer=dispute_steps.to_answer(current_user),
    )


@bp.route("/interactions/<int:interaction_id>/review", methods=["POST"])
@roles_required(Role.REVIEWER)
def start(interaction_id: int):
    """Open (or reopen) the reviewer's draft for an interaction."""
    interaction = get_interaction_or_404(interaction_id)
    assignment = service.open_assignment(interaction, current_user)
    scorecard = service.scorecard_for(interaction, assignment)
    if scorecard is None or scorecard.current is None:
        abort(409, gettext("No published scorecard yet."))
    try:
        review = _start_or_existing(interaction, scorecard.current)
    except service.ReviewError as exc:
        flash(str(exc), "error")
        return redirect(url_for("interactions.detail", interaction_id=interaction_id))
    return redirect(url_for(".edit", review_id=review.id))


def _start_or_existing(interaction: Interaction, version: ScorecardVersion) -> Review:
    """The reviewer's draft: opened now, or by a parallel request that committed first (the
    database refused this one's copy)."""
    try:
        review = service.start_review(interaction, current_user, version)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        review = service.start_review(interaction, current_user, version)
    return review


WORKSPACE_LOAD = (
    joinedload(Review.interaction).options(
        joinedload(Interaction.agent),
        joinedload(Interaction.team),
        joinedload(Interaction.recording),
        joinedload(Interaction.transcript),
        joinedload(Interaction.analysis),
        selectinload(Interaction.auto_scores),
    ),
    joinedload(Review.scorecard_version).options(
        joinedload(ScorecardVersion.scorecard), selectinload(ScorecardVersion.criteria)
    ),
    selectinload(Review.answers),
)


def _own_review_or_404(review_id: int) -> Review:
    """The signed-in user's own review; leads and admins only score calibration reviews."""
    review = db.session.get(Review, review_id, options=WORKSPACE_LOAD)
    if review is None or review.reviewer_id != current_user.id:
        abort(404)
    if current_user.role != Role.REVIEWER and review.calibration_session_id is None:
        abort(404)
    return review


def workspace_context(review: Review) -> dict[str, Any]:
    """Everything the review page shows, loaded in a fixed number of queries."""
    interaction = review.interaction
    # Plain rows, not ORM objects: a 200-segment call renders noticeably faster this way.
    segments = (
        db.session.execute(
            select(
                Segment.position,
                Segment.speaker,
                Segment.start,
                Segment.text,
                Segment.speaker_confidence,
            )
            .where(Segment.transcript_id == interaction.transcript.id)
            .order_by(Segment.position)
        ).all()
        if interaction.transcript
        else []
    )
    by_position = {s.position: s for s in segments}
    evidence: dict[str, list[dict[str, Any]]] = {}
    seg_keys: dict[int, list[str]] = {}
    for score in interaction.auto_scores:
        items = []
        for e in (score.evidence or [])[:6]:
            text = e.get("text") or ""
            turn = e.get("turn")
            seg = by_position.get(turn) if isinstance(turn, int) else None
            if seg is None or text not in seg.text:
                seg = next((s for s in segments if text and text in s.text), None)
            if seg is not None:
                seg_keys.setdefault(seg.position, [])
                if score.criterion not in seg_keys[seg.position]:
                    seg_keys[seg.position].append(score.criterion)
            items.append({**e, "position": seg.position if seg is not None else None})
        evidence[score.criterion] = items
    # call analytics keys (call.dead_air_share...) suggest answers as AutoQA keys do (issue 16)
    auto: dict[str, Any] = {**call_analytics.call_scores(interaction.analysis)}
    auto.update({s.criterion: s for s in interaction.auto_scores})
    return {
        "review": review,
        "i": interaction,
        "segments": segments,
        "seg_keys": seg_keys,
        "evidence": evidence,
        "auto": auto,
        "suggestions": service.suggestions_for(review.scorecard_version.criteria, auto),
        "anchors": {c.id: service.scale_anchors(c) for c in review.scorecard_version.criteria},
    }


@bp.route("/reviews/<int:review_id>/edit", methods=["GET", "POST"])
@roles_required(Role.REVIEWER, Role.LEAD, Role.ADMIN)
def edit(review_id: int):
    """Score the interaction on the scorecard: save as draft or submit."""
    review = _own_review_or_404(review_id)
    if request.method == "POST":
        service.lock_review(review)  # a parallel save or submit of this review waits here
    if review.status != ReviewStatus.DRAFT:
        return redirect(url_for(".show", review_id=review.id))
    form = review_form(review, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        submit = bool(form.submit.data)
        try:
            service.save_answers(
                review, answers_from(form, review), form.comment.data, submit=submit,
                actor=current_user, elapsed_seconds=form.elapsed.data,
                comment_segment=form.comment_segment.data - 1 if form.comment_segment.data else None,
            )  # fmt: skip
        except service.ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            review = _own_review_or_404(review_id)
            return render_template("reviews/edit.html", form=form, **workspace_context(review)), 400
        db.session.commit()
        return _saved(review, submit)
    status = 400 if request.method == "POST" else 200
    return render_template("reviews/edit.html", form=form, **workspace_context(review)), status


def _saved(review: Review, submit: bool):  # type: ignore[no-untyped-def]
    """Where a saved review goes: back to its draft, to the queue, or to its calibration."""
    if not submit:
        flash(gettext("Draft saved."), "info")
        return redirect(url_for(".edit", review_id=review.id))
    if review.calibration_session_id is not None:
        flash(gettext("Calibration review submitted."), "info")
        return redirect(url_for("calibration.show", session_id=review.calibration_session_id))
    saved = gettext(
        "Review submitted: score %(score)s. Saved %(external_id)s (%(agent)s).",
        score=format_review_score(review.score), external_id=review.interaction.external_id,
        agent=review.interaction.agent.name,
    )
    upcoming = _next_review(review)
    if upcoming is None:
        flash(gettext("%(saved)s Your queue is empty.", saved=saved), "info")
        return redirect(url_for(".queue"))
    flash(gettext("%(saved)s Next in your queue: %(external_id)s.", saved=saved, external_id=upcoming.interaction.external_id), "info")
    return redirect(url_for(".edit", review_id=upcoming.id))


def _next_review(after: Review) -> Review | None:
    """The draft of the next item in the reviewer's queue (opened now for an assignment)."""
    upcoming = service.next_in_queue(current_user, after)
    if isinstance(upcoming, Review) or upcoming is None:
        return upcoming
    scorecard = service.scorecard_for(upcoming.interaction, upcoming)
    if scorecard is None or scorecard.current is None:
        return None
    try:
        return _start_or_existing(upcoming.interaction, scorecard.current)
    except service.ReviewError:
        return None


@bp.route("/reviews/<int:review_id>")
@roles_required(Role.REVIEWER, Role.AGENT, Role.LEAD, Role.ADMIN)
def show(review_id: int):
    """A review with its answers, comments, disputes and actions for the viewer's role."""
    # one round of eager loads; keep a reference, the identity map only holds weak ones
    preloaded = db.session.get(Review, review_id, options=WORKSPACE_LOAD)  # noqa: F841
    review = get_review_or_404(review_id)
    window = current_app.config["DISPUTE_WINDOW_DAYS"]
    escalation_days = _lapse_expired(review)
    form = DisputeForm()
    # load the criteria in one query so answers find theirs in the identity map (no N+1)
    _ = review.scorecard_version.criteria
    manages = current_user.role in (Role.LEAD, Role.ADMIN)
    return render_template(
        "reviews/show.html",
        window=window,
        dispute_form=form,
        modules=coaching.modules_for_review(review) if manages else [],
        can_dispute=_can_dispute(review, window),
        dispute_until=service.dispute_deadline(review, window),
        has_open_dispute=any(d.status in service.UNDER_WAY for d in review.disputes),
        timelines={d.id: dispute_steps.timeline(d) for d in review.disputes},
        escalate_until={
            d.id: dispute_steps.escalation_deadline(d, escalation_days) for d in review.disputes
        },
        escalate_form=EscalateForm(formdata=None),
        comments=service.comments_of(review),
        comment_form=CommentForm(formdata=None),
        **workspace_context(review),
    )


def _lapse_expired(review: Review) -> int:
    """Close the review's rejected disputes whose escalation window passed; the window in
    days."""
    days: int = current_app.config["DISPUTE_ESCALATION_DAYS"]
    if dispute_steps.lapse_expired(review.disputes, days):
        db.session.commit()
    return days


def _can_dispute(review: Review, window: int) -> bool:
    return (
        current_user.role == Role.AGENT
        and review.status == ReviewStatus.SUBMITTED
        and review.submitted_at is not None
        and utcnow() - review.submitted_at <= timedelta(days=window)
        and not review.disputes  # one dispute per review, under way or final
    )


@bp.route("/feedback")
@roles_required(Role.AGENT)
def feedback():
    """My feedback: the agent's submitted reviews with score, criteria and comments."""
    reviews = db.session.scalars(
        select(Review)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(Interaction.agent_id == current_user.id, Review.status == ReviewStatus.SUBMITTED)
        .options(
            selectinload(Review.interaction),
            selectinload(Review.reviewer),
            selectinload(Review.answers),
            selectinload(Review.disputes),
            selectinload(Review.scorecard_version).selectinload(ScorecardVersion.criteria),
        )
        .order_by(Review.submitted_at.desc())
    ).all()
    window = current_app.config["DISPUTE_WINDOW_DAYS"]
    return render_template(
        "reviews/feedback.html",
        reviews=reviews,
        window=window,
        deadlines={r.id: service.dispute_deadline(r, window) for r in reviews},
        now=utcnow(),
        trend=_trend_chart(service.score_trend(current_user)),
    )


@bp.route("/reviews/<int:review_id>/acknowledge", methods=["POST"])
@roles_required(Role.AGENT)
def acknowledge(review_id: int):
    """The agent confirms they read the feedback."""
    review = get_review_or_404(review_id)
    try:
        service.acknowledge(review, current_user)
    except service.ReviewError as exc:
        abort(404, str(exc))
    db.session.commit()
    flash(gettext("Feedback acknowledged."), "info")
    if request.form.get("back") == "feedback":
        return redirect(url_for(".feedback"))
    return redirect(url_for(".show", review_id=review_id))


@bp.route("/reviews/<int:review_id>/dispute", methods=["POST"])
@roles_required(Role.AGENT)
def dispute(review_id: int):
    """The agent disputes the review within the window, with a reason."""
    review = get_review_or_404(review_id)
    form = DisputeForm()
    form.criteria.choices = [(c.id, c.name) for c in review.scorecard_version.criteria]
    if not form.validate_on_submit():
        flash(gettext("Give a reason for the dispute."), "error")
        return redirect(url_for(".show", review_id=review_id))
    try:
        dispute_steps.lapse_expired(review.disputes, current_app.config["DISPUTE_ESCALATION_DAYS"])
        service.open_dispute(
            review, current_user, form.reason.data, form.criteria.data or [],
            current_app.config["DISPUTE_WINDOW_DAYS"],
        )  # fmt: skip
        db.session.commit()
    except (service.ReviewError, IntegrityError) as exc:  # (a parallel dispute came first)
        db.session.rollback()
        flash(str(exc) if isinstance(exc, service.ReviewError) else gettext(_ALREADY_DISPUTED), "error")
        return redirect(url_for(".show", review_id=review_id))
    flash(gettext("Dispute opened. The reviewer answers first."), "info")
    return redirect(url_for(".show", review_id=review_id))


_ALREADY_DISPUTED = N_("this review already has an open dispute")


def _may_manage_dispute(dispute: Dispute) -> bool:
    """Admins, the team's leads."""
    if current_user.role == Role.ADMIN:
        return True
    return current_user.role == Role.LEAD and dispute.review.interaction.team_id in led_team_ids(
        current_user
    )


def _get_dispute_or_404(dispute_id: int) -> Dispute:
    """The dispute, for the team's leads, admins, its arbitrator and the review's reviewer."""
    dispute = db.session.get(Dispute, dispute_id)
    if dispute is None:
        abort(404)
    allowed = (dispute.arbitrator_id, dispute.review.reviewer_id)
    if not _may_manage_dispute(dispute) and current_user.id not in allowed:
        abort(404)
    return dispute


def _reviewer_step(dispute: Dispute) -> bool:
    """The viewer is the review's reviewer and the dispute waits for their answer."""
    return dispute.status == DisputeStatus.OPEN and dispute.review.reviewer_id == current_user.id


def _lead_step(dispute: Dispute) -> bool:
    """The dispute is escalated and the viewer may decide it (lead, admin, arbitrator)."""
    return dispute.status == DisputeStatus.ESCALATED and (
        _may_manage_dispute(dispute) or dispute.arbitrator_id == current_user.id
    )


@bp.route("/disputes")
@roles_required(Role.LEAD, Role.ADMIN, Role.REVIEWER)
def disputes():
    """Disputes on the lead's teams, those they arbitrate and those of the reviewer's own
    reviews, those under way first."""
    return render_template("reviews/disputes.html", rows=service.disputes_for(current_user))


def _arbitrator_choices(dispute: Dispute) -> list[tuple[int, str]]:
    return [(u.id, f"{u.name} ({u.role.value})") for u in service.arbitrator_candidates(dispute)]


@bp.route("/disputes/<int:dispute_id>", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN, Role.REVIEWER)
def resolve(dispute_id: int):
    """The reviewer's answer (accept and adjust, or reject) on an open dispute; the lead's
    decision (uphold or change: new answers per criterion or a new score) on an escalated one."""
    dispute = _get_dispute_or_404(dispute_id)
    form = resolve_form(dispute.review, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and not (_reviewer_step(dispute) or _lead_step(dispute)):
        flash(_waiting_for(dispute), "error")
        return _resolve_page(dispute, form, 409)
    if request.method == "POST" and form.validate():
        try:
            if _reviewer_step(dispute):
                _answer(dispute, form, request.form.get("action"))
            else:
                _decide(dispute, form, request.form.get("action"))
        except service.ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _resolve_page(_get_dispute_or_404(dispute_id), form, 400)
        db.session.commit()
        flash(decision_message(dispute), "info")
        if _may_manage_dispute(dispute):
            return redirect(url_for(".disputes"))
        return redirect(url_for(".resolve", dispute_id=dispute.id))
    return _resolve_page(dispute, form, 400 if request.method == "POST" else 200)


def _waiting_for(dispute: Dispute) -> str:
    """Why the viewer cannot act on the dispute now."""
    if dispute.status == DisputeStatus.OPEN:
        return gettext("The reviewer answers this dispute first.")
    if dispute.status == DisputeStatus.ANSWERED:
        return gettext("The reviewer rejected it; the agent may escalate it or accept the answer.")
    if dispute.status == DisputeStatus.ESCALATED:
        return gettext("The team's lead decides this dispute.")
    return gettext("This dispute is closed.")


def _answer(dispute: Dispute, form: Any, action: str | None) -> None:
    """The reviewer accepts (with the changed answers or score) or rejects (nothing changes)."""
    accept = action == "accept"
    dispute_steps.answer(
        dispute, current_user, accept=accept, comment=form.comment.data,
        new_score=float(form.new_score.data) if accept and form.new_score.data is not None else None,
        answer_changes=changed_answers(form, dispute.review) if accept else None,
    )  # fmt: skip


def _decide(dispute: Dispute, form: Any, action: str | None) -> None:
    """Uphold (the score stays, the answers given are ignored), overturn (something must
    change), or, without an action, decide by what the form changes."""
    uphold = action == "uphold"
    service.resolve_dispute(
        dispute, current_user, comment=form.comment.data,
        new_score=None if uphold or form.new_score.data is None else float(form.new_score.data),
        answer_changes=None if uphold else changed_answers(form, dispute.review),
        outcome=action if action in ("uphold", "overturn") else None,
    )  # fmt: skip


def decision_message(dispute: Dispute) -> str:
    """The flash after a decision, naming the score under the one rounding rule."""
    before = format_review_score(dispute.score_before)
    if dispute.status == DisputeStatus.ADJUSTED:
        return gettext(
            "Dispute accepted: score %(before)s → %(after)s. The agent is told.",
            before=before, after=format_review_score(dispute.score_after),
        )  # fmt: skip
    if dispute.status == DisputeStatus.ANSWERED:
        return gettext(
            "Dispute rejected: score %(before)s kept. The agent may escalate it to the lead.",
            before=before,
        )
    if dispute.status == DisputeStatus.CHANGED:
        return gettext("Dispute changed. Overturned: score %(before)s → %(after)s.",
                       before=before, after=format_review_score(dispute.score_after))
    return gettext("Dispute upheld: score %(before)s kept.", before=before)


def _resolve_page(dispute: Dispute, form: Any, status: int):  # type: ignore[no-untyped-def]
    arbitrate = ArbitratorForm(formdata=None)
    arbitrate.arbitrator.choices = _arbitrator_choices(dispute)
    return render_template(
        "reviews/resolve.html",
        dispute=dispute,
        form=form,
        agent=dispute.agent,
        arbitrate=arbitrate,
        can_assign=_may_manage_dispute(dispute) and dispute.status == DisputeStatus.ESCALATED,
        reviewer_step=_reviewer_step(dispute),
        lead_step=_lead_step(dispute),
        waiting_for=_waiting_for(dispute),
        steps=dispute_steps.timeline(dispute),
        **workspace_context(dispute.review),
    ), status


@bp.route("/disputes/<int:dispute_id>/arbitrator", methods=["POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def arbitrator(dispute_id: int):
    """Hand the dispute to an arbitrator, who is notified."""
    dispute = _get_dispute_or_404(dispute_id)
    if not _may_manage_dispute(dispute):
        abort(404)
    form = ArbitratorForm()
    form.arbitrator.choices = _arbitrator_choices(dispute)
    if not form.validate_on_submit():
        abort(400, gettext("Pick an arbitrator from the list."))
    person = db.session.get(User, form.arbitrator.data)
    try:
        service.assign_arbitrator(dispute, person, current_user)  # type: ignore[arg-type]
    except service.ReviewError as exc:
        abort(400, str(exc))
    db.session.commit()
    flash(gettext("%(person)s will decide this dispute.", person=person.name), "info")  # type: ignore[union-attr]
    return redirect(url_for(".resolve", dispute_id=dispute.id))


@bp.route("/disputes/<int:dispute_id>/escalate", methods=["POST"])
@roles_required(Role.AGENT)
def escalate(dispute_id: int):
    """The agent's step after the reviewer rejected their dispute: escalate it to the team's
    lead, or accept the answer."""
    dispute = db.session.get(Dispute, dispute_id)
    if dispute is None or dispute.agent_id != current_user.id:
        abort(404)
    form = EscalateForm()
    if not form.validate_on_submit():
        abort(400, "The escalation note is at most 5000 characters.")
    try:
        if request.form.get("action") == "accept":
            dispute_steps.accept_answer(dispute, current_user)
            message = gettext("You accepted the reviewer's answer. The dispute is closed.")
        else:
            dispute_steps.escalate(
                dispute, current_user, form.note.data or "",
                current_app.config["DISPUTE_ESCALATION_DAYS"],
            )  # fmt: skip
            message = gettext("Dispute escalated. Your lead will decide.")
    except service.ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".show", review_id=dispute.review_id, _anchor="disputes"))
    db.session.commit()
    flash(message, "info")
    return redirect(url_for(".show", review_id=dispute.review_id, _anchor="disputes"))


def _trend_chart(trend: service.ScoreTrend) -> Markup | None:
    """The agent's weekly IQS beside the team's average, as an SVG line chart (none without
    reviews)."""
    if not trend.weeks:
        return None
    return line_chart(
        gettext("My weekly IQS and the team average"),
        trend.weeks,
        {"IQS": trend.mine, gettext("Team average"): trend.team},
    )


@bp.route("/reviews/<int:review_id>/comments", methods=["POST"])
@roles_required(Role.REVIEWER, Role.AGENT, Role.LEAD, Role.ADMIN)
def comment(review_id: int):
    """Post to the review's thread; whoever may see the review (agent, its reviewer, the
    team's lead, an admin) may post, and the other party is notified."""
    review = get_review_or_404(review_id)
    form = CommentForm()
    if not form.validate_on_submit():
        flash(gettext("Write a comment first (at most 5000 characters)."), "error")
        return redirect(url_for(".show", review_id=review_id, _anchor="comments"))
    try:
        service.add_comment(review, current_user, form.body.data or "")
    except service.ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".show", review_id=review_id, _anchor="comments"))
    db.session.commit()
    flash(gettext("Comment posted."), "info")
    return redirect(url_for(".show", review_id=review_id, _anchor="comments"))
