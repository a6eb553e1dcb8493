from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..extensions import db
from ..i18n import ENUM_LABELS
from ..languages import language_choices
from ..models import Role, Team, User
from ..services.sso import parse_domains

NO_TEAM = (0, "—")


def _choices(teams: Iterable[Team]) -> list[tuple[int, str]]:
    return [(t.id, t.name) for t in teams]


class UserForm(FlaskForm):
    """A new user; the team and led teams are picked from `teams`."""

    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(lazy_gettext("Email"), validators=[DataRequired(), Email(), Length(max=255)])
    password = PasswordField(
        lazy_gettext("Initial password (leave empty to invite)"),
        validators=[Optional(), Length(min=8, max=200)],
    )
    role = SelectField(lazy_gettext("Role"), choices=[(r.value, ENUM_LABELS[r.value]) for r in Role])
    team = SelectField(lazy_gettext("Team (agents and reviewers)"), coerce=int)
    leads = SelectMultipleField(lazy_gettext("Leads these teams (leads)"), coerce=int)
    weekly_capacity = IntegerField(
        lazy_gettext("Weekly review capacity"), default=40, validators=[NumberRange(min=0, max=1000)]
    )
    sso_only = BooleanField(lazy_gettext("Signs in with single sign-on only (no password)"))
    submit = SubmitField(lazy_gettext("Create or invite user"))

    def __init__(self, teams: Sequence[Team], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.teams_by_id = {t.id: t for t in teams}
        self.team.choices = [NO_TEAM, *_choices(teams)]
        self.leads.choices = _choices(teams)

    def chosen_team(self) -> Team | None:
        return self.teams_by_id.get(self.team.data)

    def chosen_leads(self) -> list[Team]:
        return [self.teams_by_id[i] for i in self.leads.data if i in self.teams_by_id]

    def validate_email(self, field):  # type: ignore[no-untyped-def]
        if db.session.scalar(
            select(func.count(User.id)).where(User.email == field.data.strip().lower())
        ):
            raise ValidationError(gettext("A user with this email already exists."))


class TeamForm(FlaskForm):
    name = StringField(lazy_gettext("Team name"), validators=[DataRequired(), Length(max=120)])
    language = SelectField(lazy_gettext("Works in"), default="en")
    submit = SubmitField(lazy_gettext("Create team"))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.language.choices = language_choices()

    def validate_name(self, field):  # type: ignore[no-untyped-def]
        if db.session.scalar(select(func.count(Team.id)).where(Team.name == field.data.strip())):
            raise ValidationError(gettext("A team with this name already exists."))


class TeamLanguageForm(FlaskForm):
    """The language a team works in (one of the content languages, qa/languages.py)."""

    language = SelectField(lazy_gettext("Language"))
    submit = SubmitField(lazy_gettext("Set language"))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.language.choices = language_choices()


class UserEditForm(FlaskForm):
    """One row of the users table: role, team and whether the account is active."""

    role = SelectField(lazy_gettext("Role"), choices=[(r.value, ENUM_LABELS[r.value]) for r in Role])
    team = SelectField(lazy_gettext("Team"), coerce=int)
    # A select, not a checkbox: an unchecked box is simply missing from the post, so a client that
    # only meant to change the role would deactivate the user by accident.
    status = SelectField(lazy_gettext("Account"), choices=[("active", lazy_gettext("active")), ("deactivated", lazy_gettext("deactivated"))])
    weekly_capacity = IntegerField(
        lazy_gettext("Weekly capacity"), validators=[Optional(), NumberRange(min=0, max=1000)]
    )
    # Whether the sign-in form takes the user's password (off: single sign-on only); left out of
    # a post, it stays as it is.
    password_login = SelectField(
        lazy_gettext("Password sign-in"),
        choices=[("on", lazy_gettext("on")), ("off", lazy_gettext("off"))],
        validators=[Optional()],
    )
    submit = SubmitField(lazy_gettext("Save"))

    def __init__(self, teams: Sequence[Team], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.teams_by_id = {t.id: t for t in teams}
        self.team.choices = [NO_TEAM, *_choices(teams)]

    def chosen_team(self) -> Team | None:
        return self.teams_by_id.get(self.team.data)


class LedTeamsForm(FlaskForm):
    """A lead's row: the teams they lead. Posted on its own, so an empty choice means no teams."""

    teams = SelectMultipleField(lazy_gettext("Leads these teams"), coerce=int)
    submit = SubmitField(lazy_gettext("Save teams"))

    def __init__(self, teams: Sequence[Team], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.teams_by_id = {t.id: t for t in teams}
        self.teams.choices = _choices(teams)

    def chosen_teams(self) -> list[Team]:
        # (validation has checked every posted id against the choices)
        return [self.teams_by_id[i] for i in self.teams.data]


class RevokeTokenForm(FlaskForm):
    """The revoke button of one API token (it carries only the CSRF token)."""

    submit = SubmitField(lazy_gettext("Revoke"))


class SsoSettingsForm(FlaskForm):
    """Who single sign-on may create an account for on their first sign-in, and as what."""

    allowed_domains = TextAreaField(
        lazy_gettext("Email domains allowed to get an account on first sign-in"),
        validators=[Length(max=2000)],
    )
    # Not admin: everyone of an allowed domain would become one by signing in.
    default_role = SelectField(
        lazy_gettext("Role of a new account"),
        choices=[(r.value, r.value) for r in Role if r != Role.ADMIN],
    )
    submit = SubmitField(lazy_gettext("Save single sign-on settings"))

    def validate_allowed_domains(self, field):  # type: ignore[no-untyped-def]
        try:
            parse_domains(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
