from collections.abc import Sequence

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import jobs
from ..access import (
    can_manage_team,
    can_view_review,
    get_interaction_or_404,
    interaction_filter,
    led_team_ids,
    roles_required,
    visible_agents,
)
from ..extensions import db
from ..models import Channel, Interaction, Review, Role, Status
from ..services import audit, helpdesk, search, speakers
from ..services import reviews as review_service
from ..services.autoqa import custom_head_names
from ..services.ingest import (
    DuplicateInteraction,
    IngestError,
    IngestSettings,
    ingest_recording,
    ingest_upload,
)
from ..services.interactions import ImportReport
from ..services.reviews import default_scorecard
from . import bp
from .forms import ImportForm, UploadForm

PER_PAGE = 50


@bp.route("/")
@login_required
def index():
    """Interactions the user may see, newest first, found by filters and keyword (server-side,
    paginated), with the user's saved views."""
    scope = interaction_filter(current_user)
    filters = search.parse_filters(request.args)
    query = search.apply(select(Interaction).where(scope), filters)
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Interaction.started_at.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    agents, teams = search.choices(scope)
    return render_template(
        "interactions/index.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
        f=filters, params=filters.params(), statuses=list(Status), channels=list(Channel),
        agents=agents, teams=teams, views=search.views_for(current_user),
        queued=_queued(rows),
    )  # fmt: skip


def _queued(rows: Sequence[Interaction]) -> set[int]:
    """Which of the rows the signed-in reviewer already has a review of (or is assigned)."""
    if current_user.role != Role.REVIEWER or not rows:
        return set()
    ids = [i.id for i in rows]
    return set(
        db.session.scalars(
            select(Review.interaction_id).where(
                Review.reviewer_id == current_user.id, Review.interaction_id.in_(ids)
            )
        )
    )


@bp.route("/<int:interaction_id>")
@login_required
def detail(interaction_id: int):
    """One interaction: metadata, transcript, audio player and AutoQA with its evidence."""
    interaction = get_interaction_or_404(interaction_id)
    reviews = [r for r in interaction.reviews if _can_see_review_summary(r)]
    return render_template(
        "interactions/detail.html",
        i=interaction,
        reviews=reviews,
        scorecard=default_scorecard(),
        criterion_names=custom_head_names(interaction),
    )


def _can_see_review_summary(review: Review) -> bool:
    return can_view_review(current_user, review)


@bp.route("/<int:interaction_id>/audio")
@login_required
def audio(interaction_id: int):
    """Stream the recording with HTTP range support so the player can seek."""
    interaction = get_interaction_or_404(interaction_id)
    if interaction.recording is None:
        abort(404, gettext("This interaction has no recording."))
    return send_file(
        interaction.recording.path,
        conditional=True,
        max_age=0,
        download_name=interaction.recording.original_name or "recording",
    )


