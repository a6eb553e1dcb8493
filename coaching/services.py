"""Coaching workflows: the training catalogue and quizzes, assignments, recommendations,
coaching sessions, and the before/after effect of completed training.

Services take model objects, ids and plain values; they never touch the request, session or
flash, and leave the commit to the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup, escape
from sqlalchemy import and_, case, func, or_, select

from qa.extensions import db
from qa.models import (
    Answer,
    Criterion,
    Interaction,
    Review,
    ReviewStatus,
    Role,
    User,
    utcnow,
)
from qa.services import audit
from qa.services.dashboard import (
    CriterionCell,
    Period,
    ci95,
    criteria_rows,
    criterion_cells,
    criterion_score_expr,
    scope,
    t95,
    variance,
)

from .models import (
    CoachingSession,
    SessionStatus,
    TrainingAssignment,
    TrainingModule,
    TrainingStatus,
)

MAX_QUESTIONS = 30
MAX_OPTIONS = 8


class TrainingError(ValueError):
    """A training or coaching action was refused; the message says why."""


def render_content(module: TrainingModule) -> Markup:
    """Markdown to HTML with any raw HTML escaped first, so module text cannot inject markup."""
    return render_markdown(module.content)


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML, raw HTML escaped first (agendas, notes and module content)."""
    import markdown

    return Markup(markdown.markdown(str(escape(text or "")), extensions=["extra"]))


# --- catalogue and quizzes ---------------------------------------------------------------------


def parse_quiz(text: str | None) -> list[dict]:
    """Parse the quiz editor's text: `Q: question`, then options `- wrong` / `* right` (one right).

    Blank lines are ignored. Raises TrainingError naming the line that is wrong.
    """
    questions: list[dict] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line[:2].upper() == "Q:":
            question = line[2:].strip()
            if not question:
                raise TrainingError(f"quiz line {number}: the question is empty")
            questions.append({"question": question, "options": [], "answer": None})
        elif line[0] in "-*":
            if not questions:
                raise TrainingError(f"quiz line {number}: an option comes before any question")
            option = line[1:].strip()
            if not option:
                raise TrainingError(f"quiz line {number}: the option is empty")
            current = questions[-1]
            if line[0] == "*":
                if current["answer"] is not None:
                    raise TrainingError(f"quiz line {number}: a question has one right option")
                current["answer"] = len(current["options"])
            current["options"].append(option)
        else:
            raise TrainingError(
                f"quiz line {number}: start with 'Q:' for a question, '-' or '*' for an option"
            )
    for q in questions:
        if len(q["options"]) < 2:
            raise TrainingError(f"quiz question {q['question']!r} needs at least two options")
        if len(q["options"]) > MAX_OPTIONS:
            raise TrainingError(f"quiz question {q['question']!r} has more than {MAX_OPTIONS}")
        if q["answer"] is None:
            raise TrainingError(f"quiz question {q['question']!r}: mark the right option with '*'")
    if len(questions) > MAX_QUESTIONS:
        raise TrainingError(f"a quiz has at most {MAX_QUESTIONS} questions")
    return questions


def quiz_text(quiz: Sequence[Mapping]) -> str:
    """The editor text for a stored quiz (inverse of parse_quiz)."""
    lines = []
    for q in quiz or []:
        lines.append(f"Q: {q['question']}")
        lines += [("* " if i == q["answer"] else "- ") + o for i, o in enumerate(q["options"])]
        lines.append("")
    return "\n".join(lines).strip()


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
) -> TrainingModule:
    """Create (module None) or edit a training module; the title is unique."""
    title = title.strip()
    if not title or not content.strip():
        raise TrainingError("a module needs a title and content")
    if not 0 <= pass_mark <= 100:
        raise TrainingError("the pass mark is a percentage, 0-100")
    clash = db.session.scalar(select(TrainingModule.id).where(TrainingModule.title == title))
    if clash is not None and (module is None or clash != module.id):
        raise TrainingError(f"a module called {title!r} already exists")
    questions = parse_quiz(quiz)
    created = module is None
    module = module or TrainingModule(created_by_id=actor.id)
    module.title = title
    module.content = content
    module.criterion_key = (criterion_key or "").strip() or None
    module.quiz = questions
    module.pass_mark = pass_mark
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


