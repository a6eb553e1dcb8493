from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional


class AssignForm(FlaskForm):
    module = SelectField("Training module", coerce=int, validators=[DataRequired()])
    agents = SelectMultipleField("Agents", coerce=int, validators=[DataRequired()])
    due_date = DateField("Due date", validators=[Optional()])
    note = StringField("Note", validators=[Optional(), Length(max=500)])
    review_id = HiddenField()
    submit = SubmitField("Assign training")


class CompleteForm(FlaskForm):
    submit = SubmitField("Mark as completed")
