from typing import Any

from flask import abort, current_app, jsonify, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import Select, func, select

from ..access import (
    can_view_review,
    get_interaction_or_404,
    get_review_or_404,
    interaction_filter,
    led_team_ids,
)
from ..extensions import csrf, db, login
from ..models import Channel, Interaction, Review, Role, Status
from ..services import tokens
from ..services.ingest import (
    DuplicateInteraction,
    IngestError,
    IngestSettings,
    NotYourTeam,
    ingest_recording,
    ingest_rows,
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
        abort(401, gettext("Send a valid API token: Authorization: Bearer <token>."))
    login._update_request_context_with_user(user)
    return None


def _writer() -> None:
    if current_user.role not in (Role.LEAD, Role.ADMIN):
        abort(403, gettext("Only leads and admins may send interactions."))


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
    query = _filtered(select(Interaction).where(interaction_filter(current_user)))
    page = _int_arg("page", 1, MAX_PAGE)
    per_page = _int_arg("per_page", 50, MAX_PER_PAGE)
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


def _filtered(query: Select[Interaction]) -> Select[Interaction]:
    """The query narrowed by the status, channel and external_id arguments (400 for bad ones)."""
    for name, column, enum in (
        ("status", Interaction.status, Status),
        ("channel", Interaction.channel, Channel),
    ):
        value = request.args.get(name)
        if value is not None:
            if value not in {e.value for e in enum}:
                abort(400, gettext("%(name)s must be one of %(enum)s", name=name, enum=', '.join(e.value for e in enum)))
            query = query.where(column == value)
    if request.args.get("external_id"):
        query = query.where(Interaction.external_id == request.args["external_id"])
    return query


def _int_arg(name: str, default: int, high: int) -> int:
    """A whole-number argument in 1..high; anything else (0, "abc", "1.5") is a 400."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= high:
        abort(400, gettext("%(name)s must be a whole number from 1 to %(high)s, got %(raw)s", name=name, high=high, raw=repr(raw[:20])))
    return value


@bp.get("/interactions/<int:interaction_id>")
def get_interaction(interaction_id: int):
    """One interaction with its transcript and AutoQA scores."""
    return schemas.interaction(get_interaction_or_404(interaction_id), full=True)


@bp.post("/interactions")
def create_interactions():
    """Ingest one interaction (an object) or a batch ({"interactions": [...]}); idempotent by external id."""
    _writer()
    report = ingest_rows(
        _numbered_rows(request.get_json(silent=True)),
        settings=IngestSettings.from_config(current_app.config),
        actor=current_user,
        action="interactions.ingested",
        team_ids=_team_ids(),
        default_source="api",
        via="api",
    )
    status = 201 if report.created else (200 if not report.errors else 422)
    return jsonify(schemas.ingest_report(report)), status


def _numbered_rows(body: object) -> list[tuple[int, dict[str, Any] | str]]:
    """(index, row) for each interaction of the body, or (index, reason) for one that is not an
    object; a body of the wrong shape or over the batch limit is refused whole."""
    if isinstance(body, dict) and "interactions" in body:
        rows = body["interactions"]
        if not isinstance(rows, list):
            abort(400, gettext("interactions must be a list"))
    elif isinstance(body, dict):
        rows = [body]
    else:
        abort(400, 'send a JSON object, or {"interactions": [...]}')
    if len(rows) > MAX_BATCH:
        abort(413, gettext("at most %(MAX_BATCH)s interactions per request", MAX_BATCH=MAX_BATCH))
    return [
        (n, r if isinstance(r, dict) else "each interaction must be a JSON object")
        for n, r in enumerate(rows)
    ]


def _team_ids() -> set[int] | None:
    """The teams the token's user may send interactions for (None: every team)."""
    return None if current_user.role == Role.ADMIN else set(led_team_ids(current_user))


@bp.post("/recordings")
def upload_recording():
    """Upload a call recording (multipart: file + metadata); it is checked, stored and queued."""
    _writer()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, gettext("send the recording as multipart field 'file'"))
    try:
        interaction = ingest_recording(
            request.form.to_dict(),
            upload.stream,
            upload.filename,
            settings=IngestSettings.from_config(current_app.config),
            actor=current_user,
            source="api",
            agent_channel=request.form.get("agent_channel"),
            team_ids=_team_ids(),
            via="api",
        )
    except (DuplicateInteraction, NotYourTeam) as exc:
        abort(409 if isinstance(exc, DuplicateInteraction) else 403, str(exc))
    except IngestError as exc:
        abort(422, str(exc))
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
            abort(400, gettext("interaction_id must be a positive integer"))
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
