"""The tier forms of the admin's users page: a team's tier, an agent's own tier."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from ..services.escalations import TIER_NAMES

TEAM_TIER = 0  # an agent's choice "the team's tier"


class TeamTierForm(FlaskForm):
    tier = SelectField(_l("Tier"), coerce=int, choices=list(TIER_NAMES.items()))
    submit = SubmitField(_l("Set tier"))


class AgentTierForm(FlaskForm):
    tier = SelectField(
        _l("Tier"),
        coerce=int,
        choices=[(TEAM_TIER, _l("team's tier")), *TIER_NAMES.items()],
    )
    submit = SubmitField(_l("Set tier"))
