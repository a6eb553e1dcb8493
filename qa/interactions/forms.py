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
    submit = SubmitField("Upload and transcribe")


class ImportForm(FlaskForm):
    file = FileField("Chats and emails (.jsonl or .csv)", validators=[FileRequired()])
    submit = SubmitField("Import and score")
