"""Sampling policies, the weekly draw with preview, coverage report and reviewer replacements."""

from flask import Blueprint

bp = Blueprint("sampling", __name__, url_prefix="/sampling")

from . import views  # noqa: E402,F401

__all__ = ["bp"]
