"""The coaching forms: modules, assignments, quizzes, and scheduling and recording sessions."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

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

from .models import CoachingSession, SessionStatus


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
    kb_articles = SelectMultipleField("Knowledge-base articles", coerce=int, validate_choice=False)
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
    kb_articles = SelectMultipleField("Knowledge-base articles", coerce=int, validate_choice=False)
    submit = SubmitField("Save session")


def session_form_data(session: CoachingSession) -> dict[str, Any]:
    """A stored session as SessionForm data (`SessionForm(data=...)`), for the lead to edit."""
    return {
        "agenda": session.agenda,
        "notes": session.notes,
        "follow_up_date": session.follow_up_date,
        "status": session.status.value,
        "action_items": action_item_rows(session.action_items),
    }


def action_item_rows(items: Iterable[Mapping[str, Any]], blank: int = 2) -> list[dict[str, Any]]:
    """A session's stored action items as SessionForm rows (ISO due dates parsed), plus `blank`
    empty rows for new items."""
    rows = [
        {
            "text": item.get("text"),
            "owner": item.get("owner", "agent"),
            "due": _date_or_none(item.get("due")),
            "done": bool(item.get("done")),
        }
        for item in items
    ]
    return rows + [{"text": None, "owner": "agent", "due": None, "done": False}] * blank


def _date_or_none(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class AcknowledgeForm(FlaskForm):
    submit = SubmitField("Acknowledge summary")
