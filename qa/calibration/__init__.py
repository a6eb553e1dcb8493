"""Calibration sessions, the reviewer-quality view and AutoQA agreement."""

from flask import Blueprint

bp = Blueprint("calibration", __name__)

from . import views  # noqa: E402,F401
