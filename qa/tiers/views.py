"""The tier dashboard page: thin, the figures come from services.figures."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from ..access import roles_required
from ..models import Role, Team
from ..services import dashboard
from ..services.escalations import tier_name
from . import bp, services


def _chosen(teams: list[Team]) -> list[Team]:
    """Every visible team, or the one in ?team= (404 when it is not one of the user's)."""
    raw = request.args.get("team")
    if not raw:
        return teams
    if not raw.isdigit():
        abort(400, "team must be a number")
    chosen = [t for t in teams if t.id == int(raw)]
    if not chosen:
        abort(404)
    return chosen


@bp.route("/")
@roles_required(Role.LEAD, Role.ADMIN)
def dashboard_page():
    """Per tier and per agent: FCR, escalations and their outcome, re-contact, for a period."""
    teams = services.visible_teams(current_user)
    chosen = _chosen(teams)
    try:
        period = dashboard.parse_period(request.args.get("start"), request.args.get("end"))
    except dashboard.DashboardError as exc:
        abort(400, str(exc))
    figures = services.tier_dashboard([t.id for t in chosen], period)
    team_id = chosen[0].id if len(chosen) == 1 and len(teams) > 1 else None
    return render_template(
        "tiers/dashboard.html",
        teams=teams,
        team_id=team_id,
        period=period,
        figures=figures,
        tier_name=tier_name,
        recontact_days=services.RECONTACT_DAYS,
    )
