"""The "Escalation justified / correctly routed" criterion and its AutoQA key, `escalation`,
learned from reviewers (issue 17).

A scorecard gets the criterion from the builder (`CRITERION`); reviewers answer it on escalated
interactions (N/A otherwise). `flask scoring train --from-reviews --escalation-head` trains a
custom head (scoring.custom, the same calibrated linear head and activation rule as the
per-criterion heads) on those answers, from every criterion with the key, so new scorecard
versions keep their labels. Its features are the conversation text and the escalation: the
head reads the dialogue turns followed by one agent turn naming the tiers and the reason
("Escalated from N1 to N2: refund over the agent's limit"), so that sentence can be evidence.
The pipeline scores escalated interactions with the active head (AutoScore key `escalation`).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import AutoScore, Criterion, Escalation, Interaction, User
from . import audit
from .autoqa import (
    custom_root,
    dialogue_turns,
    load_custom_head,
    min_labels,
    reviewer_labels,
    versions,
)
from .escalations import tier_name

log = logging.getLogger(__name__)

KEY = "escalation"
CRITERION: dict[str, Any] = {
    "section": "Escalation",
    "name": "Escalation justified / correctly routed",
    "description": (
        "The escalation was needed (the agent could not solve it with their tools or the "
        "knowledge base) and went to the right tier and team with a clear reason. N/A when the "
        "interaction was not escalated."
    ),
    "examples": "Escalated a refund above the agent's limit to N2 with the order number\n"
    "Escalated a password reset the agent could have done from the KB (not justified)",
    "weight": 1.0,
    "scale": "yesno",
    "allows_na": True,
    "critical": False,
    "autoqa_key": KEY,
}


def escalation_of(interaction: Interaction) -> Escalation | None:
    return db.session.scalar(
        select(Escalation).where(Escalation.from_interaction_id == interaction.id)
    )


def context_turn(escalation: Escalation) -> tuple[str, str]:
    """The escalation as the head reads it: one agent turn with the tiers and the reason."""
    tiers = f"from {tier_name(escalation.from_tier) or 'an unknown tier'}"
    if escalation.to_tier:
        tiers += f" to {tier_name(escalation.to_tier)}"
    reason = (escalation.reason or "").strip() or "no reason given"
    return "agent", f"Escalated {tiers}: {reason}."


def conversation(interaction: Interaction) -> list[tuple[str, str]]:
    """The dialogue turns, then the escalation's turn when there is one ([] without text)."""
    if interaction.transcript is None:
        return []
    turns = dialogue_turns(interaction.transcript)
    escalation = escalation_of(interaction)
    if turns and escalation is not None:
        turns.append(context_turn(escalation))
    return turns


def registry() -> Any:
    """The versions of the escalation head: <SCORING_MODEL_DIR>/custom/escalation/."""
    from scoring import Registry

    return Registry(custom_root() / KEY)


def _criterion() -> Criterion | None:
    """The newest criterion with the key: it names the head and gives its scale."""
    return db.session.scalar(
        select(Criterion).where(Criterion.autoqa_key == KEY).order_by(Criterion.id.desc())
    )


def labelled_items(criterion_id: int) -> list[Any]:
    """Reviewer answers of every criterion keyed `escalation`, one item per interaction, with
    the escalation's turn after the conversation; labels under the head's training key."""
    from scoring import Turn
    from scoring.custom import criterion_key
    from scoring.retrain import LabelledConversation

    labels = {iid: v for (iid, key), v in reviewer_labels(autoqa_keys=True).items() if key == KEY}
    items = []
    for interaction in db.session.scalars(
        select(Interaction).where(Interaction.id.in_(list(labels))).order_by(Interaction.id)
    ):
        turns = conversation(interaction)
        if turns:
            items.append(
                LabelledConversation(
                    interaction.id,
                    [Turn(s, t) for s, t in turns],
                    {criterion_key(criterion_id): labels[interaction.id]},
                )
            )
    return items


