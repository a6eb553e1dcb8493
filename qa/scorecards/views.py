"""Scorecard builder: criteria in sections, saved as a draft, published as a new version."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from ..access import roles_required
from ..extensions import db
from ..languages import language_name
from ..models import Criterion, Role, Scorecard, ScorecardVersion, Team
from ..services import escalation_head
from ..services import reviews as service
from ..services import scorecards as assigning
from ..services.call_analytics import CALL_KEYS
from . import bp
from .forms import AssignmentForm, ScorecardForm


@bp.route("/scorecards")
@roles_required(Role.ADMIN, Role.LEAD)
def index():
    """Scorecards with their versions."""
    rows = db.session.scalars(select(Scorecard).order_by(Scorecard.name)).all()
    applies = {s.id: assigning.assignments_of(s) for s in rows}
    return render_template("scorecards/index.html", rows=rows, applies=applies)


def _known_keys() -> list[str]:
    """AutoQA keys to suggest: the built-in ones and those already used on scorecards."""
    used = db.session.scalars(
        select(Criterion.autoqa_key).where(Criterion.autoqa_key.is_not(None)).distinct()
    )
    return sorted({"empathy", "resolution", escalation_head.KEY, *CALL_KEYS, *used})


def _page(form: ScorecardForm, scorecard: Scorecard | None, status: int = 200):  # type: ignore[no-untyped-def]
    assign = None
    if scorecard is not None:
        assign = AssignmentForm.of(scorecard, assigning.assignments_of(scorecard))
    other = assigning.teams_in_other_language(scorecard) if scorecard is not None else []
    warning = language_warning(scorecard, other) if scorecard is not None and other else None
    return render_template(
        "scorecards/edit.html", form=form, scorecard=scorecard, keys=_known_keys(), assign=assign,
        language_warning=warning,
    ), status


def _scorecard_or_none(scorecard_id: int | None) -> Scorecard | None:
    """The scorecard being edited (404 if the id names none); None for a new one."""
    if scorecard_id is None:
        return None
    scorecard = db.session.get(Scorecard, scorecard_id)
    if scorecard is None:
        abort(404)
    return scorecard


@bp.route("/scorecards/new", methods=["GET", "POST"])
@bp.route("/scorecards/<int:scorecard_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.LEAD)
def edit(scorecard_id: int | None = None):
    """Edit the scorecard's draft (started from the current version) and publish it."""
    scorecard = _scorecard_or_none(scorecard_id)
    if request.method == "GET":
        return _page(ScorecardForm.of(scorecard), scorecard)
    form = ScorecardForm()
    form.editing = scorecard
    if form.added_row():
        return _page(form, scorecard)
    if not form.validate():
        return _page(form, scorecard, 400)
    try:
        version = service.save_scorecard(
            scorecard, form.name.data, form.description.data, form.specs(),
            publish=bool(form.publish.data), actor=current_user, language=form.language.data or None,
        )  # fmt: skip
    except service.ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _page(form, _scorecard_or_none(scorecard_id), 400)
    db.session.commit()
    flash(_saved(version), "info")
    _warn_other_language(version.scorecard)
    return redirect(url_for(".edit", scorecard_id=version.scorecard_id))


@bp.route("/scorecards/<int:scorecard_id>/assign", methods=["POST"])
@roles_required(Role.ADMIN, Role.LEAD)
def assign(scorecard_id: int):
    """Set the channels and teams the scorecard applies to (a review starts with the most
    specific active scorecard)."""
    scorecard = _scorecard_or_none(scorecard_id)
    assert scorecard is not None
    form = AssignmentForm()
    form.offer()
    if not form.validate():
        abort(400)
    try:
        assigning.set_assignments(
            scorecard, form.channels.data or [], form.teams.data or [],
            actor=current_user, combine=bool(form.combine.data),
        )  # fmt: skip
    except assigning.NotYourTeams as exc:
        abort(403, str(exc))
    except assigning.AssignmentError as exc:
        abort(400, str(exc))
    db.session.commit()
    flash(gettext("%(scorecard)s: assignment saved.", scorecard=scorecard.name), "info")
    _warn_other_language(scorecard)
    return redirect(url_for(".edit", scorecard_id=scorecard.id))


def _warn_other_language(scorecard: Scorecard) -> None:
    """Warn (not refuse) when the scorecard applies to teams that work in another language."""
    if teams := assigning.teams_in_other_language(scorecard):
        flash(language_warning(scorecard, teams), "warning")


def language_warning(scorecard: Scorecard, teams: list[Team]) -> str:
    """Why a scorecard may not suit the teams it is assigned to."""
    named = ", ".join(f"{t.name} ({language_name(t.language)})" for t in teams)
    return gettext(
        "%(scorecard)s is written in %(language)s, but it applies to teams that work in another "
        "language: %(teams)s. Their reviewers will score with criteria in %(language)s.",
        scorecard=scorecard.name, language=language_name(scorecard.language), teams=named,
    )


def _saved(version: ScorecardVersion) -> str:
    if version.published_at is None:
        return gettext("Draft saved.")
    return gettext("Published %(scorecard)s v%(number)s.", scorecard=version.scorecard.name,
                   number=version.number)


@bp.route("/scorecards/<int:scorecard_id>/versions/<int:number>")
@roles_required(Role.ADMIN, Role.LEAD)
def version(scorecard_id: int, number: int):
    """One version's criteria, read-only."""
    version = db.session.scalar(
        select(ScorecardVersion).where(
            ScorecardVersion.scorecard_id == scorecard_id, ScorecardVersion.number == number
        )
    )
    if version is None:
        abort(404)
    return render_template("scorecards/version.html", version=version)
