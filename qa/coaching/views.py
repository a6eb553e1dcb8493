"""Training catalogue, assignments and quizzes, coaching sessions, and the effect of training."""

from typing import cast

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..access import get_review_or_404, led_team_ids, roles_required, visible_agents
from ..extensions import db
from ..i18n import format_number
from ..kb import services as kb
from ..languages import language_choices, language_name
from ..models import Review, Role, Team, User
from ..services.dashboard import default_period
from . import bp, services
from .forms import (
    AcknowledgeForm,
    AssignForm,
    CompleteForm,
    ModuleForm,
    ScheduleForm,
    SessionForm,
    session_form_data,
)
from .models import CoachingSession, SessionStatus, TrainingAssignment, TrainingModule

Page = str | tuple[str, int] | Response


def _team_ids() -> list[int]:
    if current_user.role == Role.LEAD:
        return led_team_ids(current_user)
    if current_user.role == Role.ADMIN:
        return list(db.session.scalars(select(Team.id)))
    return []


def _form_errors(form) -> str:  # type: ignore[no-untyped-def]
    def label(name: str) -> str:
        return form[name].label.text if name in form else name

    return "; ".join(
        f"{label(k)}: {e[0] if isinstance(e, list) else e}" for k, e in form.errors.items()
    )


def _agents() -> list[User]:
    """The agents the signed-in lead or admin may assign to or coach."""
    return cast(list[User], list(db.session.scalars(visible_agents(current_user))))


def _modules() -> list[TrainingModule]:
    return list(db.session.scalars(select(TrainingModule).order_by(TrainingModule.title)))


@bp.route("/")
@login_required
def training():
    """Agents: my training and sessions. Leads and admins: their teams' training and the catalogue."""
    teams = _team_ids()
    assignments = services.assignments_for(current_user, teams)
    return render_template(
        "coaching/training.html",
        assignments=assignments,
        modules=_modules(),
        sessions=services.sessions_for(current_user, teams),
        overdue_count=sum(1 for a in assignments if a.overdue),
    )


@bp.route("/modules/<int:module_id>")
@login_required
def module(module_id: int):
    """A training module's content."""
    item = db.session.get(TrainingModule, module_id) or abort(404)
    return render_template("coaching/module.html", module=item, html=services.render_content(item))


# --- the catalogue ------------------------------------------------------------------------------


def _module_form(item: TrainingModule | None) -> ModuleForm:
    form = ModuleForm(obj=item) if item and request.method == "GET" else ModuleForm()
    names = services.criterion_names()
    if item and item.criterion_key and item.criterion_key not in names:
        names.append(item.criterion_key)
    form.criterion_key.choices = [("", "— none —")] + [(n, n) for n in names]
    form.language.choices = language_choices()
    form.kb_articles.choices = kb.reference_choices(current_user)
    if request.method == "GET" and item is not None:
        form.quiz.data = services.quiz_text(item.quiz)
        form.criterion_key.data = item.criterion_key or ""
        form.kb_articles.data = [a.id for a in kb.module_articles(item.id)]
    elif request.method == "GET" and request.args.get("criterion"):
        form.criterion_key.data = request.args["criterion"]
    return form


def _save_module(item: TrainingModule | None) -> Page:
    form = _module_form(item)
    if request.method == "GET":
        return render_template("coaching/module_form.html", form=form, module=item)
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return render_template("coaching/module_form.html", form=form, module=item), 400
    try:
        saved = services.save_module(
            item,
            current_user,
            title=form.title.data,
            content=form.content.data,
            criterion_key=form.criterion_key.data,
            quiz=form.quiz.data,
            pass_mark=form.pass_mark.data,
            language=form.language.data or None,
        )
    except services.TrainingError as exc:
        flash(str(exc), "error")
        return render_template("coaching/module_form.html", form=form, module=item), 400
    kb.set_module_articles(saved.id, form.kb_articles.data or [], current_user)
    db.session.commit()
    flash(gettext("Module “%(saved)s” saved.", saved=saved.title), "info")
    return redirect(url_for(".module", module_id=saved.id))


