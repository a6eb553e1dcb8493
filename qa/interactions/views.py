from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from .. import jobs
from ..access import (
    can_manage_team,
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
from ..services.interactions import (
    AudioLimits,
    IngestError,
    attach_recording,
    exists,
    import_rows,
    record_import,
    rows_from_bytes,
)
from ..services.reviews import default_scorecard
from . import bp
from .forms import ImportForm, UploadForm

PER_PAGE = 50


@bp.route("/")
@login_required
def index():
    """Interactions the user may see, newest first, filterable by status and channel."""
    query = select(Interaction).where(interaction_filter(current_user))
    status = request.args.get("status")
    channel = request.args.get("channel")
    if status in {s.value for s in Status}:
        query = query.where(Interaction.status == status)
    if channel in {c.value for c in Channel}:
        query = query.where(Interaction.channel == channel)
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
    from ..access import can_view_review

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
    agents = list(db.session.scalars(visible_agents(current_user)))
    form.agent.choices = [
        (a.id, f"{a.name} ({a.team.name if a.team else 'no team'})") for a in agents
    ]
    if form.validate_on_submit():
        agent = next((a for a in agents if a.id == form.agent.data), None)
        if (
            agent is None
            or agent.team_id is None
            or not can_manage_team(current_user, agent.team_id)
        ):
            abort(404)
        if exists("upload", form.external_id.data.strip()):
            form.external_id.errors.append("An interaction with this external id already exists.")
            return render_template("interactions/upload.html", form=form), 400
        interaction = Interaction(
            source="upload",
            external_id=form.external_id.data.strip(),
            channel=Channel.CALL,
            agent=agent,
            team_id=agent.team_id,
            queue=form.queue.data or None,
            started_at=form.started_at.data,
            wait_seconds=form.wait_seconds.data,
            csat=form.csat.data,
            escalated=form.escalated.data,
        )
        db.session.add(interaction)
        upload_file = form.recording.data
        try:
            attach_recording(
                interaction,
                upload_file.stream,
                upload_file.filename or "recording",
                limits=AudioLimits(
                    current_app.config["MAX_CONTENT_LENGTH"],
                    current_app.config["MAX_AUDIO_SECONDS"],
                ),
                upload_folder=current_app.config["UPLOAD_FOLDER"],
                agent_channel=form.agent_channel.data,
            )
        except IngestError as exc:
            db.session.rollback()
            form.recording.errors.append(str(exc))
            return render_template("interactions/upload.html", form=form), 400
        audit.record(
            current_user, "recording.uploaded", interaction, sha256=interaction.recording.sha256
        )
        db.session.commit()
        jobs.enqueue_transcription(interaction.id)
        db.session.refresh(interaction)
        if jobs.is_queued():
            flash("Recording stored and queued for transcription.", "info")
        elif interaction.status == Status.FAILED:
            flash(f"Stored, but transcription failed: {interaction.failure_reason}", "error")
        else:
            flash("Recording transcribed and scored.", "info")
        return redirect(url_for(".detail", interaction_id=interaction.id))
    status = 400 if request.method == "POST" else 200
    return render_template("interactions/upload.html", form=form), status


MAX_WEB_IMPORT_ROWS = 1000  # the API's batch limit too


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def import_text():
    """Import chats and emails from a JSONL or CSV file (the `flask interactions import` format);
    each good row is stored and scored, each bad one reported with its line number."""
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload_file = form.file.data
        name = upload_file.filename or "upload"
        team_ids = None if current_user.role == Role.ADMIN else set(led_team_ids(current_user))
        try:
            rows = list(rows_from_bytes(name, upload_file.stream.read()))
            if len(rows) > MAX_WEB_IMPORT_ROWS:
                raise IngestError(
                    f"{name} has {len(rows)} rows; the web import takes at most "
                    f"{MAX_WEB_IMPORT_ROWS} per file (each is scored before the page answers): "
                    "split it, or use `flask interactions import`"
                )
            report = import_rows(
                rows,
                limits=AudioLimits(
                    current_app.config["MAX_CONTENT_LENGTH"],
                    current_app.config["MAX_AUDIO_SECONDS"],
                ),
                upload_folder=current_app.config["UPLOAD_FOLDER"],
                redact=current_app.config["REDACT_PII"],
                team_ids=team_ids,
            )
        except IngestError as exc:
            db.session.rollback()
            form.file.errors.append(str(exc))
            return render_template("interactions/import.html", form=form, report=None), 400
        record_import(report, current_user, "interactions.imported", file=name, via="web")
        if report.created:
            jobs.enqueue_scoring(report.created)
        status = 400 if report.errors and not report.created else 200
        return render_template("interactions/import.html", form=form, report=report), status
    status = 400 if request.method == "POST" else 200
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
