"""The tier dashboard's figures, per tier and per agent, over a period of the user's teams.

- first-contact resolution and escalation rate: the dashboard's own KPIs (services/kpis.py,
  `channel_sums` folded by `from_sums`), grouped by the interaction's tier and by agent;
- median time to escalate: from the start of the interaction to its escalation;
- bounced back / unnecessary: shares of the escalations whose outcome at the next tier is known
  that were sent back, or solved there with a KB answer;
- re-contact within 7 days: the share of the interactions with a known customer whose customer
  came back (any channel, any team) within the next 7 days; the interaction it was escalated to
  is the escalation itself, not a re-contact.

Four GROUP BY scans over the period's interactions, whatever the number of rows.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, case, exists, func, literal, literal_column, select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import Escalation, EscalationOutcome, Interaction, User
from ...services import kpis
from ...services.dashboard_days import Period, scope
from ...services.escalations import effective_tier, tier_name
from .sql import plus_days

RECONTACT_DAYS = 7


@dataclass
class TierFigures:
    """One row of the dashboard: a tier, an agent, or everything."""

    label: str
    tier: int | None = None
    agent_id: int | None = None
    interactions: int = 0
    fcr: float | None = None  # %
    fcr_known: int = 0
    escalated: int = 0
    escalation_rate: float | None = None  # %
    escalations: int = 0  # recorded escalations (with a link to the next tier)
    judged: int = 0  # of which the next tier's outcome is known
    bounced: int = 0
    unnecessary: int = 0
    seconds: list[float] = field(default_factory=list, repr=False)
    sums: dict[str, list[float]] = field(default_factory=dict, repr=False)  # kpis.SUMS by channel
    customers_known: int = 0
    recontacted: int = 0

    @property
    def median_minutes_to_escalate(self) -> float | None:
        return round(statistics.median(self.seconds) / 60, 1) if self.seconds else None

    @property
    def bounced_share(self) -> float | None:
        return _pct(self.bounced, self.judged)

    @property
    def unnecessary_share(self) -> float | None:
        return _pct(self.unnecessary, self.judged)

    @property
    def recontact_rate(self) -> float | None:
        return _pct(self.recontacted, self.customers_known)


@dataclass
class TierDashboard:
    tiers: list[TierFigures]
    agents: list[TierFigures]
    total: TierFigures


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


Key = tuple[int | None, int]  # (interaction tier, agent id)


def _kpi_rows(where: Sequence[ColumnElement[bool]]) -> dict[Key, dict[str, list[float]]]:
    out: dict[Key, dict[str, list[float]]] = {}
    for tier, agent, channel, sums in kpis.channel_sums(
        where, None, Interaction.tier, Interaction.agent_id
    ):
        out.setdefault((tier, agent), {})[channel] = sums
    return out


def _recontact_rows(where: Sequence[ColumnElement[bool]]) -> dict[Key, tuple[int, int]]:
    later = aliased(Interaction)
    came_back = (
        exists()
        .where(
            later.customer == Interaction.customer,
            later.started_at > Interaction.started_at,
            later.started_at
            < plus_days(Interaction.started_at, literal_column(str(RECONTACT_DAYS))),
            ~exists().where(
                Escalation.from_interaction_id == Interaction.id,
                Escalation.to_interaction_id == later.id,
            ),
        )
        .correlate(Interaction)
    )
    rows = db.session.execute(
        select(
            Interaction.tier,
            Interaction.agent_id,
            func.count(Interaction.customer),
            func.sum(case((came_back, literal(1)), else_=0)),
        )
        .where(*where, Interaction.customer.is_not(None))
        .group_by(Interaction.tier, Interaction.agent_id)
    )
    return {(t, a): (int(n), int(back or 0)) for t, a, n, back in rows}


def _escalation_rows(
    where: Sequence[ColumnElement[bool]],
) -> list[tuple[int | None, int, EscalationOutcome | None, float | None]]:
    return [
        (t, a, o, s)
        for t, a, o, s in db.session.execute(
            select(
                Interaction.tier,
                Interaction.agent_id,
                Escalation.outcome,
                Escalation.seconds_to_escalate,
            )
            .join(Escalation, Escalation.from_interaction_id == Interaction.id)
            .where(*where)
        )
    ]


def _add_kpis(row: TierFigures, by_channel: dict[str, list[float]]) -> None:
    """Add per-channel KPI sums into a row (the sums are kept to recompute the rates)."""
    for channel, values in by_channel.items():
        mine = row.sums.setdefault(channel, [0.0] * len(values))
        for k, v in enumerate(values):
            mine[k] += v
    figures = kpis.from_sums(row.sums, {})
    row.interactions, row.fcr, row.fcr_known = figures.interactions, figures.fcr, figures.fcr_known
    row.escalation_rate = figures.escalation_rate
    row.escalated = round(sum(v[9] for v in row.sums.values()))


def tier_dashboard(team_ids: Sequence[int], period: Period) -> TierDashboard:
    """The figures of the teams' interactions in the period, per tier, per agent and in all."""
    where = scope(team_ids, period)
    tiers: dict[int | None, TierFigures] = {}
    agents: dict[int, TierFigures] = {}
    total = TierFigures(label="all")

    def rows_of(key: Key) -> list[TierFigures]:
        tier, agent = key
        t = tiers.setdefault(tier, TierFigures(label=tier_name(tier) or "?", tier=tier))
        a = agents.setdefault(agent, TierFigures(label="", agent_id=agent))
        return [t, a, total]

    for key, by_channel in _kpi_rows(where).items():
        for row in rows_of(key):
            _add_kpis(row, by_channel)
    for key, (known, back) in _recontact_rows(where).items():
        for row in rows_of(key):
            row.customers_known += known
            row.recontacted += back
    for tier, agent, outcome, seconds in _escalation_rows(where):
        for row in rows_of((tier, agent)):
            row.escalations += 1
            if outcome is not None:
                row.judged += 1
                row.bounced += outcome == EscalationOutcome.BOUNCED
                row.unnecessary += outcome == EscalationOutcome.UNNECESSARY
            if seconds is not None:
                row.seconds.append(float(seconds))
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(agents))))}
    for agent_id, row in agents.items():
        person = people.get(agent_id)
        row.label = person.name if person else f"#{agent_id}"
        row.tier = effective_tier(person) if person else None
    return TierDashboard(
        tiers=[tiers[k] for k in sorted(tiers, key=lambda t: (t is None, t or 0))],
        agents=sorted(agents.values(), key=lambda r: (r.tier or 9, r.label)),
        total=total,
    )


__all__ = ["RECONTACT_DAYS", "TierDashboard", "TierFigures", "tier_dashboard"]