# --- assignments -------------------------------------------------------------------------------


def assign(
    module: TrainingModule,
    agents: Iterable[User],
    assigned_by: User,
    *,
    due_date: date | None = None,
    review: Review | None = None,
    note: str | None = None,
) -> list[TrainingAssignment]:
    """Assign a module to agents; an agent who already has it open is not assigned twice."""
    created = []
    for agent in agents:
        if agent.role != Role.AGENT:
            raise TrainingError(f"{agent.name} is not an agent")
        if due_date is not None and due_date < utcnow().date():
            raise TrainingError("the due date is in the past")
        already = db.session.scalar(
            select(TrainingAssignment).where(
                TrainingAssignment.module_id == module.id,
                TrainingAssignment.agent_id == agent.id,
                TrainingAssignment.status == TrainingStatus.ASSIGNED,
            )
        )
        if already is not None:
            continue
        assignment = TrainingAssignment(
            module=module,
            agent=agent,
            assigned_by=assigned_by,
            due_date=due_date,
            review=review,
            note=(note or "").strip() or None,
        )
        db.session.add(assignment)
        db.session.flush()
        audit.record(
            assigned_by, "training.assigned", assignment, module=module.title, agent=agent.id
        )
        audit.notify(
            agent.id, f"New training: {module.title}", f"/training/assignments/{assignment.id}"
        )
        created.append(assignment)
    return created


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
        raise TrainingError(
            "answer every question (missing: " + ", ".join(str(i) for i in missing) + ")"
        )
    right = 0
    for i, q in enumerate(quiz):
        if not 0 <= answers[i] < len(q["options"]):
            raise TrainingError(f"question {i + 1}: that option does not exist")
        right += answers[i] == q["answer"]
    return QuizResult(right, len(quiz), module.pass_mark)


def complete(
    assignment: TrainingAssignment, agent: User, answers: Mapping[int, int] | None = None
) -> QuizResult | None:
    """Complete an assignment; with a quiz it completes only when the graded answers pass."""
    if assignment.agent_id != agent.id:
        raise TrainingError("this training is assigned to someone else")
    if assignment.status == TrainingStatus.COMPLETED:
        raise TrainingError("already completed")
    result = None
    if assignment.module.quiz:
        result = grade_quiz(assignment.module, answers or {})
        assignment.quiz_attempts = (assignment.quiz_attempts or 0) + 1
        assignment.quiz_score = max(assignment.quiz_score or 0.0, result.score)
        if not result.passed:
            audit.record(agent, "training.quiz_failed", assignment, score=result.score)
            return result
    assignment.status = TrainingStatus.COMPLETED
    assignment.completed_at = utcnow()
    audit.record(
        agent,
        "training.completed",
        assignment,
        module=assignment.module_id,
        quiz_score=result.score if result else None,
    )
    audit.notify(
        assignment.assigned_by_id, f"{agent.name} completed {assignment.module.title}", "/training"
    )
    return result


def _scope(model, user: User, team_ids: Sequence[int], lead_column):  # type: ignore[no-untyped-def]
    """Rows of `model` (with an agent_id) a user may see: an agent their own; a lead their teams'
    agents' and those they created themselves (`lead_column`); an admin all; others none."""
    query = select(model).join(User, User.id == model.agent_id)
    if user.role == Role.AGENT:
        return query.where(model.agent_id == user.id)
    if user.role == Role.LEAD:
        return query.where(or_(User.team_id.in_(list(team_ids)), lead_column == user.id))
    if user.role == Role.ADMIN:
        return query
    return None


def _assignment_scope(user: User, team_ids: Sequence[int]):  # type: ignore[no-untyped-def]
    return _scope(TrainingAssignment, user, team_ids, TrainingAssignment.assigned_by_id)


