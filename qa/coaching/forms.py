"""The coaching forms: modules, assignments, quizzes, and scheduling and recording sessions."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext
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

from ..i18n import ENUM_LABELS
from .models import CoachingSession, SessionStatus


class AssignForm(FlaskForm):
    module = SelectField(lazy_gettext("Training module"), coerce=int, validators=[DataRequired()])
    agents = SelectMultipleField(lazy_gettext("Agents"), coerce=int, validators=[DataRequired()])
    due_date = DateField(lazy_gettext("Due date"), validators=[Optional()])
    note = StringField(lazy_gettext("Note"), validators=[Optional(), Length(max=500)])
    review_id = HiddenField()
    submit = SubmitField(lazy_gettext("Assign training"))


class CompleteForm(FlaskForm):
    submit = SubmitField(lazy_gettext("Mark as completed"))


class ModuleForm(FlaskForm):
    title = StringField(lazy_gettext("Title"), validators=[DataRequired(), Length(max=200)])
    # left out of a post, the module keeps its language (a new one is English)
    language = SelectField(lazy_gettext("Written in"), validators=[Optional()])
    criterion_key = SelectField(lazy_gettext("Improves criterion"), validators=[Optional()])
    content = TextAreaField(lazy_gettext("Content (Markdown)"), validators=[DataRequired(), Length(max=50_000)])
    quiz = TextAreaField(lazy_gettext("Quiz (optional)"), validators=[Optional(), Length(max=20_000)])
    pass_mark = IntegerField(
        lazy_gettext("Pass mark (%)"), default=80, validators=[DataRequired(), NumberRange(0, 100)]
    )
    kb_articles = SelectMultipleField(
        lazy_gettext("Knowledge-base articles"), coerce=int, validate_choice=False
    )
    submit = SubmitField(lazy_gettext("Save module"))


class ScheduleForm(FlaskForm):
    agent = SelectField(lazy_gettext("Agent"), coerce=int, validators=[DataRequired()])
    scheduled_at = DateTimeLocalField(
        lazy_gettext("When (UTC)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    criteria = SelectMultipleField(lazy_gettext("Focus criteria (empty: the agent's weakest)"))
    submit = SubmitField(lazy_gettext("Schedule session"))


class ActionItemForm(Form):
    text = StringField(lazy_gettext("Action"), validators=[Optional(), Length(max=500)])
    owner = SelectField(lazy_gettext("Owner"), choices=[("agent", lazy_gettext("Agent")), ("lead", lazy_gettext("Lead"))])
    due = DateField(lazy_gettext("Due"), validators=[Optional()])
    done = BooleanField(lazy_gettext("Done"))


class SessionForm(FlaskForm):
    agenda = TextAreaField(lazy_gettext("Agenda (Markdown)"), validators=[Optional(), Length(max=20_000)])
    notes = TextAreaField(
        lazy_gettext("Notes and summary (Markdown)"), validators=[Optional(), Length(max=50_000)]
    )
    action_items = FieldList(FormField(ActionItemForm), min_entries=1, max_entries=20)
    follow_up_date = DateField(lazy_gettext("Follow-up date"), validators=[Optional()])
    status = SelectField(lazy_gettext("Status"), choices=[(s.value, ENUM_LABELS[s.value]) for s in SessionStatus])
    kb_articles = SelectMultipleField(
        lazy_gettext("Knowledge-base articles"), coerce=int, validate_choice=False
    )
    submit = SubmitField(lazy_gettext("Save session"))


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
    submit = SubmitField(lazy_gettext("Acknowledge summary"))
