from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from qa.access import get_review_or_404, led_team_ids, roles_required, visible_agents
from qa.extensions import db
from qa.models import Role

from . import services
from .forms import AssignForm, CompleteForm
from .models import TrainingAssignment, TrainingModule

bp = Blueprint("coaching", __name__, url_prefix="/training", template_folder="../qa/templates")


@bp.route("/")
@login_required
def training():
    """Agents: my training. Leads and admins: assignments of their teams and the catalogue."""
    teams = led_team_ids(current_user) if current_user.role == Role.LEAD else []
    assignments = services.assignments_for(current_user, teams)
    modules = db.session.scalars(select(TrainingModule).order_by(TrainingModule.title)).all()
    return render_template("coaching/training.html", assignments=assignments, modules=modules)


@bp.route("/modules/<int:module_id>")
@login_required
def module(module_id: int):
    """A training module's content."""
    item = db.session.get(TrainingModule, module_id) or abort(404)
    return render_template("coaching/module.html", module=item, html=services.render_content(item))


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def assignment(assignment_id: int):
    """One assignment: the agent reads the module and completes it."""
    item = db.session.get(TrainingAssignment, assignment_id)
    if item is None:
        abort(404)
    visible = services.assignments_for(
        current_user, led_team_ids(current_user) if current_user.role == Role.LEAD else []
    )
    if item not in visible:
        abort(404)
    form = CompleteForm()
    if form.validate_on_submit():
        try:
            services.complete(item, current_user)
        except services.TrainingError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Training completed.", "info")
        return redirect(url_for(".training"))
    return render_template(
        "coaching/assignment.html", a=item, form=form, html=services.render_content(item.module)
    )


@bp.route("/assign", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def assign():
    """Assign a module to one or more agents (from a review, a dashboard row or here)."""
    form = AssignForm()
    agents = db.session.scalars(visible_agents(current_user)).all()
    form.agents.choices = [(a.id, a.name) for a in agents]
    form.module.choices = [
        (m.id, m.title)
        for m in db.session.scalars(select(TrainingModule).order_by(TrainingModule.title))
    ]
    if request.method == "GET" and request.args.get("agent", type=int):
        form.agents.data = [request.args.get("agent", type=int)]
    if form.validate_on_submit():
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
        else:
            db.session.commit()
            names = ", ".join(a.agent.name for a in created) or "nobody new (already assigned)"
            flash(f"Assigned “{module.title}” to {names}.", "info")
            if review is not None:
                return redirect(url_for("reviews.show", review_id=review.id))
            return redirect(url_for(".training"))
    elif request.method == "POST":
        flash("; ".join(f"{form[k].label.text}: {e[0]}" for k, e in form.errors.items()), "error")
        if form.review_id.data:
            return redirect(url_for("reviews.show", review_id=int(form.review_id.data)))
    return render_template("coaching/assign.html", form=form), (
        400 if request.method == "POST" else 200
    )
