"""Which scorecard a review starts with: scorecards assigned to channels and teams, the most
specific active one wins (team and channel, then channel, then team, then the default)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import led_team_ids
from ..extensions import db
from ..languages import differs
from ..models import Channel, Interaction, Role, Scorecard, ScorecardAssignment, Team, User
from . import audit


class AssignmentError(ValueError):
    """An assignment the builder refuses (unknown channel or team)."""


class NotYourTeams(AssignmentError):
    """A lead named, or would remove, a team they do not lead."""


def _check_lead_teams(scorecard: Scorecard, team_ids: Iterable[int], actor: User | None) -> None:
    """Scorecards are shared, but a lead decides only for the teams they lead: the teams named
    and those the scorecard applies to now (replacing the assignment would drop them)."""
    if actor is None or actor.role != Role.LEAD:
        return
    current = {a.team_id for a in assignments_of(scorecard) if a.team_id is not None}
    if (set(team_ids) | current) - set(led_team_ids(actor)):
        raise NotYourTeams("a lead can only assign scorecards to the teams they lead")


def _specificity(assignment: ScorecardAssignment) -> int:
    """3 team and channel, 2 channel, 1 team, 0 neither."""
    return (2 if assignment.channel else 0) + (1 if assignment.team_id else 0)


def default_scorecard() -> Scorecard | None:
    """The general scorecard: the oldest one assigned nowhere, else the oldest one."""
    assigned = set(db.session.scalars(select(ScorecardAssignment.scorecard_id)))
    every = list(db.session.scalars(select(Scorecard).order_by(Scorecard.id)))
    free = [s for s in every if s.id not in assigned]
    chosen = free or every
    return chosen[0] if chosen else None


def pick_scorecard(interaction: Interaction) -> Scorecard | None:
    """The most specific active scorecard assigned to the interaction's channel and team
    (team+channel > channel > team), else the default scorecard. Ties go to the oldest."""
    channel = interaction.channel.value if interaction.channel else None
    matches = [
        a
        for a in db.session.scalars(
            select(ScorecardAssignment)
            .options(selectinload(ScorecardAssignment.scorecard))
            .order_by(ScorecardAssignment.scorecard_id)
        )
        if a.channel in (None, channel)
        and a.team_id in (None, interaction.team_id)
        and _specificity(a) > 0
        and a.scorecard.current is not None
    ]
    if matches:
        return max(matches, key=lambda a: (_specificity(a), -a.scorecard_id)).scorecard
    return default_scorecard()


def assignments_of(scorecard: Scorecard) -> list[ScorecardAssignment]:
    """The scorecard's assignments, channel ones first."""
    return list(
        db.session.scalars(
            select(ScorecardAssignment)
            .where(ScorecardAssignment.scorecard_id == scorecard.id)
            .order_by(ScorecardAssignment.channel, ScorecardAssignment.team_id)
        )
    )


def teams_in_other_language(scorecard: Scorecard) -> list[Team]:
    """The teams the scorecard is assigned to that work in another language than it is written
    in (the builder warns about them; it does not refuse them)."""
    teams = {a.team.id: a.team for a in assignments_of(scorecard) if a.team is not None}
    return sorted(
        (t for t in teams.values() if differs(scorecard.language, t.language)), key=lambda t: t.name
    )


def set_assignments(
    scorecard: Scorecard,
    channels: Iterable[str],
    team_ids: Iterable[int],
    *,
    actor: User | None,
    combine: bool = False,
) -> list[ScorecardAssignment]:
    """Replace where the scorecard applies: each channel and each team on its own, or with
    `combine` each team on each channel. Nothing picked: a general scorecard."""
    channels = sorted(set(channels))
    team_ids = sorted(set(team_ids))
    _check_lead_teams(scorecard, team_ids, actor)
    known = {c.value for c in Channel}
    for channel in channels:
        if channel not in known:
            raise AssignmentError(gettext("unknown channel: %(channel)s", channel=channel))
    teams = {t.id for t in db.session.scalars(select(Team).where(Team.id.in_(team_ids)))}
    if set(team_ids) - teams:
        raise AssignmentError(gettext("unknown team"))
    pairs: list[tuple[str | None, int | None]]
    if combine and channels and team_ids:
        pairs = [(c, t) for c in channels for t in team_ids]
    else:
        pairs = [(c, None) for c in channels] + [(None, t) for t in team_ids]
    for old in assignments_of(scorecard):
        db.session.delete(old)
    db.session.flush()
    made = [ScorecardAssignment(scorecard=scorecard, channel=c, team_id=t) for c, t in pairs]
    db.session.add_all(made)
    audit.record(actor, "scorecard.assigned", scorecard, pairs=[list(p) for p in pairs])
    db.session.flush()
    return made
