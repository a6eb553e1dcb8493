"""The training catalogue: modules, and which modules fit a review or a criterion."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from ...extensions import db
from ...languages import CONTENT_LANGUAGES
from ...models import Criterion, Review, User
from ...services import audit
from ..models import TrainingModule
from .errors import TrainingError
from .quizzes import parse_quiz


def criterion_names() -> list[str]:
    """Criterion names across all scorecard versions (what a module can be linked to)."""
    return list(db.session.scalars(select(Criterion.name).distinct().order_by(Criterion.name)))


def save_module(
    module: TrainingModule | None,
    actor: User,
    *,
    title: str,
    content: str,
    criterion_key: str | None,
    quiz: str | None,
    pass_mark: int,
    language: str | None = None,
) -> TrainingModule:
    """Create (module None) or edit a training module; the title is unique. `language`: the
    one it is written in (None: English for a new module, unchanged for an edit)."""
    title = title.strip()
    if language is not None and language not in CONTENT_LANGUAGES:
        raise TrainingError(gettext("unknown language %(code)s", code=repr(language)))
    if not title or not content.strip():
        raise TrainingError(gettext("a module needs a title and content"))
    if not 0 <= pass_mark <= 100:
        raise TrainingError(gettext("the pass mark is a percentage, 0-100"))
    clash = db.session.scalar(select(TrainingModule.id).where(TrainingModule.title == title))
    if clash is not None and (module is None or clash != module.id):
        raise TrainingError(gettext("a module called %(title)s already exists", title=repr(title)))
    questions = parse_quiz(quiz)
    created = module is None
    module = module or TrainingModule(created_by_id=actor.id)
    module.title = title
    module.content = content
    module.criterion_key = (criterion_key or "").strip() or None
    module.quiz = questions
    module.pass_mark = pass_mark
    if language is not None:
        module.language = language
    db.session.add(module)
    db.session.flush()
    audit.record(
        actor,
        "training.module_created" if created else "training.module_edited",
        module,
        title=title,
        questions=len(questions),
    )
    return module


def modules_for_review(review: Review) -> list[TrainingModule]:
    """Modules linked to the review's weakest criteria first, then the rest of the catalogue."""
    weak = {
        a.criterion.name
        for a in review.answers
        if not a.na and a.value is not None and a.value < a.criterion.scale_max
    }
    weak |= {
        a.criterion.autoqa_key
        for a in review.answers
        if a.criterion.autoqa_key and a.criterion.name in weak
    }
    modules = list(db.session.scalars(select(TrainingModule).order_by(TrainingModule.title)))
    return sorted(modules, key=lambda m: (m.criterion_key not in weak, m.title))


def modules_for_criterion(name: str, autoqa_key: str | None = None) -> list[TrainingModule]:
    """Modules linked to a criterion by its name or AutoQA key."""
    keys = [k for k in (name, autoqa_key) if k]
    return list(
        db.session.scalars(
            select(TrainingModule)
            .where(TrainingModule.criterion_key.in_(keys))
            .order_by(TrainingModule.title)
        )
    )
