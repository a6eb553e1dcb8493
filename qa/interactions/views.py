from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select

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
from ..services import audit
from ..services.autoqa import custom_head_names
from ..services.ingest import (
    DuplicateInteraction,
    IngestError,
    IngestSettings,
    ingest_recording,
    ingest_upload,
)
from ..services.reviews import default_scorecard
from . import bp
from .forms import ImportForm, UploadForm

PER_PAGE = 50


@bp.route("/")
@login_required
def index():
    """Interactions the user may see, newest first, filterable by status and channel."""
    status, channel = request.args.get("status"), request.args.get("channel")
    query = _filtered(select(Interaction).where(interaction_filter(current_user)), status, channel)
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Interaction.started_at.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "interactions/index.html",
        rows=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        status=status,
        channel=channel,
        statuses=list(Status),
        channels=list(Channel),
    )


def _filtered(
    query: Select[Interaction], status: str | None, channel: str | None
) -> Select[Interaction]:
    """The query narrowed to a status and a channel, where they name one (others are ignored)."""
    if status in {s.value for s in Status}:
        query = query.where(Interaction.status == status)
    if channel in {c.value for c in Channel}:
        query = query.where(Interaction.channel == channel)
    return query


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
        abort(404, "This interaction has no recording.")
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
        form.external_id.errors.append("An interaction with this external id already exists.")
    else:
        form.recording.errors.append(str(exc))
    return render_template("interactions/upload.html", form=form), 400


def _upload_message(interaction: Interaction) -> tuple[str, str]:
    """What the lead is told after an upload: queued, failed (with the reason), or done."""
    if jobs.is_queued():
        return "Recording stored and queued for transcription.", "info"
    if interaction.status == Status.FAILED:
        return f"Stored, but transcription failed: {interaction.failure_reason}", "error"
    return "Recording transcribed and scored.", "info"


MAX_WEB_IMPORT_ROWS = 1000  # the API's batch limit too


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def import_text():
    """Import chats and emails from a JSONL or CSV file (the `flask interactions import` format);
    each good row is stored and scored, each bad one reported with its line number."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _page("interactions/import.html", form, report=None)
    upload_file = form.file.data
    try:
        report = ingest_upload(
            upload_file.filename or "upload",
            upload_file.stream.read(),
            settings=IngestSettings.from_config(current_app.config),
            actor=current_user,
            team_ids=None if current_user.role == Role.ADMIN else set(led_team_ids(current_user)),
            max_rows=MAX_WEB_IMPORT_ROWS,
            via="web",
        )
    except IngestError as exc:
        form.file.errors.append(str(exc))
        return render_template("interactions/import.html", form=form, report=None), 400
    status = 400 if report.errors and not report.created else 200
    return render_template("interactions/import.html", form=form, report=report), status


@bp.route("/<int:interaction_id>/retry", methods=["POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def retry(interaction_id: int):
    """Run the pipeline again for a failed interaction."""
    interaction = get_interaction_or_404(interaction_id)
    if interaction.status != Status.FAILED:
        flash("Only failed interactions can be retried.", "error")
    else:
        audit.record(current_user, "interaction.retried", interaction)
        db.session.commit()
        jobs.process_interaction(interaction.id, interaction.status)
        db.session.refresh(interaction)
        flash(f"Status now: {interaction.status.value}.", "info")
    return redirect(url_for(".detail", interaction_id=interaction_id))
