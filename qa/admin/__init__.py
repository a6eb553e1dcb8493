from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import sso, views, webhooks  # noqa: E402,F401
