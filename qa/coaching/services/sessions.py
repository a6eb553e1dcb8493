"""Coaching sessions: scheduled with a pre-filled agenda, recorded by the lead, acknowledged by
the agent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import Select, func, select

from ...extensions import db
from ...formats import format_moment, format_number
from ...models import Answer, Criterion, Interaction, Review, ReviewStatus, Role, User, utcnow
from ...services import audit
from ...services.dashboard import Period, criteria_rows, criterion_score_expr, scope
from ..models import CoachingSession, SessionStatus
from .errors import CoachingSessionError
from .scopes import visible_rows


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
    # Written in the lead's language: the agenda is text the lead then edits.
    lines = ["## " + gettext("Focus")]
    lines += [f"- {name}" for name in criteria] or ["- " + gettext("Review recent feedback together")]
    if reviews:
        lines += ["", "## " + gettext("Examples")]
        lines += [
            f"- [{r.interaction.external_id} ({r.interaction.channel.value}), "
            + gettext("score %(score)s", score=format_number(r.score)) + f"](/reviews/{r.id})"
            for r in reviews
        ]
    lines += ["", "## " + gettext("Agree"),
              "- " + gettext("One or two action items with owners and due dates")]
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
        raise CoachingSessionError(gettext("%(agent)s is not an agent", agent=agent.name))
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
        lambda: gettext("Coaching session on %(when)s with %(lead)s", lead=lead.name,
                        when=format_moment(scheduled_at)),
        f"/training/sessions/{session.id}",
    )
    return session


ACTION_OWNERS = ("agent", "lead")


def clean_action_items(items: Iterable[Mapping]) -> list[dict]:
    """Validate action items: text, owner (agent or lead), optional ISO due date, done flag."""
    cleaned = (_clean_item(n, item) for n, item in enumerate(items, start=1))
    return [item for item in cleaned if item is not None]


def _clean_item(n: int, item: Mapping) -> dict | None:
    """One action item cleaned, or None for an empty row."""
    text = str(item.get("text") or "").strip()
    due = item.get("due")
    if not text:
        if due:
            raise CoachingSessionError(gettext("action item %(value)s: say what is to be done", value=n))
        return None
    owner = item.get("owner") or "agent"
    if owner not in ACTION_OWNERS:
        raise CoachingSessionError(gettext("action item %(value)s: the owner is the agent or the lead", value=n))
    return {
        "text": text[:500],
        "owner": owner,
        "due": _iso_date(n, due),
        "done": bool(item.get("done")),
    }


def _iso_date(n: int, due: object) -> str | None:
    if isinstance(due, date):
        return due.isoformat()
    if not due:
        return None
    try:
        return date.fromisoformat(str(due)).isoformat()
    except ValueError:
        raise CoachingSessionError(gettext("action item %(value)s: the due date must be YYYY-MM-DD", value=n)) from None


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
        raise CoachingSessionError(gettext("the agent acknowledged this session; it stays done"))
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
            lambda: gettext("Summary of your coaching session with %(lead)s", lead=actor.name),
            f"/training/sessions/{session.id}",
        )
    return session


def acknowledge_session(session: CoachingSession, agent: User) -> None:
    """The agent confirms they read the summary of a done session."""
    if session.agent_id != agent.id:
        raise CoachingSessionError(gettext("this session is someone else's"))
    if session.status != SessionStatus.DONE:
        raise CoachingSessionError(gettext("the summary is not ready yet"))
    if session.acknowledged_at is None:
        session.acknowledged_at = utcnow()
        audit.record(agent, "coaching.acknowledged", session)
        audit.notify(session.lead_id,
                     lambda: gettext("%(agent)s acknowledged the session summary", agent=agent.name))


def _session_scope(user: User, team_ids: Sequence[int]) -> Select | None:
    return visible_rows(CoachingSession, user, team_ids, CoachingSession.lead_id)


def sessions_for(user: User, team_ids: Sequence[int]) -> list[CoachingSession]:
    """An agent's own sessions; a lead's teams'; all for an admin."""
    query = _session_scope(user, team_ids)
    if query is None:
        return []
    return list(db.session.scalars(query.order_by(CoachingSession.scheduled_at.desc())))


def can_view_session(user: User, session: CoachingSession, team_ids: Sequence[int]) -> bool:
    """Whether the session is in the user's scope (see sessions_for)."""
    query = _session_scope(user, team_ids)
    return query is not None and (
        db.session.scalar(
            query.with_only_columns(CoachingSession.id).where(CoachingSession.id == session.id)
        )
        is not None
    )
