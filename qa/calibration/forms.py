"""The form that opens a calibration session."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from ..models import Interaction, User


class CalibrationForm(FlaskForm):
    name = StringField("Session name", validators=[DataRequired(), Length(max=120)])
    interactions = SelectMultipleField("Interactions", coerce=int, validators=[DataRequired()])
    reviewers = SelectMultipleField("Reviewers", coerce=int, validators=[DataRequired()])
    due_on = DateField("Due on", validators=[Optional()])
    mode = SelectField(
        "Mode",
        choices=[
            ("blind", "Blind: each sees the others' answers after submitting their own"),
            ("visible", "Visible: everyone sees the others' answers as they come"),
        ],
        default="blind",
    )
    submit = SubmitField("Start calibration")

    def offer(self, interactions: Sequence[Interaction], people: Sequence[User]) -> None:
        """The interactions and people to pick from."""
        self.interactions.choices = [
            (i.id, f"{i.external_id} · {i.channel.value} · {i.agent.name}") for i in interactions
        ]
        self.reviewers.choices = [(u.id, f"{u.name} ({u.role.value})") for u in people]
