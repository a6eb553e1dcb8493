from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import (
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, ValidationError

from ..extensions import db
from ..models import Role, Team, User


class UserForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=255)])
    password = PasswordField(
        "Initial password", validators=[DataRequired(), Length(min=8, max=200)]
    )
    role = SelectField("Role", choices=[(r.value, r.value) for r in Role])
    team = SelectField("Team (agents and reviewers)", coerce=int)
    leads = SelectMultipleField("Leads these teams (leads)", coerce=int)
    weekly_capacity = IntegerField(
        "Weekly review capacity", default=40, validators=[NumberRange(min=0, max=1000)]
    )
    submit = SubmitField("Create user")

    def validate_email(self, field):  # type: ignore[no-untyped-def]
        if db.session.scalar(
            select(func.count(User.id)).where(User.email == field.data.strip().lower())
        ):
            raise ValidationError("A user with this email already exists.")


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired(), Length(max=120)])
    submit = SubmitField("Create team")

    def validate_name(self, field):  # type: ignore[no-untyped-def]
        if db.session.scalar(select(func.count(Team.id)).where(Team.name == field.data.strip())):
            raise ValidationError("A team with this name already exists.")


class UserEditForm(FlaskForm):
    """One row of the users table: role, team and whether the account is active."""

    role = SelectField("Role", choices=[(r.value, r.value) for r in Role])
    team = SelectField("Team", coerce=int)
    # A select, not a checkbox: an unchecked box is simply missing from the post, so a client that
    # only meant to change the role would deactivate the user by accident.
    status = SelectField("Account", choices=[("active", "active"), ("deactivated", "deactivated")])
    submit = SubmitField("Save")


class LedTeamsForm(FlaskForm):
    """A lead's row: the teams they lead. Posted on its own, so an empty choice means no teams."""

    teams = SelectMultipleField("Leads these teams", coerce=int)
    submit = SubmitField("Save teams")
