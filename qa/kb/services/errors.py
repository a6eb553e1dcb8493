"""The error knowledge-base services raise; its message says why the action was refused."""

from __future__ import annotations


class KbError(ValueError):
    """A knowledge-base action was refused; the message says why."""
