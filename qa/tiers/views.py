"""The tier dashboard page: thin, the figures come from services.figures."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..access import roles_required
from ..extensions import db
from ..models import Role, Team, User
from ..services import dashboard, escalations
from ..services.escalations import tier_name
from . import bp, services
from .forms import AgentTierForm, TeamTierForm


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


def _saved(form: TeamTierForm | AgentTierForm) -> int:
    if not form.validate_on_submit():
        abort(400, "; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()))
    return int(form.tier.data)


@bp.route("/teams/<int:team_id>/tier", methods=["POST"])
@roles_required(Role.ADMIN)
def set_team_tier(team_id: int):
    """An admin sets a team's tier (from the users and teams page)."""
    team = db.get_or_404(Team, team_id)
    escalations.set_team_tier(team, _saved(TeamTierForm()), current_user)
    db.session.commit()
    flash(gettext("%(team)s is now %(tier)s.", team=team.name, tier=tier_name(team.tier)), "info")
    return redirect(url_for("admin.users"))


@bp.route("/agents/<int:user_id>/tier", methods=["POST"])
@roles_required(Role.ADMIN)
def set_agent_tier(user_id: int):
    """An admin sets an agent's own tier, or back to the team's."""
    agent = db.get_or_404(User, user_id)
    tier = _saved(AgentTierForm()) or None
    try:
        escalations.set_agent_tier(agent, tier, current_user)
    except escalations.TierError as exc:
        abort(400, str(exc))
    db.session.commit()
    shown = tier_name(escalations.effective_tier(agent))
    flash(gettext("%(name)s is now %(tier)s.", name=agent.name, tier=shown), "info")
    return redirect(url_for("admin.users"))
