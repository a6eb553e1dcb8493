"""Finding conversations to review (issue 18): filters of the interaction list, parsed from a
query string, applied in SQL, and saved under a name per user.

The keyword filter is a portable case-insensitive LIKE on segment text (ILIKE on PostgreSQL,
LIKE on SQLite, which ignores ASCII case): it scans the segments of the interactions the other
filters and the access rule leave, so it is meant for a team's recent work, not full-text search
over millions of rows. The AutoQA filters use the (interaction, criterion, value) index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext
from sqlalchemy import ColumnElement, Exists, Select, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    AutoScore,
    Channel,
    Interaction,
    InteractionTag,
    SavedView,
    Segment,
    Status,
    Team,
    Transcript,
    User,
)
from .tags import TAG_LENGTH, tag_name

MAX_VIEWS = 50


class SearchError(ValueError):
    """A saved-view action was refused; the message says why."""


@dataclass(frozen=True)
class Filters:
    """The interaction list's filters; empty strings mean "any"."""

    q: str = ""
    channel: str = ""
    status: str = ""
    agent: str = ""
    team: str = ""
    csat_max: str = ""
    empathy_below: str = ""
    resolution_below: str = ""
    date_from: str = ""
    date_to: str = ""
    tag: str = ""  # a helpdesk tag (issue 17), as stored: lower-case

    def params(self) -> dict[str, str]:
        """The filters that are set, as query-string parameters."""
        return {k: v for k, v in asdict(self).items() if v}


def _number(text: str, low: float, high: float) -> str:
    try:
        value = float(text)
    except ValueError:
        return ""
    return text if low <= value <= high else ""


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return ""


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Filters from a query string; values that do not parse are dropped (never an error)."""
    get = {k: (args.get(k) or "").strip() for k in Filters.__dataclass_fields__}
    return Filters(
        q=get["q"][:200],
        channel=get["channel"] if get["channel"] in {c.value for c in Channel} else "",
        status=get["status"] if get["status"] in {s.value for s in Status} else "",
        agent=get["agent"] if get["agent"].isdigit() else "",
        team=get["team"] if get["team"].isdigit() else "",
        csat_max=_number(get["csat_max"], 1, 5),
        empathy_below=_number(get["empathy_below"], 0, 100),
        resolution_below=_number(get["resolution_below"], 0, 100),
        date_from=_day(get["date_from"]),
        date_to=_day(get["date_to"]),
        tag=tag_name(get["tag"])[:TAG_LENGTH],
    )


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _below(criterion: str, limit: str) -> Exists:
    return (
        select(AutoScore.id)
        .where(
            AutoScore.interaction_id == Interaction.id,
            AutoScore.criterion == criterion,
            AutoScore.value < float(limit),
        )
        .exists()
    )


def apply(query: Select[tuple[Interaction]], f: Filters) -> Select[tuple[Interaction]]:
    """The query narrowed by every filter that is set."""
    if f.channel:
        query = query.where(Interaction.channel == f.channel)
    if f.status:
        query = query.where(Interaction.status == f.status)
    if f.agent:
        query = query.where(Interaction.agent_id == int(f.agent))
    if f.team:
        query = query.where(Interaction.team_id == int(f.team))
    if f.csat_max:
        query = query.where(Interaction.csat <= float(f.csat_max))
    if f.empathy_below:
        query = query.where(_below("empathy", f.empathy_below))
    if f.resolution_below:
        query = query.where(_below("resolution", f.resolution_below))
    if f.date_from:
        query = query.where(Interaction.started_at >= datetime.fromisoformat(f.date_from))
    if f.date_to:
        end = datetime.fromisoformat(f.date_to) + timedelta(days=1)
        query = query.where(Interaction.started_at < end)
    if f.tag:
        tagged = select(InteractionTag.interaction_id).where(
            InteractionTag.interaction_id == Interaction.id, InteractionTag.name == f.tag
        )
        query = query.where(tagged.exists())
    if f.q:
        hit = (
            select(Segment.id)
            .join(Transcript, Transcript.id == Segment.transcript_id)
            .where(
                Transcript.interaction_id == Interaction.id,
                Segment.text.ilike(_like(f.q), escape="\\"),
            )
            .exists()
        )
        query = query.where(hit)
    return query


def views_for(user: User) -> list[SavedView]:
    """The user's saved views, by name."""
    return list(
        db.session.scalars(
            select(SavedView).where(SavedView.user_id == user.id).order_by(SavedView.name)
        )
    )


def save_view(user: User, name: str, f: Filters) -> SavedView:
    """Save the filters under a name (the same name again replaces them)."""
    name = name.strip()[:80]
    if not name:
        raise SearchError(gettext("Give the view a name."))
    view = db.session.scalar(
        select(SavedView).where(SavedView.user_id == user.id, SavedView.name == name)
    )
    if view is None:
        if len(views_for(user)) >= MAX_VIEWS:
            raise SearchError(gettext("At most %(MAX_VIEWS)s saved views; delete one first.", MAX_VIEWS=MAX_VIEWS))
        view = SavedView(user_id=user.id, name=name)
        db.session.add(view)
    view.params = f.params()
    try:
        db.session.flush()
    except IntegrityError:  # the same name saved by a parallel request
        db.session.rollback()
        raise SearchError(gettext("A view named %(name)s was just saved; try again.", name=repr(name))) from None
    return view


def delete_view(user: User, view_id: int) -> bool:
    """Delete one of the user's views; False when it is not theirs or gone."""
    view = db.session.get(SavedView, view_id)
    if view is None or view.user_id != user.id:
        return False
    db.session.delete(view)
    return True


def choices(condition: ColumnElement[bool]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(agents, teams) among the interactions the condition (the access rule) selects."""
    rows = db.session.execute(
        select(User.id, User.name, Team.id, Team.name)
        .join(Interaction, Interaction.agent_id == User.id)
        .join(Team, Team.id == Interaction.team_id)
        .where(condition)
        .distinct()
    ).all()
    agents = sorted({(r[0], r[1]) for r in rows}, key=lambda a: a[1])
    teams = sorted({(r[2], r[3]) for r in rows}, key=lambda t: t[1])
    return agents, teams
