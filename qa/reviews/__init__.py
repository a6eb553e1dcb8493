from flask import Blueprint

bp = Blueprint("reviews", __name__)

from . import calibration, scorecards, views  # noqa: E402,F401
