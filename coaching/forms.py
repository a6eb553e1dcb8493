from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .models import SessionStatus


class AssignForm(FlaskForm):
    module = SelectField("Training module", coerce=int, validators=[DataRequired()])
    agents = SelectMultipleField("Agents", coerce=int, validators=[DataRequired()])
    due_date = DateField("Due date", validators=[Optional()])
    note = StringField("Note", validators=[Optional(), Length(max=500)])
    review_id = HiddenField()
    submit = SubmitField("Assign training")


class CompleteForm(FlaskForm):
    submit = SubmitField("Mark as completed")


class ModuleForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    criterion_key = SelectField("Improves criterion", validators=[Optional()])
    content = TextAreaField("Content (Markdown)", validators=[DataRequired(), Length(max=50_000)])
    quiz = TextAreaField("Quiz (optional)", validators=[Optional(), Length(max=20_000)])
    pass_mark = IntegerField(
        "Pass mark (%)", default=80, validators=[DataRequired(), NumberRange(0, 100)]
    )
    submit = SubmitField("Save module")


class ScheduleForm(FlaskForm):
    agent = SelectField("Agent", coerce=int, validators=[DataRequired()])
    scheduled_at = DateTimeLocalField(
        "When (UTC)", format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    criteria = SelectMultipleField("Focus criteria (empty: the agent's weakest)")
    submit = SubmitField("Schedule session")


class ActionItemForm(Form):
    text = StringField("Action", validators=[Optional(), Length(max=500)])
    owner = SelectField("Owner", choices=[("agent", "Agent"), ("lead", "Lead")])
    due = DateField("Due", validators=[Optional()])
    done = BooleanField("Done")


class SessionForm(FlaskForm):
    agenda = TextAreaField("Agenda (Markdown)", validators=[Optional(), Length(max=20_000)])
    notes = TextAreaField(
        "Notes and summary (Markdown)", validators=[Optional(), Length(max=50_000)]
    )
    action_items = FieldList(FormField(ActionItemForm), min_entries=1, max_entries=20)
    follow_up_date = DateField("Follow-up date", validators=[Optional()])
    status = SelectField("Status", choices=[(s.value, s.value) for s in SessionStatus])
    submit = SubmitField("Save session")


class AcknowledgeForm(FlaskForm):
    submit = SubmitField("Acknowledge summary")
