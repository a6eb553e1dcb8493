from flask import abort, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import func, select

from .. import jobs
from ..access import (
    can_manage_team,
    can_view_review,
    get_interaction_or_404,
    get_review_or_404,
    interaction_filter,
    led_team_ids,
)
from ..extensions import csrf, db, login
from ..models import Channel, Interaction, Review, Role, Status, User
from ..services import audit, tokens
from ..services.interactions import (
    AudioLimits,
    IngestError,
    attach_recording,
    exists,
    import_rows,
    record_import,
)
from . import bp, schemas
from .openapi import SPEC

csrf.exempt(bp)  # token-authenticated; cookies are ignored here, so there is nothing to forge
MAX_BATCH = 1000
MAX_PER_PAGE = 200
MAX_PAGE = 100_000


@bp.before_request
def authenticate():  # type: ignore[no-untyped-def]
    """Every API call (but the spec) needs `Authorization: Bearer <token>`; sessions don't count."""
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    user = tokens.authenticate(header[7:].strip()) if header.startswith("Bearer ") else None
    if user is None:
        abort(401, "Send a valid API token: Authorization: Bearer <token>.")
    login._update_request_context_with_user(user)
    return None


def _writer() -> None:
    if current_user.role not in (Role.LEAD, Role.ADMIN):
        abort(403, "Only leads and admins may send interactions.")


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of this API."""
    return jsonify(SPEC)


@bp.get("/me")
def me():
    """The token's user."""
    return {
        "id": current_user.id,
        "email": current_user.email,
        "name": current_user.name,
        "role": current_user.role.value,
    }


@bp.get("/interactions")
def list_interactions():
    """Interactions the token's user may see, newest first; filter by status, channel, agent."""
    query = select(Interaction).where(interaction_filter(current_user))
    status, channel = request.args.get("status"), request.args.get("channel")
    if status is not None:
        if status not in {s.value for s in Status}:
            abort(400, f"status must be one of {', '.join(s.value for s in Status)}")
        query = query.where(Interaction.status == status)
    if channel is not None:
        if channel not in {c.value for c in Channel}:
            abort(400, f"channel must be one of {', '.join(c.value for c in Channel)}")
        query = query.where(Interaction.channel == channel)
    if request.args.get("external_id"):
        query = query.where(Interaction.external_id == request.args["external_id"])
    page = request.args.get("page", 1, type=int)
    per_page = request.args.get("per_page", 50, type=int)
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= MAX_PER_PAGE:
        abort(400, f"page must be 1-{MAX_PAGE} and per_page 1-{MAX_PER_PAGE}")
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(Interaction.started_at.desc(), Interaction.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return {
        "items": [schemas.interaction(i) for i in items],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


@bp.get("/interactions/<int:interaction_id>")
def get_interaction(interaction_id: int):
    """One interaction with its transcript and AutoQA scores."""
    return schemas.interaction(get_interaction_or_404(interaction_id), full=True)


@bp.post("/interactions")
def create_interactions():
    """Ingest one interaction (an object) or a batch ({"interactions": [...]}); idempotent by external id."""
    _writer()
    body = request.get_json(silent=True)
    if isinstance(body, dict) and "interactions" in body:
        rows = body["interactions"]
        if not isinstance(rows, list):
            abort(400, "interactions must be a list")
    elif isinstance(body, dict):
        rows = [body]
    else:
        abort(400, 'send a JSON object, or {"interactions": [...]}')
    if len(rows) > MAX_BATCH:
        abort(413, f"at most {MAX_BATCH} interactions per request")
    numbered = [
        (n, r if isinstance(r, dict) else "each interaction must be a JSON object")
        for n, r in enumerate(rows)
    ]
    team_ids = None if current_user.role == Role.ADMIN else set(led_team_ids(current_user))
    report = import_rows(
        numbered,
        limits=AudioLimits(
            current_app.config["MAX_CONTENT_LENGTH"], current_app.config["MAX_AUDIO_SECONDS"]
        ),
        upload_folder=current_app.config["UPLOAD_FOLDER"],
        redact=current_app.config["REDACT_PII"],
        team_ids=team_ids,
        default_source="api",
    )
    record_import(report, current_user, "interactions.ingested", via="api")
    if report.created:
        jobs.enqueue_scoring(report.created)
    status = 201 if report.created else (200 if not report.errors else 422)
    return jsonify(
        {
            "created": report.created,
            "duplicates": report.duplicates,
            "errors": [{"index": n, "reason": reason} for n, reason in report.errors],
        }
    ), status


@bp.post("/recordings")
def upload_recording():
    """Upload a call recording (multipart: file + metadata); it is checked, stored and queued."""
    _writer()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, "send the recording as multipart field 'file'")
    form = {k: v for k, v in request.form.items()}
    form["channel"] = "call"
    agent = db.session.scalar(
        select(User).where(User.email == (form.get("agent_email") or "").strip().lower())
    )
    if agent is not None and not can_manage_team(current_user, agent.team_id):
        abort(403, "that agent is not in a team you lead")
    from ..services.interactions import build_interaction

    try:
        interaction = build_interaction(form, "api")
        if exists(interaction.source, interaction.external_id):
            abort(409, f"interaction {interaction.external_id} already exists")
        db.session.add(interaction)
        attach_recording(
            interaction,
            upload.stream,
            upload.filename,
            limits=AudioLimits(
                current_app.config["MAX_CONTENT_LENGTH"], current_app.config["MAX_AUDIO_SECONDS"]
            ),
            upload_folder=current_app.config["UPLOAD_FOLDER"],
            agent_channel=form.get("agent_channel", current_app.config["AGENT_CHANNEL"]),
        )
    except IngestError as exc:
        db.session.rollback()
        abort(422, str(exc))
    audit.record(current_user, "recording.uploaded", interaction, via="api")
    db.session.commit()
    jobs.enqueue_transcription(interaction.id)
    db.session.refresh(interaction)
    return jsonify(schemas.interaction(interaction, full=True)), 201


@bp.get("/reviews")
def list_reviews():
    """Reviews the token's user may see, optionally for one interaction."""
    query = (
        select(Review)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(interaction_filter(current_user))
    )
    if "interaction_id" in request.args:
        interaction_id = request.args.get("interaction_id", type=int)
        if interaction_id is None or not 1 <= interaction_id < 2**31:
            abort(400, "interaction_id must be a positive integer")
        query = query.where(Review.interaction_id == interaction_id)
    reviews = [
        r
        for r in db.session.scalars(query.order_by(Review.id.desc()).limit(500))
        if can_view_review(current_user, r)
    ]
    return {"items": [schemas.review(r) for r in reviews]}


@bp.get("/reviews/<int:review_id>")
def get_review(review_id: int):
    """One review with answers and disputes."""
    return schemas.review(get_review_or_404(review_id))
