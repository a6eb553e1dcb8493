"""Scorecard builder: criteria in sections, saved as a draft, published as a new version."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import roles_required
from ..extensions import db
from ..models import Criterion, Role, Scorecard, ScorecardVersion
from ..services import reviews as service
from . import bp
from .forms import ScorecardForm

KEY = re.compile(r"^[a-z][a-z0-9_]*$")
SCALE_NAMES = {v: k for k, v in service.SCALES.items()}


@bp.route("/scorecards")
@roles_required(Role.ADMIN, Role.LEAD)
def scorecards():
    """Scorecards with their versions."""
    rows = db.session.scalars(select(Scorecard).order_by(Scorecard.name)).all()
    return render_template("scorecards/index.html", rows=rows)


def _known_keys() -> list[str]:
    """AutoQA keys to suggest: the built-in ones and those already used on scorecards."""
    used = db.session.scalars(
        select(Criterion.autoqa_key).where(Criterion.autoqa_key.is_not(None)).distinct()
    )
    return sorted({"empathy", "resolution", *used})


def _page(form: ScorecardForm, scorecard: Scorecard | None, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "scorecards/edit.html", form=form, scorecard=scorecard, keys=_known_keys()
    ), status


def _rows_from(version: ScorecardVersion | None) -> list[dict]:
    if version is None:
        return [{}]
    return [
        {
            "section": c.section,
            "name": c.name,
            "description": c.description,
            "examples": c.examples,
            "weight": c.weight,
            "scale": SCALE_NAMES.get((c.scale_min, c.scale_max), "yesno"),
            "allows_na": c.allows_na,
            "critical": c.critical,
            "autoqa_key": c.autoqa_key,
        }
        for c in version.criteria
    ]


def specs_from(form: ScorecardForm) -> list[dict]:
    """Criterion specs from the builder rows; blank and removed rows are dropped."""
    specs = []
    for row in form.criteria.entries:
        data = row.form.data
        if data["remove"] or not (data["name"] or "").strip():
            continue
        key = (data["autoqa_key"] or "").strip().lower() or None
        if key is not None and not KEY.match(key):
            raise service.ReviewError(
                f"{data['name']}: AutoQA key must be lowercase letters, digits and _"
            )
        lo, hi = service.SCALES[data["scale"]]
        specs.append(
            {
                "section": (data["section"] or "").strip() or "General",
                "name": data["name"].strip(),
                "description": (data["description"] or "").strip() or None,
                "examples": (data["examples"] or "").strip() or None,
                "weight": float(data["weight"]) if data["weight"] is not None else 1.0,
                "scale_min": lo,
                "scale_max": hi,
                "allows_na": bool(data["allows_na"]),
                "critical": bool(data["critical"]),
                "autoqa_key": key,
            }
        )
    return specs


@bp.route("/scorecards/new", methods=["GET", "POST"])
@bp.route("/scorecards/<int:scorecard_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.LEAD)
def scorecard_edit(scorecard_id: int | None = None):
    """Edit the scorecard's draft (started from the current version) and publish it."""
    scorecard = None
    if scorecard_id is not None:
        scorecard = db.session.get(Scorecard, scorecard_id)
        if scorecard is None:
            abort(404)
    if request.method == "GET":
        base = None
        if scorecard is not None:
            base = service.draft_version(scorecard) or scorecard.current
        form = ScorecardForm(
            data={
                "name": scorecard.name if scorecard else "",
                "description": scorecard.description if scorecard else "",
                "criteria": _rows_from(base),
            }
        )
        return _page(form, scorecard)
    form = ScorecardForm()
    if form.add.data and len(form.criteria.entries) < 60:
        form.criteria.append_entry()
        return _page(form, scorecard)
    if not form.validate():
        return _page(form, scorecard, 400)
    name = form.name.data.strip()
    clash = db.session.scalar(select(Scorecard).where(Scorecard.name == name))
    if clash is not None and clash is not scorecard:
        form.name.errors.append("Another scorecard has this name.")
        return _page(form, scorecard, 400)
    try:
        specs = specs_from(form)
        if scorecard is None:
            scorecard = Scorecard(name=name)
            db.session.add(scorecard)
        scorecard.name = name
        scorecard.description = (form.description.data or "").strip() or None
        db.session.flush()
        if form.publish.data:
            version = service.publish_version(scorecard, specs, actor=current_user)
            message = f"Published {scorecard.name} v{version.number}."
        else:
            service.save_draft(scorecard, specs, actor=current_user)
            message = "Draft saved."
    except service.ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        scorecard = db.session.get(Scorecard, scorecard_id) if scorecard_id else None
        return _page(form, scorecard, 400)
    db.session.commit()
    flash(message, "info")
    return redirect(url_for(".scorecard_edit", scorecard_id=scorecard.id))


@bp.route("/scorecards/<int:scorecard_id>/versions/<int:number>")
@roles_required(Role.ADMIN, Role.LEAD)
def scorecard_version(scorecard_id: int, number: int):
    """One version's criteria, read-only."""
    version = db.session.scalar(
        select(ScorecardVersion).where(
            ScorecardVersion.scorecard_id == scorecard_id, ScorecardVersion.number == number
        )
    )
    if version is None:
        abort(404)
    return render_template("scorecards/version.html", version=version)
