"""The tier dashboard's figures, per tier and per agent, over a period of the user's teams.

- first-contact resolution and escalation rate: the dashboard's own KPIs (services/kpis.py,
  folded by `from_sums` from the same sums), grouped by the interaction's tier and by agent;
- median time to escalate: from the start of the interaction to its escalation;
- bounced back / unnecessary: shares of the escalations whose outcome at the next tier is known
  that were sent back, or solved there with a KB answer;
- re-contact within 7 days: the share of the interactions with a known customer whose customer
  came back (any channel, any team) within the next 7 days; the interaction it was escalated to
  is the escalation itself, not a re-contact.

Two scans over the period's interactions (one GROUP BY of the covering index, and the
escalated ones joined to their escalation), whatever the number of rows.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, literal_column, select
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
    sums: list[float] = field(default_factory=lambda: [0.0] * kpis.SUMS, repr=False)
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


def _came_back() -> ColumnElement[bool]:
    """Whether the customer had another interaction in the next RECONTACT_DAYS days (the one
    this interaction was escalated to does not count)."""
    later = aliased(Interaction)
    return (
        exists()
        .where(
            later.customer == Interaction.customer,
            later.started_at > Interaction.started_at,
            later.started_at
            < plus_days(Interaction.started_at, literal_column(str(RECONTACT_DAYS))),
            ~exists()
            .where(
                Escalation.from_interaction_id == Interaction.id,
                Escalation.to_interaction_id == later.id,
            )
            .correlate_except(Escalation),
        )
        .correlate(Interaction)
    )


def _interaction_rows(where: Sequence[ColumnElement[bool]]) -> dict[Key, list[float]]:
    """Per (tier, agent): the KPI sums FCR and the escalation rate need (in kpis.SUMS order),
    the interactions with a known customer and those re-contacted: one scan of the covering
    index ix_interaction_team_started_tier, plus an index probe per interaction with a customer."""
    one = literal(1)
    rows = db.session.execute(
        select(
            Interaction.tier,
            Interaction.agent_id,
            func.count(Interaction.id),
            func.count(Interaction.resolved_first_contact),
            func.sum(case((Interaction.resolved_first_contact.is_(True), one), else_=0)),
            func.sum(case((Interaction.escalated.is_(True), one), else_=0)),
            func.count(Interaction.customer),
            func.sum(case((and_(Interaction.customer.is_not(None), _came_back()), one), else_=0)),
        )
        .where(*where)
        .group_by(Interaction.tier, Interaction.agent_id)
    )
    return {(t, a): [float(v or 0) for v in values] for t, a, *values in rows}


def _kpi_sums(n: float, fcr_known: float, fcr_yes: float, escalated: float) -> list[float]:
    """The kpis.SUMS vector of these counts (the other KPIs are not shown here)."""
    sums = [0.0] * kpis.SUMS
    sums[0], sums[3], sums[4], sums[9] = n, fcr_known, fcr_yes, escalated
    return sums


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
            .where(*where, Interaction.escalated.is_(True))
        )
    ]


def _add_kpis(row: TierFigures, sums: list[float]) -> None:
    """Add KPI sums into a row and recompute its rates with the dashboard's formulas."""
    for k, v in enumerate(sums):
        row.sums[k] += v
    figures = kpis.from_sums({"all": row.sums}, {})
    row.interactions, row.fcr, row.fcr_known = figures.interactions, figures.fcr, figures.fcr_known
    row.escalation_rate = figures.escalation_rate
    row.escalated = round(row.sums[9])


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

    for key, (n, known, yes, escalated, customers, back) in _interaction_rows(where).items():
        for row in rows_of(key):
            _add_kpis(row, _kpi_sums(n, known, yes, escalated))
            row.customers_known += int(customers)
            row.recontacted += int(back)
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
