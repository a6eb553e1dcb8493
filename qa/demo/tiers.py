"""The demo's tiers and escalations (issue 17), so the tier dashboard has something to show:
Billing & Accounts is N1, Tech Support N2; customers come back now and then; Billing's escalated
interactions go to a later Tech Support interaction of the same customer (a fifth of them sent
back, some solved with a KB answer), Tech Support's own to the vendor (N4), outside Coachline.

Its own random stream, so the rest of the demo is the same with or without it.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy import select

from ..extensions import db
from ..models import EscalationOutcome, Interaction, Team
from ..services.escalations import record_escalation

TIERS = {"Billing & Accounts": 1, "Tech Support": 2}
REASONS = {
    1: [
        "refund above the agent's approval limit",
        "the customer's line shows a fault on the exchange",
        "account locked by fraud checks",
        "password reset (the steps are in the knowledge base)",
    ],
    2: ["router firmware bug, vendor ticket needed", "number porting held by the other carrier"],
}
CUSTOMERS = 90


def _outcome(rng: random.Random, reason: str) -> EscalationOutcome:
    if "knowledge base" in reason:
        return EscalationOutcome.UNNECESSARY
    return EscalationOutcome.BOUNCED if rng.random() < 0.2 else EscalationOutcome.SOLVED


def load_tiers(*, echo: Callable[[str], object] = print, seed: int = 17) -> int:
    """Tiers on the demo teams and their interactions, customers, and escalations; how many."""
    rng = random.Random(seed)
    for team in db.session.scalars(select(Team)):
        team.tier = TIERS.get(team.name, 1)
    interactions = list(db.session.scalars(select(Interaction).order_by(Interaction.started_at)))
    for interaction in interactions:
        interaction.tier = TIERS.get(interaction.team.name, 1)
        interaction.customer = f"CUST-{rng.randrange(CUSTOMERS):03d}"
    second = [i for i in interactions if i.tier == 2]
    taken: set[int] = set()
    made = 0
    for source in (i for i in interactions if i.escalated):
        reason = rng.choice(REASONS[2 if source.tier == 2 else 1])
        if source.tier == 2:
            record_escalation(source, None, reason=reason, to_tier=4, outcome=None)
            made += 1
            continue
        target = next(
            (t for t in second if t.started_at > source.started_at and t.id not in taken), None
        )
        if target is None:
            continue
        taken.add(target.id)
        target.customer = source.customer
        record_escalation(source, target, reason=reason, outcome=_outcome(rng, reason))
        made += 1
    db.session.commit()
    echo(f"gave the teams tiers (N1, N2) and recorded {made} escalations")
    return made


__all__ = ["load_tiers"]
