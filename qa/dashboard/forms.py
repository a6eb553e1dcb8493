from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Regexp


class SampleForm(FlaskForm):
    policy = SelectField(lazy_gettext("Sampling policy"), coerce=int)
    week = StringField(
        lazy_gettext("ISO week"),
        validators=[DataRequired(), Regexp(r"^\d{4}-W\d{2}$", message=lazy_gettext("Use the form 2026-W47."))],
    )
    submit = SubmitField(lazy_gettext("Draw sample"))