@bp.route("/modules/new", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def new_module():
    """Create a training module (Markdown content, linked criterion, optional quiz)."""
    return _save_module(None)


@bp.route("/modules/<int:module_id>/edit", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def edit_module(module_id: int):
    """Edit a training module."""
    return _save_module(db.session.get(TrainingModule, module_id) or abort(404))


# --- assignments --------------------------------------------------------------------------------


def _quiz_answers(item: TrainingAssignment) -> dict[int, int]:
    answers = {}
    for i in range(len(item.module.quiz or [])):
        raw = request.form.get(f"q{i}")
        if raw is None or raw == "":
            continue
        try:
            answers[i] = int(raw)
        except ValueError:
            abort(400, gettext("question %(value)s: not an option", value=i + 1))
    return answers


def _assignment_page(item: TrainingAssignment, form: CompleteForm, status: int = 200) -> Page:
    html = services.render_content(item.module)
    return render_template("coaching/assignment.html", a=item, form=form, html=html), status


def _completed(item: TrainingAssignment, result: services.QuizResult | None) -> Response:
    """Say how the attempt went: a failed quiz comes back to the assignment, else to the list."""
    if result is not None and not result.passed:
        flash(
            gettext(
                "You scored %(score)s%% (%(right)s of %(total)s); the pass mark is "
                "%(pass_mark)s%%. Read the module again and retry.",
                score=format_number(result.score), right=result.right, total=result.total,
                pass_mark=result.pass_mark,
            ),
            "error",
        )
        return redirect(url_for(".assignment", assignment_id=item.id))
    if result is None:
        flash(gettext("Training completed."), "info")
    else:
        flash(gettext("Training completed. Quiz score %(score)s%%.",
                      score=format_number(result.score)), "info")
    return redirect(url_for(".training"))


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def assignment(assignment_id: int):
    """One assignment: the agent reads the module, answers the quiz if any, and completes it."""
    item = db.session.get(TrainingAssignment, assignment_id)
    if item is None or not services.can_view_assignment(current_user, item, _team_ids()):
        abort(404)
    form = CompleteForm()
    if item.module.quiz:
        form.submit.label.text = gettext("Submit answers")
    if not form.validate_on_submit():
        return _assignment_page(item, form)
    try:
        result = services.complete(item, current_user, _quiz_answers(item))
    except services.TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _assignment_page(item, form, 400)
    db.session.commit()
    return _completed(item, result)


def _assign_form(agents: list[User]) -> AssignForm:
    """The assign form with its choices, pre-filled on GET from ?agent=…&module=…"""
    form = AssignForm()
    form.agents.choices = [(a.id, _agent_label(a)) for a in agents]
    form.module.choices = [(m.id, f"{m.title} ({language_name(m.language)})") for m in _modules()]
    if request.method == "GET":
        wanted = request.args.getlist("agent", type=int)
        if wanted:
            form.agents.data = [a for a in wanted if a in {x.id for x in agents}]
        if request.args.get("module", type=int):
            form.module.data = request.args.get("module", type=int)
    return form


def _agent_label(agent: User) -> str:
    """An agent in the assign form: their name, with the language their team works in."""
    return f"{agent.name} ({language_name(agent.team.language)})" if agent.team else agent.name


def language_warning(module: TrainingModule, agents: list[User]) -> str | None:
    """Why a module may not suit the agents it is (to be) assigned to; None when it suits."""
    other = services.agents_in_other_language(module, agents)
    if not other:
        return None
    named = ", ".join(f"{a.name} ({language_name(a.team.language if a.team else None)})"
                      for a in other)  # fmt: skip
    return gettext(
        "“%(module)s” is written in %(language)s, but these agents work in another language: "
        "%(agents)s.", module=module.title, language=language_name(module.language), agents=named,
    )


def _chosen_warning(form: AssignForm, agents: list[User]) -> str | None:
    """The language warning for the module and agents the page opens with (from a dashboard)."""
    module = db.session.get(TrainingModule, form.module.data) if form.module.data else None
    chosen = [a for a in agents if a.id in set(form.agents.data or [])]
    return language_warning(module, chosen) if module is not None else None


def _back_after_assign(review: Review | None) -> Response:
    """Back where the lead came from: the review, the team dashboard, or the training page."""
    if review is not None:
        return redirect(url_for("reviews.show", review_id=review.id))
    if team := request.form.get("next_team", type=int):
        return redirect(url_for("dashboard.team", team=team))
    return redirect(url_for(".training"))


def _assign_chosen(form: AssignForm, agents: list[User]) -> Page:
    """Assign the chosen module to the chosen agents, or say why not."""
    module = db.session.get(TrainingModule, form.module.data) or abort(404)
    chosen = [a for a in agents if a.id in set(form.agents.data)]
    review = get_review_or_404(int(form.review_id.data)) if form.review_id.data else None
    try:
        created = services.assign(
            module,
            chosen,
            current_user,
            due_date=form.due_date.data,
            review=review,
            note=form.note.data,
        )
    except services.TrainingError as exc:
        flash(str(exc), "error")
        return render_template("coaching/assign.html", form=form), 400
    db.session.commit()
    names = ", ".join(a.agent.name for a in created) or gettext("nobody new (already assigned)")
    flash(gettext("Assigned “%(module)s” to %(names)s.", module=module.title, names=names), "info")
    if warning := language_warning(module, [a.agent for a in created]):
        flash(warning, "warning")
    return _back_after_assign(review)


@bp.route("/assign", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def assign():
    """Assign a module to one or more agents (from a review, a dashboard row or a weak criterion)."""
    agents = _agents()
    form = _assign_form(agents)
    if request.method == "GET":
        return render_template("coaching/assign.html", form=form, warning=_chosen_warning(form, agents))
    if form.validate_on_submit():
        return _assign_chosen(form, agents)
    flash(_form_errors(form), "error")
    if form.review_id.data:
        return redirect(url_for("reviews.show", review_id=int(form.review_id.data)))
    return render_template("coaching/assign.html", form=form), 400


@bp.route("/effects")
@roles_required(Role.LEAD, Role.ADMIN)
def effects():
    """Before/after: each completed module's criterion score over N reviews, per agent and module."""
    n = current_app.config.get("COACHING_EFFECT_REVIEWS", 5)
    team_ids = None if current_user.role == Role.ADMIN else led_team_ids(current_user)
    rows, modules = services.training_effects(team_ids, n)
    return render_template("coaching/effects.html", rows=rows, modules=modules, n=n)


# --- coaching sessions -------------------------------------------------------------------------


def _get_session_or_404(session_id: int) -> CoachingSession:
    item = db.session.get(CoachingSession, session_id)
    if item is None or not services.can_view_session(current_user, item, _team_ids()):
        abort(404)
    return item


def _schedule_form(agents: list[User]) -> ScheduleForm:
    """The schedule form with its choices, pre-filled on GET from ?agent=…&criterion=…"""
    form = ScheduleForm()
    form.agent.choices = [(a.id, a.name) for a in agents]
    form.criteria.choices = [(n, n) for n in services.criterion_names()]
    if request.method == "GET":
        if request.args.get("agent", type=int):
            form.agent.data = request.args.get("agent", type=int)
        if request.args.getlist("criterion"):
            form.criteria.data = request.args.getlist("criterion")
    return form


def _schedule(form: ScheduleForm, agents: list[User]) -> Page:
    """Schedule the session the form describes, or say why not."""
    agent = next((a for a in agents if a.id == form.agent.data), None) or abort(404)
    try:
        item = services.schedule_session(
            current_user,
            agent,
            form.scheduled_at.data,
            default_period(weeks=12),
            threshold=current_app.config.get("COACHING_WEAK_THRESHOLD", 70),
            criteria=form.criteria.data or None,
        )
    except services.CoachingSessionError as exc:
        flash(str(exc), "error")
        return render_template("coaching/session_new.html", form=form), 400
    db.session.commit()
    flash(gettext("Session with %(agent)s scheduled.", agent=agent.name), "info")
    return redirect(url_for(".session", session_id=item.id))


@bp.route("/sessions/new", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def new_session():
    """Schedule a coaching session; the agenda is pre-filled from the agent's weak criteria."""
    agents = _agents()
    form = _schedule_form(agents)
    if request.method == "GET":
        return render_template("coaching/session_new.html", form=form)
    if form.validate_on_submit():
        return _schedule(form, agents)
    flash(_form_errors(form), "error")
    return render_template("coaching/session_new.html", form=form), 400


def _examples(item: CoachingSession) -> list[Review]:
    ids = item.example_review_ids or []
    if not ids:
        return []
    found = {r.id: r for r in db.session.scalars(select(Review).where(Review.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _session_page(item: CoachingSession, form: SessionForm, status: int = 200) -> Page:
    form.kb_articles.choices = kb.reference_choices(current_user)
    if request.method == "GET":
        form.kb_articles.data = [a.id for a in kb.session_articles(item.id)]
    return render_template(
        "coaching/session.html",
        s=item,
        form=form,
        editable=current_user.role in (Role.LEAD, Role.ADMIN),
        ack_form=AcknowledgeForm(),
        agenda=services.render_markdown(item.agenda),
        notes=services.render_markdown(item.notes),
        examples=_examples(item),
    ), status


def _record(item: CoachingSession, form: SessionForm) -> None:
    """Record the submitted form on the session (raises CoachingSessionError)."""
    services.update_session(
        item,
        current_user,
        agenda=form.agenda.data,
        notes=form.notes.data,
        action_items=[entry.data for entry in form.action_items],
        follow_up_date=form.follow_up_date.data,
        status=SessionStatus(form.status.data),
    )
    kb.set_session_articles(item.id, form.kb_articles.data or [], current_user)


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@login_required
def session(session_id: int):
    """A coaching session: the lead records notes and action items; the agent reads the summary."""
    item = _get_session_or_404(session_id)
    if request.method == "GET":
        return _session_page(item, SessionForm(data=session_form_data(item)))
    if current_user.role not in (Role.LEAD, Role.ADMIN):
        abort(403, gettext("Only the lead records a session."))
    form = SessionForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return _session_page(item, form, 400)
    try:
        _record(item, form)
    except services.CoachingSessionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _session_page(item, form, 400)
    db.session.commit()
    flash(gettext("Session saved."), "info")
    return redirect(url_for(".session", session_id=item.id))


@bp.route("/sessions/<int:session_id>/acknowledge", methods=["POST"])
@roles_required(Role.AGENT)
def acknowledge_session(session_id: int):
    """The agent acknowledges the session summary."""
    item = _get_session_or_404(session_id)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        abort(400, gettext("The form expired; reload the page."))
    try:
        services.acknowledge_session(item, current_user)
    except services.CoachingSessionError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".session", session_id=item.id)), 303
    db.session.commit()
    flash(gettext("Session summary acknowledged."), "info")
    return redirect(url_for(".session", session_id=item.id))
