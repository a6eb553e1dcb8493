
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import can_manage_team, led_team_ids, roles_required
from ..coaching import exports
from ..coaching import services as coaching
from ..extensions import db
from ..models import Notification, Role, SamplingPolicy, Team, User, utcnow
from ..services import call_analytics, dashboard, kpis, sampling
from . import bp, charts
from .forms import SampleForm

HOME = {
    Role.AGENT: "reviews.feedback",
    Role.REVIEWER: "reviews.queue",
    Role.LEAD: "dashboard.team",
    Role.ADMIN: "dashboard.team",
}


@bp.route("/")
@login_required
def home():
    """Send each role to its own start page."""
    return redirect(url_for(HOME[current_user.role]))


def _teams() -> list[Team]:
    if current_user.role == Role.ADMIN:
        return list(db.session.scalars(select(Team).order_by(Team.name)))
    ids = led_team_ids(current_user)
    return list(db.session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.name)))


def _period() -> dashboard.Period:
    try:
        return dashboard.parse_period(request.args.get("start"), request.args.get("end"))
    except dashboard.DashboardError as exc:
        abort(400, str(exc))


def _chosen_team(teams: list[Team]) -> Team | None:
    """The team in ?team= (404 when it is not one of the user's), else the first."""
    team_id = request.args.get("team", type=int)
    if team_id is None and request.args.get("team"):
        abort(400, gettext("team must be a number"))
    chosen = next((t for t in teams if t.id == team_id), teams[0] if teams else None)
    if team_id is not None and (chosen is None or chosen.id != team_id):
        abort(404)
    return chosen


def _agent_or_404(agent_id: int) -> User:
    """An agent the signed-in lead (their teams) or admin may see; 404 otherwise."""
    agent = db.session.get(User, agent_id)
    if (
        agent is None
        or agent.role != Role.AGENT
        or not can_manage_team(current_user, agent.team_id)
    ):
        abort(404)
    return agent


def _settings() -> dict:
    cfg = current_app.config
    return {
        "sla": kpis.sla_thresholds(cfg),
        "threshold": cfg.get("COACHING_WEAK_THRESHOLD", 70),
        "min_reviews": cfg.get("COACHING_MIN_REVIEWS", 3),
    }


@bp.route("/dashboard")
@roles_required(Role.LEAD, Role.ADMIN)
def team():
    """Team dashboard for a period: IQS/AQS by week, criteria, agents, KPIs and recommendations."""
    teams = _teams()
    chosen = _chosen_team(teams)
    period = _period()
    settings = _settings()
    data = _team_data(chosen, period, settings) if chosen else _NO_TEAM
    form = SampleForm(week=sampling.week_of(utcnow()))  # re-drawing tops up
    form.policy.choices = [(p.id, p.name) for p in _policies(chosen)]
    return render_template(
        "dashboard/team.html",
        teams=teams,
        team=chosen,
        period=period,
        settings=settings,
        sla_measure=kpis.SLA_MEASURE,
        form=form,
        current_week=sampling.week_of(utcnow()),
        **data,
    )


# what the team page shows when the user has no team
_NO_TEAM: dict = {
    "overview": None,
    "svgs": {},
    "recommendations": [],
    "overdue": [],
    "weak_links": {},
    "heat": ([], [], {}),
    "calls": ([], []),
    "call_names": {},
}


def _team_data(team: Team, period: dashboard.Period, settings: dict) -> dict:
    """One team's figures and charts, coaching recommendations and overdue training."""
    overview = dashboard.overview([team.id], period, sla=settings["sla"])
    svgs = charts.svgs(overview, settings["threshold"])
    recs = coaching.recommendations(
        [team.id],
        period,
        threshold=settings["threshold"],
        min_reviews=settings["min_reviews"],
        cells=overview.criterion_cells,
    )
    return {
        "overview": overview,
        "svgs": svgs,
        "recommendations": recs,
        "overdue": coaching.overdue([team.id]),
        "weak_links": _weak_links(overview, recs, settings["threshold"]),
        "heat": charts.heat_cells(overview),
        "calls": call_analytics.weekly([team.id], period),
        "call_names": {r.agent.id: r.agent.name for r in overview.agents},
    }


def _weak_links(overview: dashboard.Overview, recs: list, threshold: float) -> dict[str, dict]:
    """Per criterion below the threshold: a training module for it and the agents concerned."""
    links: dict[str, dict] = {}
    for c in overview.criteria:
        if c.score is not None and c.score < threshold:
            modules = coaching.modules_for_criterion(c.name, c.autoqa_key)
            links[c.name] = {
                "module": modules[0] if modules else None,
                "agents": sorted({r.agent.id for r in recs if r.criterion == c.name}),
            }
    return links


def _policies(team: Team | None) -> list[SamplingPolicy]:
    """The team's sampling policies (for the draw form)."""
    if team is None:
        return []
    return list(db.session.scalars(select(SamplingPolicy).where(SamplingPolicy.team_id == team.id)))


