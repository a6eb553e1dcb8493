"""Coaching, a feature area of the app: training modules, assignments to agents, quizzes,
coaching sessions and the effect of training.

It has its own blueprint (`bp`, pages under /training), templates and services, and imports
only qa's core (extensions, models, access, services); qa never imports it except in
`create_app`, which registers `bp`. qa's pages that show training (the dashboard, the review
page, the demo) reach the services through `current_app.extensions["coaching"]`, set when the
blueprint is registered.
"""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("coaching", __name__, url_prefix="/training", template_folder="templates")

from . import exports, models, services, views  # noqa: E402  (the views register on bp)


@bp.record_once
def _plug_in(state: BlueprintSetupState) -> None:
    """Offer the services to qa's pages, which cannot import coaching."""
    state.app.extensions["coaching"] = services
    state.app.extensions["coaching.exports"] = exports


__all__ = ["bp", "exports", "models", "services", "views"]
