"""Tiers and escalations, a feature area of the app (issue 17): the tier dashboard for leads
and admins (FCR, escalation rate, time to escalate, bounced-back and unnecessary escalations,
re-contact within 7 days, per tier and per agent).

Like qa/coaching it has its own blueprint (`bp`, pages under /tiers), templates and services;
the tier model, escalations and their import are in qa's core (models, services/escalations).
"""

from flask import Blueprint

bp = Blueprint("tiers", __name__, url_prefix="/tiers", template_folder="templates")

from . import services, views  # noqa: E402  (the views register on bp)

__all__ = ["bp", "services", "views"]
