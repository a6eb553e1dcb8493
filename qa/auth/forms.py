from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

# Each language's name in itself, as a language menu shows it (not translated on purpose).
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}


class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("Email"), validators=[DataRequired(), Email(), Length(max=255)])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(lazy_gettext("Keep me signed in"))
    submit = SubmitField(lazy_gettext("Sign in"))


class SetPasswordForm(FlaskForm):
    """An invited user's first password (the link's token is in the URL)."""

    new_password = PasswordField(lazy_gettext("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        lazy_gettext("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=lazy_gettext("The two new passwords differ.")),
        ],
    )
    submit = SubmitField(lazy_gettext("Set password"))


class LanguageForm(FlaskForm):
    """The interface language of one's own account; empty: follow the browser."""

    locale = SelectField(lazy_gettext("Language"), choices=[], validate_choice=True)
    submit = SubmitField(lazy_gettext("Save language"))

    def offer(self, languages: Iterable[str]) -> LanguageForm:
        """Automatic first, then each language with a catalogue, named in that language."""
        self.locale.choices = [("", lazy_gettext("Automatic (browser)"))] + [
            (code, LANGUAGE_NAMES.get(code, code)) for code in languages
        ]
        return self


class ChangePasswordForm(SetPasswordForm):
    """A signed-in user's new password, given with the current one."""

    current_password = PasswordField(
        lazy_gettext("Current password"), validators=[DataRequired(), Length(max=200)]
    )
    submit = SubmitField(lazy_gettext("Change password"))
