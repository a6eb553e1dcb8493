"""Tier workflows: the tier dashboard's figures (`figures`) and who sees which teams (`teams`).

Services take model objects, ids and plain values and never touch the request. Tier parsing,
escalations and their import are core services (qa/services/escalations.py), shared with the
ingest workflow and the sampler.
"""

from .figures import RECONTACT_DAYS, TierDashboard, TierFigures, tier_dashboard
from .teams import visible_teams

__all__ = ["RECONTACT_DAYS", "TierDashboard", "TierFigures", "tier_dashboard", "visible_teams"]