def assignments_for(user: User, team_ids: list[int]) -> list[TrainingAssignment]:
    """An agent's own assignments; a lead's teams'; everything for an admin."""
    query = _assignment_scope(user, team_ids)
    if query is None:
        return []
    return list(
        db.session.scalars(
            query.order_by(
                TrainingAssignment.status, TrainingAssignment.due_date, TrainingAssignment.id
            )
        )
    )


def can_view_assignment(user: User, assignment: TrainingAssignment, team_ids: list[int]) -> bool:
    query = _assignment_scope(user, team_ids)
    if query is None:
        return False
    return (
        db.session.scalar(
            query.with_only_columns(TrainingAssignment.id).where(
                TrainingAssignment.id == assignment.id
            )
        )
        is not None
    )


def overdue(team_ids: Sequence[int], today: date | None = None) -> list[TrainingAssignment]:
    """Open assignments past their due date for agents of the teams (flagged to the lead)."""
    today = today or utcnow().date()
    return list(
        db.session.scalars(
            select(TrainingAssignment)
            .join(User, User.id == TrainingAssignment.agent_id)
            .where(
                User.team_id.in_(list(team_ids)),
                TrainingAssignment.status == TrainingStatus.ASSIGNED,
                TrainingAssignment.due_date < today,
            )
            .order_by(TrainingAssignment.due_date)
        )
    )


# --- recommendations ---------------------------------------------------------------------------


@dataclass
class Recommendation:
    agent: User
    criterion: str
    autoqa_key: str | None
    score: float
    reviews: int
    modules: list[TrainingModule]
    open_module_ids: set[int] = field(default_factory=set)  # already assigned, not completed

    @property
    def suggested(self) -> TrainingModule | None:
        return next((m for m in self.modules if m.id not in self.open_module_ids), None)


def recommendations(
    team_ids: Sequence[int],
    period: Period,
    *,
    threshold: float,
    min_reviews: int,
    agent_id: int | None = None,
    cells: Sequence[CriterionCell] | None = None,
) -> list[Recommendation]:
    """Agents whose criterion score is below `threshold` over at least `min_reviews` reviews.

    Each comes with the modules linked to that criterion (and a coaching session is proposed).
    `cells` are the dashboard's GROUP BY agent, criterion sums when it already has them.
    """
    if cells is None:
        cells = criterion_cells(scope(team_ids, period, agent_id))
    weak = [
        c
        for c in cells
        if c.n >= min_reviews
        and c.mean < threshold
        and (agent_id is None or c.agent_id == agent_id)
    ]
    if not weak:
        return []
    people = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({c.agent_id for c in weak})))
    }
    modules = list(db.session.scalars(select(TrainingModule).order_by(TrainingModule.title)))
    open_by_agent: dict[int, set[int]] = {}
    for agent_id_, module_id in db.session.execute(
        select(TrainingAssignment.agent_id, TrainingAssignment.module_id).where(
            TrainingAssignment.agent_id.in_(list(people)),
            TrainingAssignment.status == TrainingStatus.ASSIGNED,
        )
    ):
        open_by_agent.setdefault(agent_id_, set()).add(module_id)
    out = [
        Recommendation(
            people[c.agent_id],
            c.name,
            c.autoqa_key,
            round(c.mean, 1),
            c.n,
            [m for m in modules if m.criterion_key in {c.name, c.autoqa_key}],
            open_by_agent.get(c.agent_id, set()),
        )
        for c in weak
    ]
    return sorted(out, key=lambda r: (r.score, r.agent.name, r.criterion))


# --- coaching sessions -------------------------------------------------------------------------


def weak_criteria(agent: User, period: Period, *, threshold: float, limit: int = 3) -> list[str]:
    """The agent's weakest criteria in the period: below threshold first, at most `limit`."""
    if agent.team_id is None:
        return []
    rows = criteria_rows(scope([agent.team_id], period, agent.id))
    below = [r.name for r in rows if r.score is not None and r.score < threshold]
    return below[:limit] or [r.name for r in rows[:1] if r.score is not None and r.score < 100]


