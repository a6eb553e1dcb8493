from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..access import roles_required
from ..extensions import db
from ..models import AuditEvent, Criterion, Role, Team, User
from ..services import audit
from ..services import users as user_service
from . import bp
from .forms import LedTeamsForm, TeamForm, UserEditForm, UserForm


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def users():
    """Users and teams; create either."""
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    form = UserForm(prefix="user")
    form.team.choices = [(0, "—")] + [(t.id, t.name) for t in teams]
    form.leads.choices = [(t.id, t.name) for t in teams]
    team_form = TeamForm(prefix="team")
    if form.submit.data and form.validate_on_submit():
        by_id = {t.id: t for t in teams}
        try:
            user = user_service.create_user(
                form.email.data,
                form.name.data,
                form.password.data,
                form.role.data,
                team=by_id.get(form.team.data),
                leads=[by_id[i] for i in form.leads.data if i in by_id],
                actor=current_user,
            )
        except user_service.UserError as exc:
            flash(str(exc), "error")
        else:
            user.weekly_capacity = form.weekly_capacity.data or 0
            db.session.commit()
            flash(f"Created {user.email} ({user.role.value}).", "info")
            return redirect(url_for(".users"))
    if team_form.submit.data and team_form.validate_on_submit():
        team = user_service.get_or_create_team(team_form.name.data.strip())
        audit.record(current_user, "team.created", team)
        db.session.commit()
        flash(f"Created team {team.name}.", "info")
        return redirect(url_for(".users"))
    people = db.session.scalars(select(User).order_by(User.role, User.name)).all()
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/users.html", people=people, teams=teams, form=form, team_form=team_form
    ), status


def _teams_by_id() -> dict[int, Team]:
    return {t.id: t for t in db.session.scalars(select(Team))}


def _valid_or_400(form: FlaskForm) -> None:
    """Abort with the form's errors (CSRF included) as the reason."""
    if not form.validate_on_submit():
        abort(400, "; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()))


@bp.route("/users/<int:user_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def update_user(user_id: int):
    """Change a user's role, team and whether the account is active; each change is audited."""
    user = db.get_or_404(User, user_id)
    teams = _teams_by_id()
    form = UserEditForm()
    form.team.choices = [(0, "—")] + [(i, t.name) for i, t in teams.items()]
    _valid_or_400(form)
    try:
        user_service.set_role(user, Role(form.role.data), current_user)
        user_service.set_team(user, teams.get(form.team.data), current_user)
        user_service.set_active(user, form.status.data == "active", current_user)
    except user_service.UserError as exc:
        db.session.rollback()
        flash(f"Nothing changed: {exc}.", "error")
    else:
        db.session.commit()
        state = "active" if user.active else "deactivated"
        flash(f"Saved {user.email}: {user.role.value}, {state}.", "info")
    # An admin who just gave up the role may no longer open the users page.
    return redirect(url_for(".users") if current_user.role == Role.ADMIN else "/")


@bp.route("/users/<int:user_id>/teams", methods=["POST"])
@roles_required(Role.ADMIN)
def update_led_teams(user_id: int):
    """Set the teams a lead leads; audited with the team names before and after."""
    user = db.get_or_404(User, user_id)
    teams = _teams_by_id()
    form = LedTeamsForm()
    form.teams.choices = [(i, t.name) for i, t in teams.items()]
    _valid_or_400(form)
    try:
        user_service.set_led_teams(user, [teams[i] for i in form.teams.data], current_user)
    except user_service.UserError as exc:
        abort(400, str(exc))
    db.session.commit()
    led = ", ".join(t.name for t in user.led_teams) or "no teams"
    flash(f"Saved {user.email}: leads {led}.", "info")
    return redirect(url_for(".users"))


@bp.route("/audit")
@roles_required(Role.ADMIN)
def audit_log():
    """The latest audit events."""
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(200)).all()
    return render_template("admin/audit.html", events=events)


@bp.route("/models")
@roles_required(Role.ADMIN)
def models():
    """AutoQA model versions with their metrics; which one is active."""
    from ..ml import scoring_registry
    from ..services import autoqa

    registry = scoring_registry()
    return render_template(
        "admin/models.html",
        rows=autoqa.versions(registry),
        default=autoqa.shipped_default(),
        active=registry.active(),
        custom=autoqa.custom_heads(),
    )


@bp.route("/models/custom/activate", methods=["POST"])
@roles_required(Role.ADMIN)
def activate_custom_head():
    """Activate a version of a criterion's custom head, or roll it back to the previous one."""
    from ..services import autoqa

    criterion_id = request.form.get("criterion", type=int)
    if criterion_id is None:
        flash("No criterion given.", "error")
        return redirect(url_for(".models"))
    criterion = db.session.get(Criterion, criterion_id) if 0 < criterion_id < 2**31 else None
    name = criterion.name if criterion is not None else f"criterion {criterion_id}"
    return _activate_or_roll_back(
        lambda: autoqa.rollback_custom(criterion_id, current_user),
        lambda version: autoqa.activate_custom(criterion_id, version, current_user),
        f"Active head for {name}: " + "{version}. New scores use it.",
        f"{name} has no learned head any more: new interactions get no suggestion for it.",
    )


@bp.route("/models/activate", methods=["POST"])
@roles_required(Role.ADMIN)
def activate_model():
    """Activate a registered version, or roll back to the previous one."""
    from ..ml import scoring_registry
    from ..services import autoqa

    registry = scoring_registry()
    return _activate_or_roll_back(
        lambda: autoqa.rollback(registry, current_user),
        lambda version: autoqa.activate_version(registry, version, current_user),
        "Active AutoQA model: {version}. New scores use it; run `flask score --all` to re-score.",
        f"Rolled back to the shipped default model {autoqa.shipped_default().get('version')}. "
        "New scores use it; run `flask score --all` to re-score.",
    )


def _activate_or_roll_back(
    rollback: Callable[[], str | None], activate: Callable[[str], object], done: str, off: str
) -> Response:
    """The posted version activated (or a rollback when asked), committed and flashed with
    `done` (its "{version}" replaced by the version), or `off` when the rollback left no version active
    (back to the default); a registry error is flashed, nothing changes."""
    from scoring import ScoringError

    try:
        if request.form.get("rollback"):
            version = rollback()
        else:
            version = request.form.get("version", "")
            activate(version)
    except ScoringError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(done.replace("{version}", version) if version else off, "info")
    return redirect(url_for(".models"))


@bp.route("/jobs")
@roles_required(Role.ADMIN)
def jobs():
    """The pipeline: interactions per status, queue lengths and recent failures with reasons."""
    from flask import current_app

    from ..services.jobs_status import status

    return render_template("admin/jobs.html", report=status(current_app.extensions.get("celery")))
