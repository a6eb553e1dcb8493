"""Plain data types and the transcriber protocol shared by every backend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

SPEAKERS = ("agent", "customer", "unknown")


@dataclass(frozen=True)
class LanguageDefaults:
    """The Whisper settings measured best for calls in one language (docs/transcription.md)."""

    model: str
    compute_type: str
    beam_size: int
    vad_filter: bool = True
    condition_on_previous_text: bool = True


# One set of defaults per language for the command line, the Python API and the app
# (qa/config.py and qa/ml.py read these), measured by bench/transcription.py --sweep
# (bench/results/transcription_sweep.json, docs/transcription.md "Settings per language"):
# English on four real 8 kHz phone calls, French on the synthesised French calls.
# - English: tiny.en, float32, beam 5, VAD, no previous-text conditioning (pooled WER 0.233;
#   with conditioning 0.238). base int8 is more accurate on the phone calls (0.206) for about
#   the same CPU, but neither meets the 0.18 target, base detects a language on English calls
#   and its idle RTF is not measured yet: the switch is left to be confirmed. On this 2-core
#   AVX2 CPU (no VNNI) tiny.en ran faster in float32 than in int8 on an idle machine
#   (bench/results/transcription_idle_quick.json).
# - French: base in int8 wrote the same French as float32 for 38% less CPU and 40% less
#   memory; beam 1, no VAD or a vocabulary prompt were worse (WER 0.327, target 0.15 missed).
LANGUAGE_DEFAULTS: dict[str, LanguageDefaults] = {
    "en": LanguageDefaults(
        model="tiny.en", compute_type="float32", beam_size=5, condition_on_previous_text=False
    ),
    "fr": LanguageDefaults(model="base", compute_type="int8", beam_size=5),
}
# Calls in any other language: the multilingual model with the settings measured for French.
MULTILINGUAL_DEFAULTS = LANGUAGE_DEFAULTS["fr"]


def defaults_for(language: str | None) -> LanguageDefaults:
    """The settings for calls expected in ``language`` (ISO 639-1, any case or region: "fr-CA"):
    English when None or "en", the measured set for a language that has one, else the
    multilingual model's."""
    code = (language or "en").strip().lower()[:2]
    return LANGUAGE_DEFAULTS.get(code, MULTILINGUAL_DEFAULTS)


# The English settings, under the names older callers import.
DEFAULT_MODEL = LANGUAGE_DEFAULTS["en"].model
DEFAULT_COMPUTE_TYPE = LANGUAGE_DEFAULTS["en"].compute_type
DEFAULT_BEAM_SIZE = LANGUAGE_DEFAULTS["en"].beam_size


class TranscriptionError(Exception):
    """A transcription could not be produced; ``reason`` is one human-readable line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AudioError(TranscriptionError):
    """The input is not usable audio (missing, empty, not audio, truncated, too long...)."""


@dataclass(frozen=True)
class Word:
    """One recognised word with its time span in seconds and the model's confidence."""

    start: float
    end: float
    text: str
    probability: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "probability": round(self.probability, 4),
        }


@dataclass(frozen=True)
class Segment:
    """A stretch of speech by one speaker: "agent", "customer" or "unknown" (mono audio)."""

    start: float
    end: float
    speaker: str
    text: str
    words: tuple[Word, ...] = ()
    # How sure the speaker label is (0-1) when diarization gave it; None for channel labels.
    speaker_confidence: float | None = None

    def to_dict(self, *, words: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "speaker": self.speaker,
            "text": self.text,
        }
        if self.speaker_confidence is not None:
            out["speaker_confidence"] = round(self.speaker_confidence, 3)
        if words:
            out["words"] = [w.to_dict() for w in self.words]
        return out


@dataclass(frozen=True)
class Transcript:
    """A whole recording: segments sorted by start time, PII already redacted.

    ``language`` is None when the model is English-only and therefore detected nothing;
    ``redactions`` counts replacements per PII kind (e.g. ``{"card": 1, "email": 0}``).
    """

    language: str | None
    language_probability: float | None
    duration: float
    segments: tuple[Segment, ...]
    redactions: dict[str, int] = field(default_factory=dict)
    model: str = ""
    # What diarization of a mono recording did ("diarized: 2 speakers") or why it could not.
    diarization_note: str | None = None

    @property
    def text(self) -> str:
        """All segment texts joined by newlines, prefixed by their speaker."""
        return "\n".join(f"{s.speaker}: {s.text}" for s in self.segments)

    def to_dict(self, *, words: bool = False) -> dict[str, Any]:
        """The JSON shape of PRODUCT.md plus probability, model and redaction counts."""
        return {
            "language": self.language,
            "language_probability": (
                None if self.language_probability is None else round(self.language_probability, 4)
            ),
            "duration": round(self.duration, 3),
            "model": self.model,
            "redactions": dict(self.redactions),
            "segments": [s.to_dict(words=words) for s in self.segments],
            **({"diarization_note": self.diarization_note} if self.diarization_note else {}),
        }


@runtime_checkable
class Transcriber(Protocol):
    """Anything that turns an audio file into a Transcript."""

    def transcribe(
        self,
        path: str | Path,
        *,
        agent_channel: str = "right",
        progress: Callable[[float], None] | None = None,
    ) -> Transcript: ...