def example_reviews(agent: User, criteria: Sequence[str], limit: int = 3) -> list[Review]:
    """Submitted reviews of the agent where these criteria scored lowest, most recent first."""
    if not criteria:
        return []
    points = criterion_score_expr()
    worst = (
        select(Review.id, func.min(points).label("worst"), func.max(Review.submitted_at))
        .join(Answer, Answer.review_id == Review.id)
        .join(Criterion, Criterion.id == Answer.criterion_id)
        .join(Interaction, Interaction.id == Review.interaction_id)
        .where(
            Interaction.agent_id == agent.id,
            Review.status == ReviewStatus.SUBMITTED,
            Criterion.name.in_(list(criteria)),
            Answer.na.is_(False),
            Answer.value.is_not(None),
        )
        .group_by(Review.id)
        .order_by(func.min(points), func.max(Review.submitted_at).desc())
        .limit(limit)
    )
    ids = [row[0] for row in db.session.execute(worst)]
    found = {r.id: r for r in db.session.scalars(select(Review).where(Review.id.in_(ids)))}
    return [found[i] for i in ids]


def agenda_for(criteria: Sequence[str], reviews: Sequence[Review]) -> str:
    """A Markdown agenda: the weak criteria, example interactions, and standing items."""
    lines = ["## Focus"]
    lines += [f"- {name}" for name in criteria] or ["- Review recent feedback together"]
    if reviews:
        lines += ["", "## Examples"]
        lines += [
            f"- [{r.interaction.external_id} ({r.interaction.channel.value}), "
            f"score {r.score:.0f}](/reviews/{r.id})"
            for r in reviews
        ]
    lines += ["", "## Agree", "- One or two action items with owners and due dates"]
    return "\n".join(lines)


def schedule_session(
    lead: User,
    agent: User,
    scheduled_at: datetime,
    period: Period,
    *,
    threshold: float,
    criteria: Sequence[str] | None = None,
) -> CoachingSession:
    """Schedule a session; the agenda is pre-filled with weak criteria and 2-3 examples."""
    if agent.role != Role.AGENT:
        raise TrainingError(f"{agent.name} is not an agent")
    chosen = list(criteria) if criteria else weak_criteria(agent, period, threshold=threshold)
    examples = example_reviews(agent, chosen)
    session = CoachingSession(
        lead=lead,
        agent=agent,
        scheduled_at=scheduled_at,
        criteria=chosen,
        example_review_ids=[r.id for r in examples],
        agenda=agenda_for(chosen, examples),
        action_items=[],
        status=SessionStatus.PLANNED,
    )
    db.session.add(session)
    db.session.flush()
    audit.record(lead, "coaching.scheduled", session, agent=agent.id, criteria=chosen)
    audit.notify(
        agent.id,
        f"Coaching session on {scheduled_at:%Y-%m-%d %H:%M} with {lead.name}",
        f"/training/sessions/{session.id}",
    )
    return session


ACTION_OWNERS = ("agent", "lead")


def clean_action_items(items: Iterable[Mapping]) -> list[dict]:
    """Validate action items: text, owner (agent or lead), optional ISO due date, done flag."""
    out = []
    for n, item in enumerate(items, start=1):
        text = str(item.get("text") or "").strip()
        due = item.get("due")
        if not text:
            if due:
                raise TrainingError(f"action item {n}: say what is to be done")
            continue
        owner = item.get("owner") or "agent"
        if owner not in ACTION_OWNERS:
            raise TrainingError(f"action item {n}: the owner is the agent or the lead")
        if isinstance(due, date):
            due = due.isoformat()
        elif due:
            try:
                due = date.fromisoformat(str(due)).isoformat()
            except ValueError:
                raise TrainingError(f"action item {n}: the due date must be YYYY-MM-DD") from None
        out.append(
            {"text": text[:500], "owner": owner, "due": due or None, "done": bool(item.get("done"))}
        )
    return out


