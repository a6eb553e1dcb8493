"""The knowledge-base forms: an article (one translation at a time) and the search box."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .fulltext import LANGUAGES
from .models import ArticleStatus


class ArticleForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[(c, c) for c in LANGUAGES])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Body (Markdown)"), validators=[DataRequired(), Length(max=100_000)])
    team = SelectField(_l("Team"), coerce=int)  # 0: the whole organisation
    owner = SelectField(_l("Owner"), coerce=int)
    topic = StringField(
        _l("Topic (an interaction queue)"), validators=[Optional(), Length(max=120)]
    )
    tags = StringField(_l("Tags (comma-separated)"), validators=[Optional(), Length(max=500)])
    status = SelectField(_l("Status"), choices=[(s.value, s.value) for s in ArticleStatus])
    review_by = DateField(_l("Review by"), validators=[Optional()])
    submit = SubmitField(_l("Save article"))
