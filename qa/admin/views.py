from collections.abc import Callable
from datetime import UTC, datetime

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..access import roles_required
from ..extensions import db
from ..jobs import training
from ..jobs.status import status
from ..languages import language_name
from ..ml import scoring_registry
from ..models import ApiToken, AuditEvent, Criterion, Role, Team, User
from ..services import audit, autoqa, calibration, escalation_head, mail, team_language, tokens
from ..services import users as user_service
from . import bp
from .forms import (
    LedTeamsForm,
    RevokeTokenForm,
    TeamForm,
    TeamLanguageForm,
    UserEditForm,
    UserForm,
)


def _teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def _valid_or_400(form: FlaskForm) -> None:
    """Abort with the form's errors (CSRF included) as the reason."""
    if not form.validate_on_submit():
        abort(400, "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in form.errors.items()))


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def users():
    """Users, teams and API tokens; create a user or a team."""
    teams = _teams()
    form, team_form = UserForm(teams, prefix="user"), TeamForm(prefix="team")
    if form.submit.data and form.validate_on_submit() and (created := _created_user(form)):
        return created
    if team_form.submit.data and team_form.validate_on_submit():
        team = user_service.get_or_create_team(team_form.name.data.strip())
        audit.record(current_user, "team.created", team)
        team_language.set_team_language(team, team_form.language.data, current_user)
        db.session.commit()
        flash(gettext("Created team %(team)s.", team=team.name), "info")
        return redirect(url_for(".users"))
    return render_template(
        "admin/users.html",
        people=db.session.scalars(select(User).order_by(User.role, User.name)).all(),
        teams=teams,
        form=form,
        team_form=team_form,
        api_tokens=tokens.unrevoked_tokens(),
        team_effects=team_language.effects_by_team(teams, current_app.config),
    ), 400 if request.method == "POST" else 200


def _created_user(form: UserForm) -> Response | None:
    """Create the user `form` describes (invited when no password is given), commit and say so;
    where to go next, or None (the reason flashed) if refused."""
    who = (form.email.data, form.name.data)
    where = {"team": form.chosen_team(), "leads": form.chosen_leads(), "actor": current_user}
    try:
        if form.password.data:
            user = user_service.create_user(*who, form.password.data, form.role.data, **where)
        else:
            user = user_service.invite_user(*who, form.role.data, **where)
        if form.sso_only.data:
            user_service.set_password_login(user, False, current_user)
    except user_service.UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return None
    user.weekly_capacity = form.weekly_capacity.data or 0
    db.session.commit()
    flash(gettext("Created %(email)s (%(role)s).", email=user.email, role=user.role.value), "info")
    if form.password.data or form.sso_only.data:  # (no set-password link to hand over)
        return redirect(url_for(".users"))
    if mail.configured():
        days = user_service.INVITE_MAX_AGE // 86400
        sent = user_service.email_invite(user, _set_password_link(user), days, current_user)
        db.session.commit()
        if sent:
            flash(gettext("Invitation emailed to %(email)s.", email=user.email), "info")
            return redirect(url_for(".users"))
        flash(gettext("The invitation could not be emailed: hand over this link."), "error")
    return redirect(url_for(".invite_link", user_id=user.id))


def _set_password_link(user: User) -> str:
    """The user's one-time set-password link, absolute (under BASE_URL when it is set)."""
    token = user_service.invite_token(user, current_app.config["SECRET_KEY"])
    if current_app.config.get("BASE_URL"):
        return mail.absolute(url_for("auth.set_password", token=token))
    return url_for("auth.set_password", token=token, _external=True)


@bp.route("/users/<int:user_id>/invite")
@roles_required(Role.ADMIN)
def invite_link(user_id: int):
    """The user's one-time set-password link, to hand over; valid a week, until it is used."""
    user = db.get_or_404(User, user_id)
    days = user_service.INVITE_MAX_AGE // 86400
    return render_template(
        "admin/invite.html", user=user, link=_set_password_link(user), days=days
    )


@bp.route("/users/<int:user_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def update_user(user_id: int):
    """Change a user's role, team, whether the account is active and whether it signs in with a
    password; each change is audited."""
    user = db.get_or_404(User, user_id)
    form = UserEditForm(_teams())
    _valid_or_400(form)
    try:
        user_service.set_role(user, Role(form.role.data), current_user)
        user_service.set_team(user, form.chosen_team(), current_user)
        user_service.set_active(user, form.status.data == "active", current_user)
        if form.weekly_capacity.data is not None:
            user_service.set_capacity(user, form.weekly_capacity.data, current_user)
        if form.password_login.data in ("on", "off"):
            user_service.set_password_login(user, form.password_login.data == "on", current_user)
    except user_service.UserError as exc:
        db.session.rollback()
        flash(gettext("Nothing changed: %(exc)s.", exc=exc), "error")
    else:
        db.session.commit()
        state = "active" if user.active else "deactivated"
        flash(gettext("Saved %(email)s: %(role)s, %(state)s.", email=user.email, role=user.role.value, state=state), "info")
    # An admin who just gave up the role may no longer open the users page.
    return redirect(url_for(".users") if current_user.role == Role.ADMIN else "/")


@bp.route("/users/<int:user_id>/teams", methods=["POST"])
@roles_required(Role.ADMIN)
def update_led_teams(user_id: int):
    """Set the teams a lead leads; audited with the team names before and after."""
    user = db.get_or_404(User, user_id)
    form = LedTeamsForm(_teams())
    _valid_or_400(form)
    try:
        user_service.set_led_teams(user, form.chosen_teams(), current_user)
    except user_service.UserError as exc:
        abort(400, str(exc))
    db.session.commit()
    led = ", ".join(t.name for t in user.led_teams) or gettext("no teams")
    flash(gettext("Saved %(email)s: leads %(led)s.", email=user.email, led=led), "info")
    return redirect(url_for(".users"))


@bp.route("/teams/<int:team_id>/language", methods=["POST"])
@roles_required(Role.ADMIN)
def set_team_language(team_id: int):
    """Set the language a team works in; the flash says what it decides (the Whisper model of
    its calls, whether AutoQA scores it)."""
    team = db.get_or_404(Team, team_id)
    form = TeamLanguageForm()
    if not form.validate_on_submit():
        reasons = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        flash(gettext("Nothing changed: %(exc)s.", exc=reasons), "error")
        return redirect(url_for(".users", _anchor="teams"))
    if not team_language.set_team_language(team, form.language.data, current_user):
        flash(gettext("%(team)s already works in %(language)s.", team=team.name,
                      language=language_name(team.language)), "info")
        return redirect(url_for(".users", _anchor="teams"))
    db.session.commit()
    found = team_language.effects(team.language, current_app.config)
    flash(" ".join([gettext("%(team)s now works in %(language)s.", team=team.name,
                            language=language_name(team.language)),
                    *team_language.describe(found)]), "info")
    return redirect(url_for(".users", _anchor="teams"))


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def revoke_token(token_id: int):
    """Revoke a user's API token, audited; the API refuses it from the next request on."""
    token = db.get_or_404(ApiToken, token_id)
    _valid_or_400(RevokeTokenForm())
    label = gettext("API token %(token)s of %(email)s", token=token.name, email=token.user.email)
    if tokens.revoke(token, current_user):
        db.session.commit()
        flash(gettext("Revoked %(label)s.", label=label), "info")
    else:
        flash(gettext("%(label)s was already revoked.", label=label), "info")
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
    registry = scoring_registry()
    return render_template(
        "admin/models.html",
        rows=autoqa.versions(registry),
        default=autoqa.shipped_default(),
        active=registry.active(),
        custom=autoqa.custom_heads(),
        escalation=escalation_head.state(),
        agreement=calibration.autoqa_agreement(),
        when=human_time,
        training=training.read_state(current_app),
        training_where=training.runs_on(current_app),
    )


@bp.route("/models/train", methods=["POST"])
@roles_required(Role.ADMIN)
def train_model():
    """Start `train --from-reviews` in the background; the page then follows its progress."""
    _valid_or_400(FlaskForm())
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if training.start(app, current_user.id):
        flash(gettext("Training started: it runs in the background, follow it below."), "info")
    else:
        flash(gettext("A training is already running."), "error")
    return redirect(url_for(".models") + "#training")


@bp.route("/models/escalation/train", methods=["POST"])
@roles_required(Role.ADMIN)
def train_escalation_head():
    """Start training the escalation head (`--escalation-head`) in a background thread; the
    page follows it like the model's training (one training at a time)."""
    _valid_or_400(FlaskForm())
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if training.start(app, current_user.id, training.retrain_escalation):
        flash(gettext("Training of the escalation head started: follow it below."), "info")
    else:
        flash(gettext("A training is already running."), "error")
    return redirect(url_for(".models") + "#training")


@bp.route("/models/train/status")
@roles_required(Role.ADMIN)
def train_status():
    """The training job's state as JSON (polled by the models page)."""
    return jsonify(training.read_state(current_app))


def human_time(value: object) -> str:
    """An ISO timestamp as people read it ("2 Dec 2026, 16:50 UTC"); other values unchanged."""
    if not isinstance(value, str):
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


@bp.route("/models/custom/activate", methods=["POST"])
@roles_required(Role.ADMIN)
def activate_custom_head():
    """Activate a version of a criterion's custom head, or roll it back to the previous one."""
    criterion_id = request.form.get("criterion", type=int)
    if criterion_id is None:
        flash(gettext("No criterion given."), "error")
        return redirect(url_for(".models"))
    criterion = db.session.get(Criterion, criterion_id) if 0 < criterion_id < 2**31 else None
    name = criterion.name if criterion is not None else gettext("criterion %(number)s", number=criterion_id)
    return _activate_or_roll_back(
        lambda: autoqa.rollback_custom(criterion_id, current_user),
        lambda version: autoqa.activate_custom(criterion_id, version, current_user),
        gettext("Active head for %(name)s: {version}. New scores use it.", name=name),
        gettext("%(name)s has no learned head any more: new interactions get no suggestion for it.",
                name=name),
    )


@bp.route("/models/activate", methods=["POST"])
@roles_required(Role.ADMIN)
def activate_model():
    """Activate a registered version, or roll back to the previous one."""
    registry = scoring_registry()
    return _activate_or_roll_back(
        lambda: autoqa.rollback(registry, current_user),
        lambda version: autoqa.activate_version(registry, version, current_user),
        gettext("Active AutoQA model: {version}. New scores use it; run `flask score --all` to "
                "re-score."),
        gettext("Rolled back to the shipped default model %(version)s. New scores use it; run "
                "`flask score --all` to re-score.", version=autoqa.shipped_default().get("version")),
    )


def _activate_or_roll_back(
    rollback: Callable[[], str | None], activate: Callable[[str], object], done: str, off: str
) -> Response:
    """The posted version activated (or a rollback when asked), committed and flashed with
    `done` (its "{version}" replaced by the version), or `off` when the rollback left no version active
    (back to the default); a registry error is flashed, nothing changes."""
    # Imported here, not at the top: the scoring package loads torch, which most pages never need.
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
    return render_template("admin/jobs.html", report=status(current_app.extensions.get("celery")))
