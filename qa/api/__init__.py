"""JSON API under /api/v1: personal bearer tokens, the token user's role and scope, no sessions."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import views  # noqa: E402,F401
