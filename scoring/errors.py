"""Errors raised by the scoring package."""


class ScoringError(Exception):
    """Bad input, a missing or unreadable artifact, or a registry misuse."""
