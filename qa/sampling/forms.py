from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Channel

WEEK = Regexp(r"^\d{4}-W\d{2}$", message="Use the form 2026-W47.")


class PolicyForm(FlaskForm):
    team = SelectField("Team", coerce=int)
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    percentage = FloatField(
        "Percentage of the week's interactions",
        validators=[InputRequired(), NumberRange(min=0.01, max=100)],
    )
    min_per_agent = IntegerField(
        "Minimum per agent", validators=[InputRequired(), NumberRange(min=0, max=1000)]
    )
    max_per_agent = IntegerField(
        "Maximum per agent", validators=[InputRequired(), NumberRange(min=0, max=1000)]
    )
    risk_share = IntegerField(
        "Risk-based share (%)", validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    risk_weight_autoqa = FloatField(
        "Weight: lowest AutoQA score", validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    risk_weight_csat = FloatField(
        "Weight: lowest CSAT", validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    risk_weight_escalated = FloatField(
        "Weight: escalated", validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    risk_weight_handle_time = FloatField(
        "Weight: longest handle time", validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    channels = SelectMultipleField(
        "Channels (none ticked = all)",
        choices=[(c.value, c.value) for c in Channel],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    min_duration_seconds = FloatField(
        "Minimum duration (seconds)", validators=[Optional(), NumberRange(min=0)]
    )
    min_turns = IntegerField("Minimum turns", validators=[Optional(), NumberRange(min=0, max=1000)])
    exclude_own_team = BooleanField("Reviewers never review their own team")
    seed = IntegerField(
        "Seed", validators=[InputRequired(), NumberRange(min=-(2**31), max=2**31 - 1)]
    )
    active = BooleanField("Active (drawn by the weekly job)", default=True)
    submit = SubmitField("Save policy")

    def validate_max_per_agent(self, field: IntegerField) -> None:
        low = self.min_per_agent.data
        if low is not None and field.data is not None and field.data < low:
            raise ValidationError("Must be at least the minimum per agent.")

    def validate_risk_share(self, field: IntegerField) -> None:
        weights = (
            self.risk_weight_autoqa.data,
            self.risk_weight_csat.data,
            self.risk_weight_escalated.data,
            self.risk_weight_handle_time.data,
        )
        if field.data and not any(w for w in weights if w):
            raise ValidationError("A risk share needs at least one risk weight above 0.")

    def values(self) -> dict[str, Any]:
        """Plain values for sampling.save_policy."""
        return {
            "name": self.name.data.strip(),
            "percentage": self.percentage.data,
            "min_per_agent": self.min_per_agent.data,
            "max_per_agent": self.max_per_agent.data,
            "risk_share": self.risk_share.data / 100,
            "risk_weight_autoqa": self.risk_weight_autoqa.data,
            "risk_weight_csat": self.risk_weight_csat.data,
            "risk_weight_escalated": self.risk_weight_escalated.data,
            "risk_weight_handle_time": self.risk_weight_handle_time.data,
            "channels": list(self.channels.data or []),
            "min_duration_seconds": self.min_duration_seconds.data or None,
            "min_turns": self.min_turns.data or None,
            "exclude_own_team": bool(self.exclude_own_team.data),
            "seed": self.seed.data,
            "active": bool(self.active.data),
        }


class DrawForm(FlaskForm):
    week = StringField("ISO week", validators=[DataRequired(), WEEK])
    submit = SubmitField("Draw and assign")


class ReplaceForm(FlaskForm):
    reason = TextAreaField(
        "Why can this interaction not be reviewed?",
        validators=[DataRequired(), Length(min=3, max=2000)],
    )
    submit = SubmitField("Replace it")
