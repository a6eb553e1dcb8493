"""Correcting a mono call's diarized speaker labels (issue 16): swap agent and customer.

Diarization names the speakers of a mono call from script cues (or the agent's voice profile);
when it guessed wrong, a reviewer or lead swaps the labels in one click, for the whole
transcript or one segment. The swap is one bulk UPDATE of the segments; then the call's
analytics are recomputed (`call_analytics.compute`: the bulk UPDATE bypasses the ORM events
that would note the change), an audit event is written, and the caller re-scores AutoQA (the
job, `qa.jobs.enqueue_scoring`, after the commit).

Who may swap: reviewers, leads and admins on calls they can see (`qa.access`); agents never
(their own score depends on the labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import case, func, select, update

from ..extensions import db
from ..models import Channel, Interaction, Role, Segment, User
from . import audit, call_analytics

SWAPPERS = (Role.REVIEWER, Role.LEAD, Role.ADMIN)
DEFAULT_LOW_CONFIDENCE = 0.5  # config SPEAKER_CONFIDENCE_LOW: below it a label is marked unsure


class SwapError(ValueError):
    """The swap cannot be done (no labelled call transcript, no such segment); a 400."""


@dataclass(frozen=True)
class SwapResult:
    segments: int  # how many segment labels changed
    position: int | None  # the one segment swapped, None for the whole transcript


def low_confidence(config: Any) -> float:
    """The threshold under which a diarized speaker label is marked uncertain."""
    return float(config.get("SPEAKER_CONFIDENCE_LOW", DEFAULT_LOW_CONFIDENCE))


def swappable(interaction: Interaction) -> bool:
    """A call with a transcript that has agent or customer labels."""
    transcript = interaction.transcript
    return (
        interaction.channel == Channel.CALL
        and transcript is not None
        and any(s.speaker in ("agent", "customer") for s in transcript.segments)
    )


def swap_speakers(
    interaction: Interaction, actor: User, *, position: int | None = None
) -> SwapResult:
    """Swap "agent" and "customer" on every segment of the call (or only the one at
    ``position``), recompute its analytics and record who did it; the caller commits and then
    re-scores AutoQA. A segment swapped on its own is a reviewer's decision: its speaker
    confidence becomes 1."""
    if not swappable(interaction):
        raise SwapError(gettext("This interaction has no call transcript with speakers to swap."))
    transcript = interaction.transcript
    assert transcript is not None  # swappable()
    where = [Segment.transcript_id == transcript.id, Segment.speaker.in_(("agent", "customer"))]
    if position is not None:
        where.append(Segment.position == position)
        found = db.session.scalar(select(func.count()).select_from(Segment).where(*where))
        if not found:
            raise SwapError(gettext("Segment %(position)s has no agent or customer label.",
                                    position=position + 1))  # fmt: skip
    values: dict[Any, Any] = {
        Segment.speaker: case((Segment.speaker == "agent", "customer"), else_="agent")
    }
    if position is not None:
        values[Segment.speaker_confidence] = 1.0
    db.session.flush()  # pending ORM changes first, then the bulk UPDATE
    result = db.session.execute(
        update(Segment).where(*where).values(values).execution_options(synchronize_session=False)
    )
    changed = int(getattr(result, "rowcount", 0) or 0)
    for segment in transcript.segments:  # loaded ones keep old values until expired
        db.session.expire(segment)
    call_analytics.compute(interaction)
    audit.record(
        actor,
        "transcript.speakers_swapped",
        interaction,
        segments=changed,
        position=position,
    )
    return SwapResult(changed, position)


__all__ = [
    "DEFAULT_LOW_CONFIDENCE",
    "SWAPPERS",
    "SwapError",
    "SwapResult",
    "low_confidence",
    "swap_speakers",
    "swappable",
]
