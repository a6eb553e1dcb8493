from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext
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

from ..i18n import ENUM_LABELS
from ..models import Channel, SamplingPolicy

WEEK = Regexp(r"^\d{4}-W\d{2}$", message=lazy_gettext("Use the form 2026-W47."))


class Percent(NumberRange):
    """0 to 100 (with the min/max of the number input); silent when the value did not parse,
    whose own error ("a whole percentage") already says what is wrong."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is not None:
            super().__call__(form, field)


SHARE = Percent(min=0, max=100, message=lazy_gettext("A share is a percentage from 0 to 100."))
WHOLE_PERCENT = lazy_gettext("A whole percentage, such as 20.")
# What the form shows for a new policy (risk share in percent, as the form asks for it).
NEW_POLICY_DATA = {
    "percentage": 5,
    "min_per_agent": 2,
    "max_per_agent": 10,
    "risk_share": 50,
    "risk_weight_autoqa": 1.0,
    "risk_weight_csat": 1.0,
    "risk_weight_escalated": 0.8,
    "risk_weight_handle_time": 0.5,
    "risk_weight_dead_air": 0.5,
    "risk_weight_uncertain": 0.5,
    "dead_air_seconds": 30,
    "seed": 0,
    "active": True,
}


class PolicyForm(FlaskForm):
    """A team's sampling policy; `values()` gives what sampling.save_policy takes."""

    team = SelectField(lazy_gettext("Team"), coerce=int)
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=120)])
    percentage = FloatField(
        lazy_gettext("Percentage of the week's interactions"),
        validators=[InputRequired(), NumberRange(min=0.01, max=100)],
    )
    min_per_agent = IntegerField(
        lazy_gettext("Minimum per agent"), validators=[InputRequired(), NumberRange(min=0, max=1000)]
    )
    max_per_agent = IntegerField(
        lazy_gettext("Maximum per agent"), validators=[InputRequired(), NumberRange(min=0, max=1000)]
    )
    risk_share = IntegerField(
        lazy_gettext("Risk-based share (%)"), validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    risk_weight_autoqa = FloatField(
        lazy_gettext("Weight: lowest AutoQA score"), validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    risk_weight_csat = FloatField(
        lazy_gettext("Weight: lowest CSAT"), validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    risk_weight_escalated = FloatField(
        lazy_gettext("Weight: escalated"), validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    risk_weight_handle_time = FloatField(
        lazy_gettext("Weight: longest handle time"), validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    # optional: a form posted without them (made before issue 16) leaves the signal off
    risk_weight_dead_air = FloatField(
        lazy_gettext("Weight: long dead air"), validators=[Optional(), NumberRange(min=0, max=10)]
    )
    # optional too (issue 20): a form posted without it leaves the signal off
    risk_weight_uncertain = FloatField(
        lazy_gettext("Weight: uncertain AutoQA"), validators=[Optional(), NumberRange(min=0, max=10)]
    )
    dead_air_seconds = FloatField(
        lazy_gettext("Long dead air: a silence of at least (seconds)"),
        default=30,
        validators=[Optional(), NumberRange(min=1, max=3600)],
    )
    channels = SelectMultipleField(
        lazy_gettext("Channels (none ticked = all)"),
        choices=[(c.value, ENUM_LABELS[c.value]) for c in Channel],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    min_duration_seconds = FloatField(
        lazy_gettext("Minimum duration (seconds)"), validators=[Optional(), NumberRange(min=0)]
    )
    min_turns = IntegerField(lazy_gettext("Minimum turns"), validators=[Optional(), NumberRange(min=0, max=1000)])
    # qa/tiers: one tier only, and extra shares of the escalated and bounced-back interactions
    tier = SelectField(
        lazy_gettext("Tier"),
        coerce=int,
        choices=[(0, lazy_gettext("every tier")), (1, "N1"), (2, "N2"), (3, "N3"), (4, "N4")],
        default=0,
    )
    escalated_share = IntegerField(
        lazy_gettext("At least this share of the escalated interactions (%)"),
        default=0,
        validators=[Optional(), SHARE],
        invalid_value_message=WHOLE_PERCENT,
    )
    bounced_share = IntegerField(
        lazy_gettext("At least this share of the bounced-back interactions (%)"),
        default=0,
        validators=[Optional(), SHARE],
        invalid_value_message=WHOLE_PERCENT,
    )
    exclude_own_team = BooleanField(lazy_gettext("Reviewers never review their own team"))
    seed = IntegerField(
        lazy_gettext("Seed"), validators=[InputRequired(), NumberRange(min=-(2**31), max=2**31 - 1)]
    )
    active = BooleanField(lazy_gettext("Active (drawn by the weekly job)"), default=True)
    submit = SubmitField(lazy_gettext("Save policy"))

    @classmethod
    def for_new(cls) -> PolicyForm:
        """The form for a new policy, filled with the suggested settings."""
        return cls(data=NEW_POLICY_DATA)

    @classmethod
    def for_policy(cls, policy: SamplingPolicy) -> PolicyForm:
        """The form showing a saved policy, its risk share in percent."""
        form = cls(obj=policy)
        form.team.data = policy.team_id
        form.risk_share.data = round(policy.risk_share * 100)
        form.tier.data = policy.tier or 0
        form.escalated_share.data = round((policy.escalated_share or 0) * 100)
        form.bounced_share.data = round((policy.bounced_share or 0) * 100)
        return form

    def validate_max_per_agent(self, field: IntegerField) -> None:
        low = self.min_per_agent.data
        if low is not None and field.data is not None and field.data < low:
            raise ValidationError(gettext("Must be at least the minimum per agent."))

    def validate_risk_share(self, field: IntegerField) -> None:
        weights = (
            self.risk_weight_autoqa.data,
            self.risk_weight_csat.data,
            self.risk_weight_escalated.data,
            self.risk_weight_handle_time.data,
            self.risk_weight_dead_air.data,
            self.risk_weight_uncertain.data,
        )
        if field.data and not any(w for w in weights if w):
            raise ValidationError(gettext("A risk share needs at least one risk weight above 0."))

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
            "risk_weight_dead_air": self.risk_weight_dead_air.data or 0.0,
            "risk_weight_uncertain": self.risk_weight_uncertain.data or 0.0,
            "dead_air_seconds": self.dead_air_seconds.data or 30.0,
            "channels": list(self.channels.data or []),
            "min_duration_seconds": self.min_duration_seconds.data or None,
            "min_turns": self.min_turns.data or None,
            "exclude_own_team": bool(self.exclude_own_team.data),
            "seed": self.seed.data,
            "active": bool(self.active.data),
            "tier": self.tier.data or None,
            "escalated_share": (self.escalated_share.data or 0) / 100,
            "bounced_share": (self.bounced_share.data or 0) / 100,
        }


class DrawForm(FlaskForm):
    """The week to draw."""

    week = StringField(lazy_gettext("ISO week"), validators=[DataRequired(), WEEK])
    submit = SubmitField(lazy_gettext("Draw and assign"))


class ReplaceForm(FlaskForm):
    """Why an assigned interaction is handed back."""

    reason = TextAreaField(
        lazy_gettext("Why can this interaction not be reviewed?"),
        validators=[DataRequired(), Length(min=3, max=2000)],
    )
    submit = SubmitField(lazy_gettext("Replace it"))
