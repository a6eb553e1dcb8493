"""The scorecard builder's form: one row per criterion, turned into criterion specs."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.form import Form
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..extensions import db
from ..languages import DEFAULT_LANGUAGE, language_choices, language_name
from ..models import Channel, Scorecard, ScorecardAssignment, ScorecardVersion, Team
from ..services import escalation_head
from ..services.call_analytics import CALL_KEYS
from ..services.reviews import SCALES, ReviewError, draft_version

KEY = re.compile(r"^[a-z][a-z0-9_]*$")
CALL_KEY_PREFIX = "call."  # call analytics keys (issue 16): only the known ones
SCALE_NAMES = {v: k for k, v in SCALES.items()}
SCALE_CHOICES = [("yesno", "Yes / No"), ("1-3", "1-3"), ("1-5", "1-5")]


class CriterionForm(Form):
    """One criterion row of the scorecard builder (a sub-form: CSRF is on the outer form)."""

    section = StringField(lazy_gettext("Section"), validators=[Optional(), Length(max=120)])
    name = StringField(lazy_gettext("Name"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(lazy_gettext("Description"), validators=[Optional(), Length(max=2000)])
    examples = TextAreaField(lazy_gettext("Examples (one a line)"), validators=[Optional(), Length(max=4000)])
    weight = DecimalField(
        lazy_gettext("Weight"), places=2, default=1, validators=[Optional(), NumberRange(min=0.01, max=100)]
    )
    scale = SelectField(lazy_gettext("Scale"), choices=SCALE_CHOICES, default="yesno")
    allows_na = BooleanField(lazy_gettext("N/A allowed"))
    critical = BooleanField(lazy_gettext("Critical (auto-fail)"))
    autoqa_key = StringField(
        lazy_gettext("AutoQA key"),
        validators=[Optional(), Length(max=60)],
        description=lazy_gettext(
            "empathy, resolution, a learned custom key or a call analytics key (call.dead_air_share"
            "...); empty for none"
        ),
    )
    remove = BooleanField(lazy_gettext("Remove"))


def rows_from(version: ScorecardVersion | None) -> list[dict[str, Any]]:
    """The builder rows showing a version's criteria (one empty row without a version)."""
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


def _spec(data: dict[str, Any]) -> dict[str, Any]:
    key = (data["autoqa_key"] or "").strip().lower() or None
    if key is not None and key.startswith(CALL_KEY_PREFIX):
        if key not in CALL_KEYS:
            raise ReviewError(gettext("%(data)s: unknown call analytics key %(key)s (known: %(keys)s)",
                                      data=data["name"], key=key, keys=", ".join(CALL_KEYS)))  # fmt: skip
    elif key is not None and not KEY.match(key):
        raise ReviewError(gettext("%(data)s: AutoQA key must be lowercase letters, digits and _", data=data['name']))
    lo, hi = SCALES[data["scale"]]
    return {
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


class ScorecardForm(FlaskForm):
    name = StringField(lazy_gettext("Scorecard name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(lazy_gettext("Description"), validators=[Optional(), Length(max=2000)])
    # left out of a post, the scorecard keeps its language (a new one is English)
    language = SelectField(lazy_gettext("Written in"), validators=[Optional()])
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=60)
    add = SubmitField(lazy_gettext("Add criterion"))
    # qa/tiers: the "Escalation justified / correctly routed" criterion, AutoQA key escalation
    add_escalation = SubmitField(lazy_gettext("Add escalation criterion"))
    save = SubmitField(lazy_gettext("Save draft"))
    publish = SubmitField(lazy_gettext("Publish new version"))

    editing: Scorecard | None = None  # the scorecard the form edits (None: a new one)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()

    @classmethod
    def of(cls, scorecard: Scorecard | None) -> ScorecardForm:
        """The builder filled with the scorecard's draft, else its current version."""
        base = None
        if scorecard is not None:
            base = draft_version(scorecard) or scorecard.current
        return cls(
            data={
                "name": scorecard.name if scorecard else "",
                "description": scorecard.description if scorecard else "",
                "language": scorecard.language if scorecard else DEFAULT_LANGUAGE,
                "criteria": rows_from(base),
            }
        )

    def added_row(self) -> bool:
        """Whether "Add criterion" was pressed (and a row added, up to 60)."""
        if self.add.data and len(self.criteria.entries) < 60:
            self.criteria.append_entry()
            return True
        if self.add_escalation.data and len(self.criteria.entries) < 60:
            self.criteria.append_entry(dict(escalation_head.CRITERION))
            return True
        return False

    def validate_name(self, field: StringField) -> None:
        clash = db.session.scalar(select(Scorecard).where(Scorecard.name == field.data.strip()))
        if clash is not None and clash is not self.editing:
            raise ValidationError(gettext("Another scorecard has this name."))

    def specs(self) -> list[dict[str, Any]]:
        """Criterion specs from the builder rows; blank and removed rows are dropped."""
        return [
            _spec(row.form.data)
            for row in self.criteria.entries
            if not row.form.data["remove"] and (row.form.data["name"] or "").strip()
        ]


CHANNEL_TITLES = {"call": lazy_gettext("Call"), "chat": lazy_gettext("Chat"),
                  "email": lazy_gettext("Email"), "social": lazy_gettext("Social")}


class AssignmentForm(FlaskForm):
    """Where a scorecard applies: channels and/or teams (nothing ticked: a general one)."""

    channels = SelectMultipleField(
        lazy_gettext("Channels"),
        choices=[(c.value, CHANNEL_TITLES[c.value]) for c in Channel],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    teams = SelectMultipleField(lazy_gettext("Teams"), coerce=int, choices=[])
    combine = BooleanField(lazy_gettext("Only these teams on these channels"))
    assign = SubmitField(lazy_gettext("Save assignment"))

    @classmethod
    def of(cls, scorecard: Scorecard, assignments: list[ScorecardAssignment]) -> AssignmentForm:
        """The form showing the scorecard's current assignment, teams offered by name."""
        form = cls(
            data={
                "channels": sorted({a.channel for a in assignments if a.channel}),
                "teams": sorted({a.team_id for a in assignments if a.team_id}),
                "combine": any(a.channel and a.team_id for a in assignments),
            }
        )
        form.offer()
        return form

    def offer(self) -> None:
        """Offer every team, by name and the language it works in."""
        self.teams.choices = [
            (t.id, f"{t.name} ({language_name(t.language)})")
            for t in db.session.scalars(select(Team).order_by(Team.name))
        ]
