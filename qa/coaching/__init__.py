"""Coaching, a feature area of the app: training modules, assignments to agents, quizzes,
coaching sessions and the effect of training.

Like the other areas it has its own blueprint (`bp`, pages under /training), templates and
services. It builds on qa's core (extensions, models, access, services); qa's pages that show
training (the dashboard, the review page, the demo) import its services, never its views.
"""

from flask import Blueprint

bp = Blueprint("coaching", __name__, url_prefix="/training", template_folder="templates")

from . import exports, models, services, views  # noqa: E402  (the views register on bp)

__all__ = ["bp", "exports", "models", "services", "views"]