def update_session(
    session: CoachingSession,
    actor: User,
    *,
    agenda: str | None,
    notes: str | None,
    action_items: Iterable[Mapping],
    follow_up_date: date | None,
    status: SessionStatus,
) -> CoachingSession:
    """The lead records the session: notes, action items, follow-up date and status."""
    if session.acknowledged_at is not None and status != SessionStatus.DONE:
        raise TrainingError("the agent acknowledged this session; it stays done")
    session.agenda = (agenda or "").strip() or None
    session.notes = (notes or "").strip() or None
    session.action_items = clean_action_items(action_items)
    session.follow_up_date = follow_up_date
    became_done = status == SessionStatus.DONE and session.status != SessionStatus.DONE
    session.status = status
    audit.record(
        actor, "coaching.updated", session, status=status.value, items=len(session.action_items)
    )
    if became_done:
        audit.notify(
            session.agent_id,
            f"Summary of your coaching session with {actor.name}",
            f"/training/sessions/{session.id}",
        )
    return session


def acknowledge_session(session: CoachingSession, agent: User) -> None:
    """The agent confirms they read the summary of a done session."""
    if session.agent_id != agent.id:
        raise TrainingError("this session is someone else's")
    if session.status != SessionStatus.DONE:
        raise TrainingError("the summary is not ready yet")
    if session.acknowledged_at is None:
        session.acknowledged_at = utcnow()
        audit.record(agent, "coaching.acknowledged", session)
        audit.notify(session.lead_id, f"{agent.name} acknowledged the session summary", None)


def _session_scope(user: User, team_ids: Sequence[int]):  # type: ignore[no-untyped-def]
    return _scope(CoachingSession, user, team_ids, CoachingSession.lead_id)


def sessions_for(user: User, team_ids: Sequence[int]) -> list[CoachingSession]:
    """An agent's own sessions; a lead's teams'; all for an admin."""
    query = _session_scope(user, team_ids)
    if query is None:
        return []
    return list(db.session.scalars(query.order_by(CoachingSession.scheduled_at.desc())))


def can_view_session(user: User, session: CoachingSession, team_ids: Sequence[int]) -> bool:
    query = _session_scope(user, team_ids)
    return query is not None and (
        db.session.scalar(
            query.with_only_columns(CoachingSession.id).where(CoachingSession.id == session.id)
        )
        is not None
    )


# --- effect of training ------------------------------------------------------------------------


@dataclass
class Side:
    n: int = 0
    total: float = 0.0
    sumsq: float = 0.0

    @property
    def mean(self) -> float | None:
        return round(self.total / self.n, 1) if self.n else None

    @property
    def ci(self) -> float | None:
        return ci95(self.n, self.total, self.sumsq)

    def add(self, other: Side) -> None:
        self.n += other.n
        self.total += other.total
        self.sumsq += other.sumsq


def _delta(before: Side, after: Side) -> tuple[float | None, float | None]:
    """After minus before, with a Welch-style 95% half-width (conservative df)."""
    if not before.n or not after.n:
        return None, None
    delta = round(after.total / after.n - before.total / before.n, 1)
    v1 = variance(before.n, before.total, before.sumsq)
    v2 = variance(after.n, after.total, after.sumsq)
    if v1 is None or v2 is None:
        return delta, None
    se = (v1 / before.n + v2 / after.n) ** 0.5
    return delta, round(t95(min(before.n, after.n) - 1) * se, 1)


@dataclass
class Effect:
    assignment: TrainingAssignment
    before: Side
    after: Side

    @property
    def delta(self) -> float | None:
        return _delta(self.before, self.after)[0]

    @property
    def delta_ci(self) -> float | None:
        return _delta(self.before, self.after)[1]


@dataclass
class ModuleEffect:
    module: TrainingModule
    assignments: int = 0
    before: Side = field(default_factory=Side)
    after: Side = field(default_factory=Side)

    @property
    def delta(self) -> float | None:
        return _delta(self.before, self.after)[0]

    @property
    def delta_ci(self) -> float | None:
        return _delta(self.before, self.after)[1]


