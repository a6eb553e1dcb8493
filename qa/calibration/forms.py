"""The form that opens a calibration session."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from ..models import Interaction, User


class CalibrationForm(FlaskForm):
    name = StringField(lazy_gettext("Session name"), validators=[DataRequired(), Length(max=120)])
    interactions = SelectMultipleField(lazy_gettext("Interactions"), coerce=int, validators=[DataRequired()])
    reviewers = SelectMultipleField(lazy_gettext("Reviewers"), coerce=int, validators=[DataRequired()])
    due_on = DateField(lazy_gettext("Due on"), validators=[Optional()])
    mode = SelectField(
        lazy_gettext("Mode"),
        choices=[
            ("blind", lazy_gettext("Blind: each sees the others' answers after submitting their own")),
            ("visible", lazy_gettext("Visible: everyone sees the others' answers as they come")),
        ],
        default="blind",
    )
    submit = SubmitField(lazy_gettext("Start calibration"))

    def offer(self, interactions: Sequence[Interaction], people: Sequence[User]) -> None:
        """The interactions and people to pick from."""
        self.interactions.choices = [
            (i.id, f"{i.external_id} · {i.channel.value} · {i.agent.name}") for i in interactions
        ]
        self.reviewers.choices = [(u.id, f"{u.name} ({u.role.value})") for u in people]
