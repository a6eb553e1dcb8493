from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=255)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in")
    submit = SubmitField("Sign in")


class SetPasswordForm(FlaskForm):
    """An invited user's first password (the link's token is in the URL)."""

    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired(),
            EqualTo("new_password", message="The two new passwords differ."),
        ],
    )
    submit = SubmitField("Set password")


class ChangePasswordForm(SetPasswordForm):
    """A signed-in user's new password, given with the current one."""

    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=200)]
    )
    submit = SubmitField("Change password")
