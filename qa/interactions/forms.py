from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
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
    recording = FileField("Call recording (wav, mp3, m4a, ogg, flac)", validators=[FileRequired()])
    agent = SelectField("Agent", coerce=int, validators=[DataRequired()])
    external_id = StringField("External id", validators=[DataRequired(), Length(max=120)])
    started_at = DateTimeLocalField(
        "Started at (UTC)", format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    queue = StringField("Queue", validators=[Optional(), Length(max=120)])
    agent_channel = SelectField(
        "Agent is on channel", choices=[("right", "right"), ("left", "left")]
    )
    wait_seconds = IntegerField(
        "Wait before answer (s)", validators=[Optional(), NumberRange(min=0)]
    )
    csat = IntegerField("CSAT (1-5)", validators=[Optional(), NumberRange(min=1, max=5)])
    escalated = BooleanField("Escalated")
    # ISO 639-1; empty = the team's language. Not English picks the multilingual Whisper model.
    language = StringField(
        _l("Language (ISO 639-1, e.g. fr; empty: the team's)"),
        validators=[Optional(), Length(max=12)],
    )
    submit = SubmitField("Upload and transcribe")

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
    file = FileField("Chats and emails (.jsonl or .csv)", validators=[FileRequired()])
    # helpdesk exports (issue 17): qa/services/helpdesk.py
    format = SelectField(
        _l("Format"),
        choices=[
            ("rows", _l("Coachline columns (CSV or JSONL)")),
            ("zendesk", _l("Zendesk tickets (JSON export or Incremental Export pages)")),
            ("freshdesk", _l("Freshdesk tickets with conversations (JSON)")),
            ("intercom", _l("Intercom conversations (JSON)")),
        ],
        default="rows",
    )
    submit = SubmitField("Import and score")
