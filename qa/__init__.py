"""Coachline web application: create_app() builds a configured Flask app (flaskr style)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, abort, render_template, request
from flask_babel import gettext
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from .config import INSTANCE, Config, TestConfig
from .extensions import babel, csrf, db, limiter, login, migrate
from .i18n import N_, select_locale
from .i18n import init_app as init_i18n
from .templating import (
    autoqa_stage,
    evidence_marks,
    evidence_spans,
    review_score_text,
    score_label,
)

if TYPE_CHECKING:
    from .models import User

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides settings (tests pass TESTING and a database URI)."""
    app = Flask(__name__, instance_path=str(INSTANCE), instance_relative_config=True)
    # Ids fit a 32-bit integer column on every database; a larger number in a URL is a 404, not a crash.
    app.url_map.converters["int"] = BoundedInt
    testing = bool(config and config.get("TESTING"))
    app.config.from_object(TestConfig if testing else Config)
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    db.init_app(app)
    from .kb import fulltext as kb_fulltext

    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        render_as_batch=True,
        include_name=kb_fulltext.include_name,  # autogenerate leaves the full-text index alone
    )
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = N_("Please sign in to continue.")
    login.localize_callback = gettext
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    from . import models  # noqa: F401
    from .coaching import models as _coaching_models  # noqa: F401  (register tables)
    from .kb import models as _kb_models  # noqa: F401  (register tables)
    from .services import call_analytics, dashboard_cache

    dashboard_cache.register()  # clears stored dashboard days on writes
    call_analytics.register()  # recomputes a call's analytics when its segments change

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["score"] = score_label
    app.jinja_env.filters["autoqa_stage"] = autoqa_stage
    app.jinja_env.filters["evidence_marks"] = evidence_marks
    app.jinja_env.filters["review_score"] = review_score_text
    app.jinja_env.globals["evidence_spans"] = evidence_spans
    from .interactions.timeline import legend, timeline_svg

    app.jinja_env.globals["call_timeline"] = timeline_svg
    app.jinja_env.globals["call_timeline_legend"] = legend
    init_i18n(app)  # number/date filters for the locale; overrides review_score
    _register_blueprints(app)
    _register_hooks(app)

    if app.config.get("CELERY_BROKER_URL"):
        from .jobs.tasks import init_celery

        init_celery(app)

    from .cli import register_cli

    register_cli(app)
    return app


class BoundedInt(IntegerConverter):
    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _instance_secret(instance: Path) -> str:
    """A random secret kept in the instance folder, so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .coaching import bp as coaching_bp
    from .dashboard import bp as dashboard_bp
    from .interactions import bp as interactions_bp
    from .reviews import bp as reviews_bp

    for bp in (auth_bp, dashboard_bp, interactions_bp, reviews_bp, admin_bp, coaching_bp, api_bp):
        app.register_blueprint(bp)
    from .sampling import bp as sampling_bp

    app.register_blueprint(sampling_bp)
    from .calibration import bp as calibration_bp
    from .scorecards import bp as scorecards_bp

    app.register_blueprint(calibration_bp)
    app.register_blueprint(scorecards_bp)
    from .kb import bp as kb_bp

    app.register_blueprint(kb_bp)
    from .tiers import bp as tiers_bp

    app.register_blueprint(tiers_bp)


def _holds_nul(value: Any) -> bool:
    """Whether a string anywhere in `value` (nested lists and dicts) holds a NUL character; a
    loop, not recursion, so no nesting depth can raise."""
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, dict):
            todo.extend([*item.keys(), *item.values()])
        elif isinstance(item, list):
            todo.extend(item)
    return False


def _json_body() -> Any:
    """The request's JSON body (None when it is not JSON); one nested deeper than the parser's
    recursion limit is a 400 with the reason instead of a RecursionError (a 500)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        abort(400, gettext("The JSON body is nested too deeply."))


def _load_user(identity: str) -> User | None:
    """The user of a session or remember-me cookie, whose identity is "id:session_version"
    (User.get_id); None once the version is stale (signed out, password or role changed) or the
    user is deactivated, so copies of the cookies end with the next request too."""
    from .models import User

    user_id, _, version = identity.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None  # a cookie made before sessions carried a version
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _error_page(code: int, title: str):  # type: ignore[no-untyped-def]
    """An error handler answering JSON for the API (and JSON clients), a page otherwise."""

    def handler(error: Any):  # type: ignore[no-untyped-def]
        description = getattr(error, "description", None) or gettext(title)
        if description == getattr(type(error), "description", None):  # werkzeug's English
            description = gettext(title)
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return {"error": title, "reason": description}, code
        page_title = gettext(title)  # the JSON above keeps the English title, a stable code
        return render_template("error.html", code=code, title=page_title, reason=description), code

    return handler


def _register_hooks(app: Flask) -> None:
    from .models import Notification

    login.user_loader(_load_user)

    @app.before_request
    def refuse_nul_characters() -> None:
        """400 for input holding a NUL character: PostgreSQL text cannot store or even compare one
        (the query fails, a 500), and no field here has a use for it. Uploaded files are not checked."""
        values: list[Any] = list(request.args.listvalues())
        if request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            values.extend(request.form.listvalues())
        elif request.is_json:
            values.append(_json_body())
        if _holds_nul(values):
            abort(400, gettext("Input must not contain NUL characters."))

    @app.context_processor
    def inject_unread() -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {"unread_count": 0}
        count = db.session.scalar(
            db.select(db.func.count(Notification.id)).where(
                Notification.user_id == current_user.id, Notification.read_at.is_(None)
            )
        )
        return {"unread_count": count or 0}

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'",
        )
        return response

    for code, title in (
        (400, N_("Bad request")),
        (401, N_("Unauthorized")),
        (403, N_("Forbidden")),
        (404, N_("Not found")),
        (405, N_("Method not allowed")),
        (409, N_("Conflict")),
        (413, N_("File too large")),
        (422, N_("Unprocessable")),
        (429, N_("Too many requests")),
    ):
        app.register_error_handler(code, _error_page(code, title))

    from flask_wtf.csrf import CSRFError

    app.register_error_handler(CSRFError, _error_page(400, N_("The form expired or was tampered with")))