def _agent_data(agent: User, period: dashboard.Period) -> dict:
    settings = _settings()
    overview = dashboard.overview([agent.team_id], period, agent_id=agent.id, sla=settings["sla"])
    effects, _ = coaching.training_effects(
        None, current_app.config.get("COACHING_EFFECT_REVIEWS", 5), agent_id=agent.id
    )
    assignments = coaching.agent_assignments(agent.id)
    sessions = [
        s for s in coaching.sessions_for(current_user, _team_ids()) if s.agent_id == agent.id
    ]
    return {
        "agent": agent,
        "period": period,
        "overview": overview,
        "svgs": charts.svgs(overview, settings["threshold"]),
        "recommendations": coaching.recommendations(
            [agent.team_id],
            period,
            threshold=settings["threshold"],
            min_reviews=settings["min_reviews"],
            agent_id=agent.id,
            cells=overview.criterion_cells,
        ),
        "calls": call_analytics.weekly([agent.team_id], period, agent.id),
        "effects": effects,
        "assignments": assignments,
        "sessions": sessions,
        "settings": settings,
        "sla_measure": kpis.SLA_MEASURE,
    }


def _team_ids() -> list[int]:
    if current_user.role == Role.ADMIN:
        return list(db.session.scalars(select(Team.id)))
    return led_team_ids(current_user)


@bp.route("/dashboard/agents/<int:agent_id>")
@roles_required(Role.LEAD, Role.ADMIN)
def agent(agent_id: int):
    """One agent's dashboard for a period, with recommendations, training and sessions."""
    return render_template(
        "dashboard/agent.html", **_agent_data(_agent_or_404(agent_id), _period())
    )


@bp.route("/dashboard/agents/<int:agent_id>/report")
@roles_required(Role.LEAD, Role.ADMIN)
def agent_report(agent_id: int):
    """Printable (PDF-friendly) report of one agent for a period."""
    data = _agent_data(_agent_or_404(agent_id), _period())
    return render_template("dashboard/report.html", generated=utcnow(), **data)


@bp.route("/dashboard/chart/<name>.csv")
@roles_required(Role.LEAD, Role.ADMIN)
def chart_csv(name: str):
    """A dashboard chart's data as CSV (team, or one agent with ?agent=)."""
    if name not in charts.CHARTS:
        abort(404)
    period = _period()
    agent_id = request.args.get("agent", type=int)
    if agent_id is not None:
        team_ids, label = [_agent_or_404(agent_id).team_id], f"agent{agent_id}"
    else:
        chosen = _chosen_team(_teams()) or abort(404)
        team_ids, label = [chosen.id], f"team{chosen.id}"
    overview = dashboard.overview(team_ids, period, agent_id=agent_id, sla=_settings()["sla"])
    header, rows = charts.table(name, overview)
    filename = f"{name}-{label}-{period.start}-{period.end}.csv"
    return _csv_response(charts.to_csv(header, rows), filename)


@bp.route("/dashboard/export/<kind>.csv")
@roles_required(Role.LEAD, Role.ADMIN)
def export(kind: str):
    """CSV export of reviews, answers, training or sessions for a team and period (audited)."""
    if kind not in exports.KINDS:
        abort(404)
    chosen = _chosen_team(_teams()) or abort(404)
    period = _period()
    header, rows = exports.export(kind, current_user, [chosen.id], period)
    db.session.commit()
    return _csv_response(
        charts.to_csv(header, rows), f"{kind}-team{chosen.id}-{period.start}-{period.end}.csv"
    )


def _csv_response(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/sample", methods=["POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def draw_sample():
    """Draw (or top up) a policy's weekly sample and assign reviewers."""
    form = SampleForm()
    policy = db.session.get(SamplingPolicy, request.form.get("policy", type=int) or 0)
    if policy is None or not can_manage_team(current_user, policy.team_id):
        abort(404)
    form.policy.choices = [(policy.id, policy.name)]
    if not form.validate_on_submit():
        flash("; ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for(".team", team=policy.team_id))
    try:
        report = sampling.draw(policy, form.week.data, actor=current_user)
    except sampling.SamplingError as exc:
        flash(str(exc), "error")
    else:
        message = gettext("%(week)s: %(added)s interactions sampled, %(assigned)s assigned",
                          week=form.week.data, added=report.added, assigned=report.assigned)
        if report.unassigned:
            message += gettext(", %(unassigned)s waiting for reviewer capacity",
                               unassigned=report.unassigned)
        flash(message + ".", "info")
    return redirect(url_for(".team", team=policy.team_id))


@bp.route("/notifications")
@login_required
def notifications():
    """The signed-in user's notifications; opening the page marks them read."""
    notes = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == current_user.id)
            .order_by(Notification.created_at.desc())
            .limit(100)
        )
    )
    page = render_template("dashboard/notifications.html", notes=notes)
    for note in notes:
        note.read_at = note.read_at or utcnow()
    db.session.commit()
    return page
