"""Quizzes: the editor's text format, and grading an agent's answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext

from ..models import TrainingModule
from .errors import TrainingError

MAX_QUESTIONS = 30
MAX_OPTIONS = 8


def parse_quiz(text: str | None) -> list[dict]:
    """Parse the quiz editor's text: `Q: question`, then options `- wrong` / `* right` (one right).

    Blank lines are ignored. Raises TrainingError naming the line that is wrong.
    """
    questions: list[dict] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if line:
            _read_line(line, gettext("quiz line %(number)s", number=number), questions)
    for q in questions:
        _check_question(q)
    if len(questions) > MAX_QUESTIONS:
        raise TrainingError(gettext("a quiz has at most %(MAX_QUESTIONS)s questions", MAX_QUESTIONS=MAX_QUESTIONS))
    return questions


def _read_line(line: str, where: str, questions: list[dict]) -> None:
    """Add one non-blank line to `questions`: a new question, or an option of the last one."""
    if line[:2].upper() == "Q:":
        question = line[2:].strip()
        if not question:
            raise TrainingError(gettext("%(where)s: the question is empty", where=where))
        questions.append({"question": question, "options": [], "answer": None})
        return
    if line[0] not in "-*":
        raise TrainingError(gettext("%(where)s: start with 'Q:' for a question, '-' or '*' for an option", where=where))
    if not questions:
        raise TrainingError(gettext("%(where)s: an option comes before any question", where=where))
    option = line[1:].strip()
    if not option:
        raise TrainingError(gettext("%(where)s: the option is empty", where=where))
    current = questions[-1]
    if line[0] == "*":
        if current["answer"] is not None:
            raise TrainingError(gettext("%(where)s: a question has one right option", where=where))
        current["answer"] = len(current["options"])
    current["options"].append(option)


def _check_question(q: Mapping) -> None:
    if len(q["options"]) < 2:
        raise TrainingError(gettext("quiz question %(value)s needs at least two options", value=repr(q['question'])))
    if len(q["options"]) > MAX_OPTIONS:
        raise TrainingError(gettext("quiz question %(value)s has more than %(MAX_OPTIONS)s", value=repr(q['question']), MAX_OPTIONS=MAX_OPTIONS))
    if q["answer"] is None:
        raise TrainingError(gettext("quiz question %(value)s: mark the right option with '*'", value=repr(q['question'])))


def quiz_text(quiz: Sequence[Mapping]) -> str:
    """The editor text for a stored quiz (inverse of parse_quiz)."""
    lines = []
    for q in quiz or []:
        lines.append(f"Q: {q['question']}")
        lines += [("* " if i == q["answer"] else "- ") + o for i, o in enumerate(q["options"])]
        lines.append("")
    return "\n".join(lines).strip()


@dataclass(frozen=True)
class QuizResult:
    right: int
    total: int
    pass_mark: int

    @property
    def score(self) -> float:
        return round(100 * self.right / self.total, 1) if self.total else 100.0

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_mark


def grade_quiz(module: TrainingModule, answers: Mapping[int, int]) -> QuizResult:
    """Grade answers (question index -> option index) against the module's quiz."""
    quiz = module.quiz or []
    missing = [i + 1 for i in range(len(quiz)) if i not in answers]
    if missing:
        raise TrainingError(gettext("answer every question (missing: %(missing)s)",
                                    missing=", ".join(str(i) for i in missing)))
    right = 0
    for i, q in enumerate(quiz):
        if not 0 <= answers[i] < len(q["options"]):
            raise TrainingError(gettext("question %(value)s: that option does not exist", value=i + 1))
        right += answers[i] == q["answer"]
    return QuizResult(right, len(quiz), module.pass_mark)
