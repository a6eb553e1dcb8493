from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import can_manage_team, led_team_ids, roles_required
from ..extensions import db
from ..models import Notification, Role, SamplingPolicy, Team, utcnow
from ..services import dashboard, sampling
from . import bp
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


@bp.route("/dashboard")
@roles_required(Role.LEAD, Role.ADMIN)
def team():
    """Team quality dashboard: IQS and AQS by week and per agent."""
    teams = _teams()
    team_id = request.args.get("team", type=int)
    chosen = next((t for t in teams if t.id == team_id), teams[0] if teams else None)
    if team_id is not None and (chosen is None or chosen.id != team_id):
        abort(404)
    overview = dashboard.team_overview([chosen.id]) if chosen else None
    policies = (
        list(db.session.scalars(select(SamplingPolicy).where(SamplingPolicy.team_id == chosen.id)))
        if chosen
        else []
    )
    form = SampleForm(week=sampling.last_week())
    form.policy.choices = [(p.id, p.name) for p in policies]
    return render_template(
        "dashboard/team.html",
        teams=teams,
        team=chosen,
        overview=overview,
        form=form,
        current_week=sampling.week_of(utcnow()),
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
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for(".team", team=policy.team_id))
    try:
        report = sampling.draw(policy, form.week.data, actor=current_user)
    except sampling.SamplingError as exc:
        flash(str(exc), "error")
    else:
        flash(
            f"{form.week.data}: {report.added} interactions sampled, {report.assigned} assigned"
            + (f", {report.unassigned} waiting for reviewer capacity" if report.unassigned else "")
            + ".",
            "info",
        )
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
