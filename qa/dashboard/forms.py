from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Regexp


class SampleForm(FlaskForm):
    policy = SelectField("Sampling policy", coerce=int)
    week = StringField(
        "ISO week",
        validators=[DataRequired(), Regexp(r"^\d{4}-W\d{2}$", message="Use the form 2026-W47.")],
    )
    submit = SubmitField("Draw sample")
