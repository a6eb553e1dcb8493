"""Review forms are built from the scorecard version's criteria and validated on the server."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..models import Criterion, Review
from ..services.reviews import AnswerInput

NA = "na"


def _choices(criterion: Criterion) -> list[tuple[str, str]]:
    if (criterion.scale_min, criterion.scale_max) == (0, 1):
        choices = [("1", "Yes"), ("0", "No")]
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
        comment = TextAreaField("Overall comment", validators=[Optional(), Length(max=5000)])
        save = SubmitField("Save draft")
        submit = SubmitField("Submit review")

    for c in review.scorecard_version.criteria:
        setattr(
            ReviewForm,
            f"c_{c.id}",
            RadioField(c.name, choices=_choices(c), validators=[Optional()], validate_choice=True),
        )
        setattr(
            ReviewForm,
            f"cm_{c.id}",
            TextAreaField("Comment", validators=[Optional(), Length(max=2000)]),
        )
    data = {"comment": review.comment}
    for a in review.answers:
        data[f"c_{a.criterion_id}"] = (
            NA if a.na else (str(a.value) if a.value is not None else None)
        )
        data[f"cm_{a.criterion_id}"] = a.comment
    return ReviewForm(formdata=formdata, data=data)


def answers_from(form: FlaskForm, review: Review) -> dict[int, AnswerInput]:
    answers: dict[int, AnswerInput] = {}
    for c in review.scorecard_version.criteria:
        raw = form[f"c_{c.id}"].data
        comment = form[f"cm_{c.id}"].data
        if raw in (None, "", "None"):
            if comment:
                answers[c.id] = AnswerInput(value=None, comment=comment)
            continue
        answers[c.id] = AnswerInput(
            value=None if raw == NA else int(raw), na=raw == NA, comment=comment
        )
    return answers


class DisputeForm(FlaskForm):
    criteria = SelectMultipleField(
        "Criteria you disagree with", coerce=int, validators=[Optional()]
    )
    reason = TextAreaField("Why do you disagree?", validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField("Open dispute")


class ResolveForm(FlaskForm):
    new_score = DecimalField(
        "New score (leave empty to uphold)",
        places=1,
        validators=[Optional(), NumberRange(min=0, max=100)],
    )
    comment = TextAreaField("Decision comment", validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField("Decide")
