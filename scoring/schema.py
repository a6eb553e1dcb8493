"""Plain data types of AutoQA: turns in, predictions with evidence out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import ScoringError

SPEAKERS = ("agent", "customer")


@dataclass(frozen=True)
class Turn:
    speaker: str  # "agent" | "customer"
    text: str


Conversation = Sequence[Turn]


@dataclass(frozen=True)
class Evidence:
    """One sentence and its signed contribution to a head's logit (+ pushes the score up)."""

    turn: int
    speaker: str
    text: str
    weight: float

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "speaker": self.speaker, "text": self.text,
                "weight": round(self.weight, 4)}


@dataclass(frozen=True)
class Prediction:
    empathy_score: float  # 0-100
    empathy_evidence: tuple[Evidence, ...]
    resolution_probability: float  # 0-1
    resolution_label: str  # "resolved" | "unresolved"
    resolution_evidence: tuple[Evidence, ...]
    model_version: str

    def to_dict(self, id: Any = None) -> dict[str, Any]:  # noqa: A002 - the wire name is "id"
        """The `python -m scoring predict` output line (PRODUCT.md)."""
        return {
            "id": id,
            "empathy": {
                "score": round(self.empathy_score, 2),
                "evidence": [e.to_dict() for e in self.empathy_evidence],
            },
            "resolution": {
                "probability": round(self.resolution_probability, 4),
                "label": self.resolution_label,
                "evidence": [e.to_dict() for e in self.resolution_evidence],
            },
            "model_version": self.model_version,
        }


def to_turns(raw: Any) -> list[Turn]:
    """Validate a conversation given as Turn objects or {"speaker", "text"} mappings."""
    if isinstance(raw, (str, bytes)) or not isinstance(raw, Sequence):
        raise ScoringError("turns must be a list of {speaker, text}")
    turns: list[Turn] = []
    for k, item in enumerate(raw):
        speaker: Any
        text: Any
        if isinstance(item, Turn):
            speaker, text = item.speaker, item.text
        elif isinstance(item, Mapping):
            speaker, text = item.get("speaker"), item.get("text")
        else:
            raise ScoringError(f"turn {k} is not an object with speaker and text")
        if speaker not in SPEAKERS:
            raise ScoringError(f"turn {k}: speaker must be 'agent' or 'customer', got {speaker!r}")
        if not isinstance(text, str):
            raise ScoringError(f"turn {k}: text must be a string")
        turns.append(item if isinstance(item, Turn) else Turn(speaker, text))
    if not turns:
        raise ScoringError("conversation has no turns")
    return turns