@bp.route("/upload", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def upload():
    """Upload a call recording; it is checked, stored, transcribed and scored."""
    form = UploadForm()
    agents = {a.id: a for a in db.session.scalars(visible_agents(current_user))}
    form.set_agents(agents.values())
    if not form.validate_on_submit():
        return _page("interactions/upload.html", form)
    agent = agents.get(form.agent.data)
    if agent is None or agent.team_id is None or not can_manage_team(current_user, agent.team_id):
        abort(404)
    recording = form.recording.data
    try:
        interaction = ingest_recording(
            form.metadata(agent),
            recording.stream,
            recording.filename or "recording",
            settings=IngestSettings.from_config(current_app.config),
            actor=current_user,
            source="upload",
            agent_channel=form.agent_channel.data,
        )
    except IngestError as exc:
        return _refused(form, exc)
    flash(*_upload_message(interaction))
    return redirect(url_for(".detail", interaction_id=interaction.id))


def _page(template: str, form: FlaskForm, **context: object) -> tuple[str, int]:
    """The form page again: 400 after a refused POST, 200 for a GET."""
    return render_template(template, form=form, **context), 400 if request.method == "POST" else 200


def _refused(form: UploadForm, exc: IngestError) -> tuple[str, int]:
    """The upload page with the reason next to the field it is about."""
    if isinstance(exc, DuplicateInteraction):
        form.external_id.errors.append(gettext("An interaction with this external id already exists."))
    else:
        form.recording.errors.append(str(exc))
    return render_template("interactions/upload.html", form=form), 400


def _upload_message(interaction: Interaction) -> tuple[str, str]:
    """What the lead is told after an upload: queued, failed (with the reason), or done."""
    if jobs.is_queued():
        return gettext("Recording stored and queued for transcription."), "info"
    if interaction.status == Status.FAILED:
        return gettext("Stored, but transcription failed: %(reason)s",
                       reason=interaction.failure_reason), "error"
    return gettext("Recording transcribed and scored."), "info"


MAX_WEB_IMPORT_ROWS = 1000  # the API's batch limit too


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def import_text():
    """Import chats and emails from a JSONL or CSV file (the `flask interactions import` format);
    each good row is stored and scored, each bad one reported with its line number."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _page("interactions/import.html", form, report=None)
    try:
        report = _import_upload(form)
    except IngestError as exc:
        form.file.errors.append(str(exc))
        return render_template("interactions/import.html", form=form, report=None), 400
    status = 400 if report.errors and not report.created else 200
    return render_template("interactions/import.html", form=form, report=report), status


def _import_upload(form: ImportForm) -> ImportReport:
    """The uploaded file through the importer of its format (Coachline rows or a helpdesk's)."""
    upload_file = form.file.data
    name, data = upload_file.filename or "upload", upload_file.stream.read()
    settings = IngestSettings.from_config(current_app.config)
    team_ids = None if current_user.role == Role.ADMIN else set(led_team_ids(current_user))
    if form.format.data != "rows":
        return helpdesk.import_upload(
            name, data, form.format.data, settings=settings, actor=current_user,
            team_ids=team_ids, max_tickets=MAX_WEB_IMPORT_ROWS, via="web",
        )  # fmt: skip
    return ingest_upload(
        name, data, settings=settings, actor=current_user, team_ids=team_ids,
        max_rows=MAX_WEB_IMPORT_ROWS, via="web",
    )  # fmt: skip


@bp.route("/<int:interaction_id>/retry", methods=["POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def retry(interaction_id: int):
    """Run the pipeline again for a failed interaction."""
    interaction = get_interaction_or_404(interaction_id)
    if interaction.status != Status.FAILED:
        flash(gettext("Only failed interactions can be retried."), "error")
    else:
        audit.record(current_user, "interaction.retried", interaction)
        db.session.commit()
        jobs.process_interaction(interaction.id, interaction.status)
        db.session.refresh(interaction)
        flash(gettext("Status now: %(status)s.", status=interaction.status.value), "info")
    return redirect(url_for(".detail", interaction_id=interaction_id))


@bp.route("/<int:interaction_id>/speakers/swap", methods=["POST"])
@roles_required(*speakers.SWAPPERS)
def swap_speakers(interaction_id: int):
    """Swap agent and customer on a call's transcript (a ``position``: that segment only),
    then re-score AutoQA; back to the page the form came from (``next``, a local path)."""
    interaction = get_interaction_or_404(interaction_id)
    raw = request.form.get("position", "")
    position = int(raw) if raw.isdigit() else None
    if raw and position is None:
        abort(400, gettext("The segment must be a number."))
    try:
        speakers.swap_speakers(interaction, current_user, position=position)
    except speakers.SwapError as exc:
        db.session.rollback()
        abort(400, str(exc))
    db.session.commit()
    jobs.enqueue_scoring([interaction.id])
    flash(gettext("Speakers swapped: the AutoQA scores and call analytics are recomputed."), "info")
    back = request.form.get("next", "")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = url_for(".detail", interaction_id=interaction_id)
    return redirect(back, 303)


@bp.route("/views", methods=["POST"])
@login_required
def save_view():
    """Save the current filters of the list under a name."""
    filters = search.parse_filters(request.form)
    try:
        view = search.save_view(current_user, request.form.get("name", ""), filters)
    except search.SearchError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".index", **filters.params()))
    db.session.commit()
    flash(gettext("View “%(view)s” saved.", view=view.name), "info")
    return redirect(url_for(".index", **view.params))


@bp.route("/views/<int:view_id>/delete", methods=["POST"])
@login_required
def delete_view(view_id: int):
    """Delete one of the user's saved views."""
    if not search.delete_view(current_user, view_id):
        abort(404)
    db.session.commit()
    flash(gettext("View deleted."), "info")
    return redirect(url_for(".index"))


@bp.route("/<int:interaction_id>/queue", methods=["POST"])
@roles_required(Role.REVIEWER)
def add_to_queue(interaction_id: int):
    """Put an interaction the reviewer may see in their queue: a draft review of it."""
    interaction = get_interaction_or_404(interaction_id)
    scorecard = review_service.scorecard_for(
        interaction, review_service.open_assignment(interaction, current_user)
    )
    if scorecard is None or scorecard.current is None:
        abort(409, gettext("No published scorecard yet."))
    try:
        review_service.start_review(interaction, current_user, scorecard.current)
        db.session.commit()
    except (review_service.ReviewError, IntegrityError) as exc:
        db.session.rollback()
        flash(
            str(exc) if isinstance(exc, review_service.ReviewError) else gettext("Already queued."), "info"
        )
    else:
        flash(gettext("%(external_id)s added to your queue (a draft review).", external_id=interaction.external_id), "info")
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/interactions/?") else url_for(".index"))
