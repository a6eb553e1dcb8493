"""The errors coaching services raise; each message says why the action was refused."""

from __future__ import annotations


class TrainingError(ValueError):
    """A training action (module, quiz, assignment) was refused; the message says why."""


class CoachingSessionError(ValueError):
    """A coaching-session action (schedule, record, acknowledge) was refused; the message says why."""