def training_effects(
    team_ids: Sequence[int] | None, n: int, *, agent_id: int | None = None
) -> tuple[list[Effect], list[ModuleEffect]]:
    """For each completed module: the agent's score on its criterion over the `n` reviewed
    interactions before completion vs the `n` after, and the same pooled per module.

    One SQL query with window functions (SQLite >= 3.25 and PostgreSQL): reviews are ranked
    within (assignment, before|after) by how close they are to the completion.
    """
    points = criterion_score_expr()
    side = case((Interaction.started_at < TrainingAssignment.completed_at, "before"), else_="after")
    partition = (TrainingAssignment.id, side)
    conditions = [
        TrainingAssignment.status == TrainingStatus.COMPLETED,
        Review.status == ReviewStatus.SUBMITTED,
        Answer.na.is_(False),
        Answer.value.is_not(None),
        or_(
            Criterion.name == TrainingModule.criterion_key,
            Criterion.autoqa_key == TrainingModule.criterion_key,
        ),
    ]
    if team_ids is not None:
        conditions.append(User.team_id.in_(list(team_ids)))
    if agent_id is not None:
        conditions.append(TrainingAssignment.agent_id == agent_id)
    ranked = (
        select(
            TrainingAssignment.id.label("aid"),
            side.label("side"),
            points.label("points"),
            func.row_number()
            .over(
                partition_by=partition, order_by=(Interaction.started_at.desc(), Review.id.desc())
            )
            .label("latest"),
            func.row_number()
            .over(partition_by=partition, order_by=(Interaction.started_at, Review.id))
            .label("earliest"),
        )
        .select_from(TrainingAssignment)
        .join(TrainingModule, TrainingModule.id == TrainingAssignment.module_id)
        .join(User, User.id == TrainingAssignment.agent_id)
        .join(Interaction, Interaction.agent_id == TrainingAssignment.agent_id)
        .join(Review, Review.interaction_id == Interaction.id)
        .join(Answer, Answer.review_id == Review.id)
        .join(Criterion, Criterion.id == Answer.criterion_id)
        .where(*conditions)
        .subquery()
    )
    sides: dict[int, dict[str, Side]] = {}
    for aid, which, count, total, sumsq in db.session.execute(
        select(
            ranked.c.aid,
            ranked.c.side,
            func.count(),
            func.sum(ranked.c.points),
            func.sum(ranked.c.points * ranked.c.points),
        )
        .where(
            or_(
                and_(ranked.c.side == "before", ranked.c.latest <= n),
                and_(ranked.c.side == "after", ranked.c.earliest <= n),
            )
        )
        .group_by(ranked.c.aid, ranked.c.side)
    ):
        sides.setdefault(aid, {})[which] = Side(int(count), float(total or 0), float(sumsq or 0))
    query = (
        select(TrainingAssignment)
        .join(User, User.id == TrainingAssignment.agent_id)
        .where(TrainingAssignment.status == TrainingStatus.COMPLETED)
        .order_by(TrainingAssignment.completed_at.desc())
    )
    if team_ids is not None:
        query = query.where(User.team_id.in_(list(team_ids)))
    if agent_id is not None:
        query = query.where(TrainingAssignment.agent_id == agent_id)
    effects = [
        Effect(
            a, sides.get(a.id, {}).get("before", Side()), sides.get(a.id, {}).get("after", Side())
        )
        for a in db.session.scalars(query)
        if a.module.criterion_key
    ]
    per_module: dict[int, ModuleEffect] = {}
    for e in effects:
        m = per_module.setdefault(e.assignment.module_id, ModuleEffect(e.assignment.module))
        m.assignments += 1
        m.before.add(e.before)
        m.after.add(e.after)
    return effects, sorted(per_module.values(), key=lambda m: m.module.title)


__all__ = [
    "Effect",
    "ModuleEffect",
    "QuizResult",
    "Recommendation",
    "TrainingError",
    "acknowledge_session",
    "agenda_for",
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
