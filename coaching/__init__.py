"""Coaching: training modules, assignments to agents, and coaching sessions."""

__all__ = ["models", "services", "views"]
