from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from ..access import can_manage_team, led_team_ids, roles_required
from ..extensions import db
from ..models import Assignment, Role, SamplingPolicy
from ..services import sampling
from . import bp
from .forms import DrawForm, PolicyForm, ReplaceForm


def _policy_or_404(policy_id: int) -> SamplingPolicy:
    policy = db.session.get(SamplingPolicy, policy_id)
    if policy is None or not can_manage_team(current_user, policy.team_id):
        abort(404)
    return policy


def _week_arg() -> str:
    week = request.args.get("week") or sampling.last_week()
    try:
        sampling.parse_week(week)
    except sampling.SamplingError as exc:
        abort(400, str(exc))
    return week


@bp.route("/")
@roles_required(Role.LEAD, Role.ADMIN, Role.REVIEWER)
def index():
    """Sampling policies of the teams the user manages; reviewers go to their assignments."""
    if current_user.role == Role.REVIEWER:
        return redirect(url_for(".assignments"))
    teams = sampling.manageable_teams(current_user)
    policies = sampling.team_policies(teams)
    return render_template("sampling/index.html", policies=policies, teams=teams)


def _save(form: PolicyForm, policy: SamplingPolicy | None) -> ResponseReturnValue:
    form.team.choices = [(t.id, t.name) for t in sampling.manageable_teams(current_user)]
    if form.validate_on_submit():
        if not can_manage_team(current_user, form.team.data):
            abort(404)
        try:
            policy = sampling.save_policy(policy, form.team.data, form.values(), actor=current_user)
        except sampling.SamplingError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(gettext("Saved sampling policy %(policy)s.", policy=policy.name), "info")
            return redirect(url_for(".policy", policy_id=policy.id))
    status = 400 if request.method == "POST" else 200
    return render_template("sampling/policy_form.html", form=form, policy=policy), status


@bp.route("/policies/new", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def new_policy():
    """Create a sampling policy for one of the user's teams."""
    form = PolicyForm() if request.method == "POST" else PolicyForm.for_new()
    return _save(form, None)


@bp.route("/policies/<int:policy_id>/edit", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def edit_policy(policy_id: int):
    """Change a policy; what is already sampled stays, the next draw uses the new settings."""
    policy = _policy_or_404(policy_id)
    form = PolicyForm.for_policy(policy) if request.method == "GET" else PolicyForm()
    return _save(form, policy)


@bp.route("/policies/<int:policy_id>")
@roles_required(Role.LEAD, Role.ADMIN)
def policy(policy_id: int):
    """A policy's week: preview per agent and stratum, the draw button, and coverage."""
    policy = _policy_or_404(policy_id)
    week = _week_arg()
    preview = sampling.preview(policy, week)
    rows = sampling.coverage(policy, week)
    return render_template(
        "sampling/policy.html",
        policy=policy,
        week=week,
        preview=preview,
        coverage=rows,
        names={r.agent_id: r.name for r in rows},
        form=DrawForm(week=week),
    )


@bp.route("/policies/<int:policy_id>/draw", methods=["POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def draw(policy_id: int):
    """Draw (or top up) the policy's sample for a week and assign reviewers."""
    policy = _policy_or_404(policy_id)
    form = DrawForm()
    if not form.validate_on_submit():
        abort(400, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    report = sampling.draw(policy, form.week.data, actor=current_user)
    flash(report.summary(), "info")
    return redirect(url_for(".policy", policy_id=policy.id, week=report.week))


@bp.route("/assignments")
@roles_required(Role.REVIEWER, Role.LEAD, Role.ADMIN)
def assignments():
    """Open sampled interactions with a way to replace each: a reviewer's own, a lead's teams', all for an admin."""
    if current_user.role == Role.REVIEWER:
        rows = sampling.open_assignments(current_user)
    else:
        teams = None if current_user.role == Role.ADMIN else led_team_ids(current_user)
        rows = sampling.team_open_assignments(teams)
    mine = current_user.role == Role.REVIEWER
    return render_template("sampling/assignments.html", assignments=rows, mine=mine)


def _assignment_or_404(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    if current_user.role == Role.REVIEWER:
        allowed = assignment.reviewer_id == current_user.id
    else:
        allowed = can_manage_team(current_user, assignment.interaction.team_id)
    if not allowed:
        abort(404)
    return assignment


def _after_replace(assignment: Assignment, new: Assignment | None) -> ResponseReturnValue:
    """Say what replaced the interaction, then back to where the replacement was asked for."""
    if new is None:
        flash(gettext("Released. This agent has no other interaction of that kind this week."), "info")
    else:
        flash(gettext("Replaced by %(external_id)s.", external_id=new.interaction.external_id), "info")
    if current_user.role == Role.REVIEWER:
        return redirect(url_for(".assignments"))
    return redirect(
        url_for(".policy", policy_id=assignment.sample.policy_id, week=assignment.sample.week)
    )


@bp.route("/assignments/<int:assignment_id>/replace", methods=["GET", "POST"])
@roles_required(Role.REVIEWER, Role.LEAD, Role.ADMIN)
def replace(assignment_id: int):
    """Replace an assigned interaction, with a reason, by another of the same agent and stratum."""
    assignment = _assignment_or_404(assignment_id)
    form = ReplaceForm()
    if form.validate_on_submit():
        try:
            new = sampling.replace(assignment, form.reason.data, actor=current_user)
        except sampling.SamplingError as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(exc)]
        else:
            db.session.commit()
            return _after_replace(assignment, new)
    status = 400 if request.method == "POST" else 200
    return render_template("sampling/replace.html", form=form, a=assignment), status
