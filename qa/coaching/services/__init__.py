"""Coaching workflows, one module a feature: the training catalogue (`modules`) and its
`quizzes`, `assignments`, `recommendations`, coaching `sessions`, and the before/after
`effects` of completed training; `markup` renders their Markdown, `scopes` says who sees what.

Services take model objects, ids and plain values; they never touch the request, session or
flash, and leave the commit to the caller. Callers import from here (`coaching.services`).
"""

from .assignments import (
    agent_assignments,
    agents_in_other_language,
    assign,
    assignments_for,
    can_view_assignment,
    complete,
    overdue,
)
from .effects import Effect, ModuleEffect, Side, training_effects
from .errors import CoachingSessionError, TrainingError
from .markup import render_content, render_markdown
from .modules import criterion_names, modules_for_criterion, modules_for_review, save_module
from .quizzes import MAX_OPTIONS, MAX_QUESTIONS, QuizResult, grade_quiz, parse_quiz, quiz_text
from .recommendations import Recommendation, recommendations
from .sessions import (
    ACTION_OWNERS,
    acknowledge_session,
    agenda_for,
    can_view_session,
    clean_action_items,
    example_reviews,
    schedule_session,
    sessions_for,
    update_session,
    weak_criteria,
)

__all__ = [
    "ACTION_OWNERS",
    "MAX_OPTIONS",
    "MAX_QUESTIONS",
    "CoachingSessionError",
    "Effect",
    "ModuleEffect",
    "QuizResult",
    "Recommendation",
    "Side",
    "TrainingError",
    "acknowledge_session",
    "agenda_for",
    "agent_assignments",
    "agents_in_other_language",
    "assign",
    "assignments_for",
    "can_view_assignment",
    "can_view_session",
    "clean_action_items",
    "complete",
    "criterion_names",
    "example_reviews",
    "grade_quiz",
    "modules_for_criterion",
    "modules_for_review",
    "overdue",
    "parse_quiz",
    "quiz_text",
    "recommendations",
    "render_content",
    "render_markdown",
    "save_module",
    "schedule_session",
    "sessions_for",
    "training_effects",
    "update_session",
    "weak_criteria",
]