def train(encoder: Any, *, actor: User | None, min_labels: int, holdout: float, seed: int) -> Any:
    """Train the head on the reviewers' answers, register it, and activate it when it beats
    the active one (or a constant score) on held-out answers; the result (scoring.custom)."""
    from scoring.custom import train_custom_head
    from scoring.retrain import NotEnoughLabels

    criterion = _criterion()
    if criterion is None:
        raise NotEnoughLabels(f"no scorecard criterion has the AutoQA key {KEY!r}")
    reg = registry()
    active = load_custom_head(reg, reg.active()) if reg.active() else None
    result = train_custom_head(
        labelled_items(criterion.id),
        criterion_id=criterion.id,
        criterion_name=criterion.name,
        encoder=encoder,
        active=active,
        min_labels=min_labels,
        holdout=holdout,
        seed=seed,
        scale={"min": criterion.scale_min, "max": criterion.scale_max},
    )
    head = result.head
    head.key = KEY
    head.metadata["features"] += ", the escalation's tiers and reason as a last agent turn"
    with tempfile.TemporaryDirectory() as tmp:
        head.save(Path(tmp) / "artifact")
        version = str(reg.register(Path(tmp) / "artifact"))
    audit.record(
        actor,
        "autoqa.escalation_head_trained",
        criterion,
        key=KEY,
        version=version,
        labels=result.counts,
        heldout=result.candidate,
        decision={"activate": result.activate, "reason": result.reason},
    )
    if result.activate:
        reg.activate(version)
    return result


def state() -> dict[str, Any]:
    """What the admin's models page shows of the head: the criterion that names it, how many
    reviewer answers it could learn from now, and its versions (newest first, each with its
    sidecar: created, labels, held-out metrics and how they were measured, languages, the
    activation decision) with the active one marked; `trained` when any version exists."""
    rows = versions(registry())
    criterion = _criterion()
    labels = sum(1 for (_, key) in reviewer_labels(autoqa_keys=True) if key == KEY)
    active = next((row for row in rows if row["active"]), None)
    return {
        "key": KEY,
        "criterion": criterion.name if criterion is not None else None,
        "labels_now": labels,
        "labels_needed": min_labels(),
        "trained": bool(rows),
        "active": active,
        "versions": rows,
    }


def score_escalated(interactions: Sequence[Interaction], encoder: Any) -> int:
    """Score the escalated ones with the active head (AutoScore `escalation`); how many. A
    missing head scores none; a broken one is logged and scores none."""
    from scoring import ScoringError, Turn
    from scoring.model import encode_conversations

    try:
        reg = registry()
        version = reg.active()
        if not version or encoder is None:
            return 0
        head = load_custom_head(reg, version)
        if not head.fits(encoder):
            log.warning("escalation head %s was trained over another encoder: retrain it", version)
            return 0
        todo = [(i, conversation(i)) for i in interactions if i.escalated]
        todo = [(i, turns) for i, turns in todo if turns]
        encoded = encode_conversations(encoder, [[Turn(s, t) for s, t in c] for _, c in todo])
        scores = [head.score_encoded(ec) for ec in encoded]
    except (ScoringError, OSError, ValueError):
        log.exception("escalation head not applied")
        return 0
    for (interaction, _), cs in zip(todo, scores, strict=True):
        row = db.session.scalar(
            select(AutoScore).where(
                AutoScore.interaction_id == interaction.id, AutoScore.criterion == KEY
            )
        ) or AutoScore(interaction=interaction, criterion=KEY)
        row.value = round(cs.probability * 100, 2)
        row.label = cs.label
        row.evidence = [
            {"turn": e.turn, "speaker": e.speaker, "text": e.text, "weight": round(e.weight, 4)}
            for e in cs.evidence
        ]
        row.model_version = cs.version
        db.session.add(row)
    return len(todo)


__all__ = [
    "CRITERION",
    "KEY",
    "context_turn",
    "conversation",
    "labelled_items",
    "registry",
    "score_escalated",
    "state",
    "train",
]
