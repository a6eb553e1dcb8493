"""Review forms are built from the scorecard version's criteria and validated on the server."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..models import Criterion, Review
from ..services.reviews import AnswerInput

NA = "na"


def _choices(criterion: Criterion) -> list[tuple[str, str]]:
    if (criterion.scale_min, criterion.scale_max) == (0, 1):
        choices = [("1", lazy_gettext("Yes")), ("0", lazy_gettext("No"))]
    else:
        choices = [
            (str(v), str(v)) for v in range(criterion.scale_max, criterion.scale_min - 1, -1)
        ]
    if criterion.allows_na:
        choices.append((NA, "N/A"))
    return choices


def review_form(review: Review, formdata=None) -> FlaskForm:  # type: ignore[no-untyped-def]
    """A form class with one answer and one comment field per criterion of the review's version."""

    class ReviewForm(FlaskForm):
        comment = TextAreaField(lazy_gettext("Overall comment"), validators=[Optional(), Length(max=5000)])
        comment_segment = IntegerField(
            lazy_gettext("Segment"), validators=[Optional(), NumberRange(min=1, max=100000)]
        )
        # seconds spent on the page, filled in by review.js
        elapsed = FloatField(
            widget=HiddenField.widget, validators=[Optional(), NumberRange(min=0, max=86400)]
        )
        save = SubmitField(lazy_gettext("Save draft"))
        submit = SubmitField(lazy_gettext("Submit review"))

    for c in review.scorecard_version.criteria:
        setattr(
            ReviewForm,
            f"c_{c.id}",
            RadioField(c.name, choices=_choices(c), validators=[Optional()], validate_choice=True),
        )
        setattr(
            ReviewForm,
            f"cm_{c.id}",
            TextAreaField(lazy_gettext("Comment"), validators=[Optional(), Length(max=2000)]),
        )
        setattr(
            ReviewForm,
            f"sg_{c.id}",
            IntegerField(lazy_gettext("Segment"), validators=[Optional(), NumberRange(min=1, max=100000)]),
        )
    data: dict[str, Any] = {"comment": review.comment}
    if review.comment_segment_position is not None:
        data["comment_segment"] = review.comment_segment_position + 1  # 1-based as shown
    for a in review.answers:
        data[f"c_{a.criterion_id}"] = (
            NA if a.na else (str(a.value) if a.value is not None else None)
        )
        data[f"cm_{a.criterion_id}"] = a.comment
        if a.segment_position is not None:
            data[f"sg_{a.criterion_id}"] = a.segment_position + 1
    return ReviewForm(formdata=formdata, data=data)


def answers_from(form: FlaskForm, review: Review) -> dict[int, AnswerInput]:
    answers: dict[int, AnswerInput] = {}
    for c in review.scorecard_version.criteria:
        raw = form[f"c_{c.id}"].data
        comment = form[f"cm_{c.id}"].data
        shown = form[f"sg_{c.id}"].data  # 1-based as shown beside the transcript
        segment = shown - 1 if shown else None
        if raw in (None, "", "None"):
            if comment or segment is not None:
                answers[c.id] = AnswerInput(value=None, comment=comment, segment=segment)
            continue
        answers[c.id] = AnswerInput(
            value=None if raw == NA else int(raw), na=raw == NA, comment=comment, segment=segment
        )
    return answers


class DisputeForm(FlaskForm):
    criteria = SelectMultipleField(
        lazy_gettext("Criteria you disagree with"), coerce=int, validators=[Optional()]
    )
    reason = TextAreaField(lazy_gettext("Why do you disagree?"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(lazy_gettext("Open dispute"))


def resolve_form(review: Review, formdata=None) -> FlaskForm:  # type: ignore[no-untyped-def]
    """Decision form: a comment, optionally a new answer per criterion or a new score."""

    class ResolveForm(FlaskForm):
        new_score = DecimalField(
            lazy_gettext("New score (leave empty to uphold or to recompute from changed answers)"),
            places=1,
            validators=[Optional(), NumberRange(min=0, max=100)],
        )
        comment = TextAreaField(lazy_gettext("Decision comment"), validators=[DataRequired(), Length(max=5000)])
        submit = SubmitField(lazy_gettext("Decide"))

    current = {a.criterion_id: a for a in review.answers}
    for c in review.scorecard_version.criteria:
        setattr(
            ResolveForm,
            f"c_{c.id}",
            RadioField(c.name, choices=_choices(c), validators=[Optional()], validate_choice=True),
        )
    form = ResolveForm(formdata=formdata)
    if formdata is None:
        for c in review.scorecard_version.criteria:
            a = current.get(c.id)
            if a is not None:
                form[f"c_{c.id}"].data = NA if a.na else str(a.value)
    return form


def changed_answers(form: FlaskForm, review: Review) -> dict[int, AnswerInput]:
    """The criteria whose answer the decision changes."""
    current = {a.criterion_id: a for a in review.answers}
    out: dict[int, AnswerInput] = {}
    for c in review.scorecard_version.criteria:
        raw = form[f"c_{c.id}"].data
        if raw in (None, "", "None"):
            continue
        given = AnswerInput(value=None if raw == NA else int(raw), na=raw == NA)
        a = current.get(c.id)
        if a is None or a.na != given.na or (not given.na and a.value != given.value):
            out[c.id] = given
    return out


class EscalateForm(FlaskForm):
    note = TextAreaField(
        lazy_gettext("Anything to add for your lead? (optional)"),
        validators=[Optional(), Length(max=5000)],
    )


class ArbitratorForm(FlaskForm):
    arbitrator = SelectField(lazy_gettext("Arbitrator"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(lazy_gettext("Assign arbitrator"))


class CommentForm(FlaskForm):
    body = TextAreaField(lazy_gettext("Your comment"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(lazy_gettext("Post comment"))
