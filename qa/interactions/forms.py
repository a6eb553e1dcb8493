from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..models import User


class UploadForm(FlaskForm):
    recording = FileField(lazy_gettext("Call recording (wav, mp3, m4a, ogg, flac)"), validators=[FileRequired()])
    agent = SelectField(lazy_gettext("Agent"), coerce=int, validators=[DataRequired()])
    external_id = StringField(lazy_gettext("External id"), validators=[DataRequired(), Length(max=120)])
    started_at = DateTimeLocalField(
        lazy_gettext("Started at (UTC)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    queue = StringField(lazy_gettext("Queue"), validators=[Optional(), Length(max=120)])
    agent_channel = SelectField(
        lazy_gettext("Agent is on channel"), choices=[("right", lazy_gettext("right")), ("left", lazy_gettext("left"))]
    )
    wait_seconds = IntegerField(
        lazy_gettext("Wait before answer (s)"), validators=[Optional(), NumberRange(min=0)]
    )
    csat = IntegerField(lazy_gettext("CSAT (1-5)"), validators=[Optional(), NumberRange(min=1, max=5)])
    escalated = BooleanField(lazy_gettext("Escalated"))
    # ISO 639-1; empty = the team's language. Not English picks the multilingual Whisper model.
    language = StringField(
        lazy_gettext("Language (ISO 639-1, e.g. fr; empty: the team's)"),
        validators=[Optional(), Length(max=12)],
    )
    submit = SubmitField(lazy_gettext("Upload and transcribe"))

    def set_agents(self, agents: Iterable[User]) -> None:
        """Offer these agents, each with their team."""
        self.agent.choices = [
            (a.id, f"{a.name} ({a.team.name if a.team else 'no team'})") for a in agents
        ]

    def metadata(self, agent: User) -> dict[str, Any]:
        """The interaction's row in the import columns (see services.interactions)."""
        return {
            "external_id": self.external_id.data,
            "agent_email": agent.email,
            "started_at": self.started_at.data,
            "queue": self.queue.data or None,
            "wait_seconds": self.wait_seconds.data,
            "csat": self.csat.data,
            "escalated": self.escalated.data,
            "language": self.language.data or None,
        }


class ImportForm(FlaskForm):
    file = FileField(lazy_gettext("Chats and emails (.jsonl or .csv)"), validators=[FileRequired()])
    # helpdesk exports (issue 17): qa/services/helpdesk.py
    format = SelectField(
        lazy_gettext("Format"),
        choices=[
            ("rows", lazy_gettext("Coachline columns (CSV or JSONL)")),
            ("zendesk", lazy_gettext("Zendesk tickets (JSON export or Incremental Export pages)")),
            ("freshdesk", lazy_gettext("Freshdesk tickets with conversations (JSON)")),
            ("intercom", lazy_gettext("Intercom conversations (JSON)")),
        ],
        default="rows",
    )
    submit = SubmitField(lazy_gettext("Import and score"))
