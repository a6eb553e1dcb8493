"""Extra shares of a draw (issue 17): a policy can ask that at least a share of the week's
escalated interactions, and of those the next tier sent back, are in its sample, on top of the
per-agent quota.

For each kind, bounced back first (they are escalated too), the target is ceil(share x the
week's interactions of that kind in the policy's population); what the week's sample already
holds of that kind counts, whatever its stratum, and the rest is added in the draw's hash order
(stratum "escalated" or "bounced"). Deterministic for (policy, week, seed) and a top-up on
re-runs, like the draw itself.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select

from ...extensions import db
from ...models import (
    Assignment,
    Escalation,
    EscalationOutcome,
    Interaction,
    Review,
    Sample,
    SamplingPolicy,
)
from .hashing import hash_sql
from .rules import SAMPLEABLE
from .statements import Shape as StatementShape
from .statements import not_replaced, population_filter, this_policy_week

ESCALATED, BOUNCED = "escalated", "bounced"
REASONS = {ESCALATED: "escalated", BOUNCED: "bounced back"}


@dataclass(frozen=True)
class ExtraPick:
    id: int
    agent_id: int
    stratum: str
    reason: str


def _kind(kind: str) -> ColumnElement[bool]:
    if kind == BOUNCED:
        return exists().where(
            Escalation.from_interaction_id == Interaction.id,
            Escalation.outcome == EscalationOutcome.BOUNCED,
        )
    return Interaction.escalated.is_(True)


def _shares(policy: SamplingPolicy) -> list[tuple[str, float]]:
    shares = [(BOUNCED, policy.bounced_share or 0.0), (ESCALATED, policy.escalated_share or 0.0)]
    return [(k, max(0.0, min(1.0, float(s)))) for k, s in shares if s]


def extra_picks(
    policy: SamplingPolicy,
    shape: StatementShape,
    params: dict[str, Any],
    taken: Collection[int],
) -> list[ExtraPick]:
    """The interactions to add for the policy's escalated and bounced-back shares, beyond
    `taken` (the draw's own picks, which count toward the shares)."""
    picks: list[ExtraPick] = []
    chosen = set(taken)
    for kind, share in _shares(policy):
        population = [*population_filter(shape), _kind(kind)]
        total = db.session.scalar(select(func.count(Interaction.id)).where(*population), params)
        have = db.session.scalar(
            select(func.count(Sample.id))
            .join(Interaction, Interaction.id == Sample.interaction_id)
            .outerjoin(Assignment, Assignment.sample_id == Sample.id)
            .where(*this_policy_week(), not_replaced(), _kind(kind)),
            params,
        )
        taken_here = db.session.scalar(
            select(func.count(Interaction.id)).where(
                Interaction.id.in_(list(chosen) or [-1]), _kind(kind)
            )
        )
        need = math.ceil(share * int(total or 0)) - int(have or 0) - int(taken_here or 0)
        if need <= 0:
            continue
        order = hash_sql(Interaction.__table__.c.id)
        rows = db.session.execute(
            select(Interaction.id, Interaction.agent_id)
            .where(
                *population,
                Interaction.status.in_(SAMPLEABLE),
                ~exists().where(Review.interaction_id == Interaction.id),
                ~exists().where(Sample.interaction_id == Interaction.id),
                Interaction.id.not_in(list(chosen) or [-1]),
            )
            .order_by(order, Interaction.id)
            .limit(need),
            params,
        ).all()
        for interaction_id, agent_id in rows:
            chosen.add(interaction_id)
            picks.append(ExtraPick(interaction_id, agent_id, kind, REASONS[kind]))
    return picks


__all__ = ["BOUNCED", "ESCALATED", "ExtraPick", "extra_picks"]
