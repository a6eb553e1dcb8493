"""Call analytics from segment timings: talk ratio, dead air, overtalk, interruptions, holds, pace.

The figures are the ones contact-centre speech analytics report (Observe.AI, CallMiner,
Calabrio, Amazon Contact Lens), computed, as those products do, from "who speaks when" alone:

- Each speaker's speech is the union of their word spans (segment spans where a segment has
  no word timings); pauses inside one speaker's speech shorter than ``pause_bridge`` (0.25 s,
  the usual silent-pause threshold of speech research) count as speaking, as a voice
  activity detector's hangover does. Speech is never bridged across speakers.
- Talk time per speaker is the length of that union, so overlapping or repeated segments of
  one speaker are not counted twice; the talk ratio is the agent's share of agent plus
  customer talk time (Calabrio's and Observe.AI's talk-to-listen split).
- Dead air is all time nobody speaks, between the first and the last speech (``edges=True``
  adds the leading and trailing silence up to the recording's duration); silences of at least
  ``silence_threshold`` seconds are counted as long silences (CallMiner's silence events).
- Overtalk is time agent and customer speak at once; overlaps shorter than ``min_overtalk``
  are word-boundary jitter or a quick acknowledgement and are not counted.
- An agent interruption is an agent onset while the customer is mid-turn, after which the
  customer stops while the agent keeps talking (the interrupted speaker yields the floor),
  no sooner than ``min_interruption`` (0.5 s) and no later than ``interruption_window``
  (2 s) after the onset. A "mm-hm" the customer talks through is overtalk, not an
  interruption; so is an early start in the last half second of a turn, the ordinary
  overlap of turn-taking (a "terminal overlap" in conversation analysis). Customer
  interruptions of the agent are the mirror image.
- A hold is a silence of at least ``hold_threshold`` seconds. Without the audio's energy,
  music on hold and dead air look the same: a hold is inferred from silence only.
- Speech rate is words per minute of the speaker's talk time (words of ``Segment.words``
  when present, else of the segment text), None below ``min_rate_seconds`` of talk.

Times are computed in whole milliseconds, so the accounting is exact: speech plus dead air
equals the covered span. Figures that need agent/customer labels (talk ratio, overtalk,
interruptions) are None when no segment is labelled "agent" or "customer".
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .base import Segment

AGENT, CUSTOMER = "agent", "customer"
# Timeline kinds after the speakers, in the order a picture stacks them.
OVERTALK, SILENCE, HOLD = "overtalk", "silence", "hold"
AGENT_INTERRUPTION, CUSTOMER_INTERRUPTION = "agent_interruption", "customer_interruption"
_KIND_ORDER = (AGENT, CUSTOMER, OVERTALK, AGENT_INTERRUPTION, CUSTOMER_INTERRUPTION, SILENCE, HOLD)

Interval = tuple[int, int]  # milliseconds, start < end


@dataclass(frozen=True)
class AnalyticsSettings:
    """The thresholds the figures depend on, in seconds; stored with every result."""

    silence_threshold: float = 3.0
    hold_threshold: float = 20.0
    min_overtalk: float = 0.3
    interruption_window: float = 2.0
    min_interruption: float = 0.5
    pause_bridge: float = 0.25
    min_rate_seconds: float = 1.0
    edges: bool = False

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if name != "edges" and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")

    def ms(self, name: str) -> int:
        """One threshold in whole milliseconds."""
        return round(float(getattr(self, name)) * 1000)


@dataclass(frozen=True)
class CallSpan:
    """A stretch of the call in seconds and what happens in it ("agent", "silence", "hold"...)."""

    kind: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        """Its length in seconds, to the millisecond."""
        return round(self.end - self.start, 3)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: kind, start, end."""
        return {"kind": self.kind, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class CallAnalytics:
    """How a call sounded: every time in seconds (to the ms), ratios in [0, 1], None if unknown.

    ``start``/``end`` is the covered span the silence figures refer to; ``spans`` is the
    timeline: each speaker's speech, "overtalk", "agent_interruption" and
    "customer_interruption" (onset to the moment the interrupted speaker stops), "silence"
    and "hold" (the silences of hold length), so speech and the silence kinds tile the span.
    """

    duration: float
    start: float
    end: float
    speech_seconds: float
    talk_seconds: dict[str, float]
    talk_ratio: float | None
    dead_air_seconds: float
    dead_air_ratio: float | None
    longest_silence: CallSpan | None
    long_silences: int
    long_silence_seconds: float
    overtalk_count: int | None
    overtalk_seconds: float | None
    agent_interruptions: int | None
    customer_interruptions: int | None
    holds: tuple[CallSpan, ...]
    hold_seconds: float
    words_per_minute: dict[str, float | None]
    spans: tuple[CallSpan, ...]
    settings: AnalyticsSettings

    def timeline(self, *kinds: str) -> tuple[CallSpan, ...]:
        """The timeline, sorted by time; only spans of the given kinds if any are given."""
        return tuple(s for s in self.spans if not kinds or s.kind in kinds)

    def to_dict(self, *, timeline: bool = True) -> dict[str, Any]:
        """The JSON shape stored per interaction; ``timeline=False`` leaves the spans out."""
        longest = self.longest_silence
        out: dict[str, Any] = {
            "duration": self.duration,
            "start": self.start,
            "end": self.end,
            "speech_seconds": self.speech_seconds,
            "talk_seconds": dict(self.talk_seconds),
            "talk_ratio": self.talk_ratio,
            "dead_air_seconds": self.dead_air_seconds,
            "dead_air_ratio": self.dead_air_ratio,
            "longest_silence": None if longest is None else longest.to_dict(),
            "long_silences": self.long_silences,
            "long_silence_seconds": self.long_silence_seconds,
            "overtalk_count": self.overtalk_count,
            "overtalk_seconds": self.overtalk_seconds,
            "agent_interruptions": self.agent_interruptions,
            "customer_interruptions": self.customer_interruptions,
            "holds": [h.to_dict() for h in self.holds],
            "hold_seconds": self.hold_seconds,
            "words_per_minute": dict(self.words_per_minute),
            "settings": asdict(self.settings),
        }
        if timeline:
            out["timeline"] = [s.to_dict() for s in self.spans]
        return out


# --- interval arithmetic on whole milliseconds -------------------------------------------


def _to_ms(seconds: float) -> int | None:
    """Seconds as whole milliseconds, None for NaN or infinity."""
    value = float(seconds)
    return round(value * 1000) if math.isfinite(value) else None


def _interval(start: float, end: float) -> Interval | None:
    """A valid interval from two times (clipped at 0), None if empty, reversed or not finite."""
    lo, hi = _to_ms(start), _to_ms(end)
    if lo is None or hi is None:
        return None
    lo = max(lo, 0)
    return (lo, hi) if hi > lo else None


def merge(intervals: Iterable[Interval], bridge: int = 0) -> list[Interval]:
    """Sorted disjoint union of intervals; gaps shorter than ``bridge`` ms are closed too."""
    out: list[Interval] = []
    for lo, hi in sorted(intervals):
        if out and lo - out[-1][1] < max(bridge, 1):
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Where two sorted disjoint interval lists overlap."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def gaps(intervals: Sequence[Interval], lo: int, hi: int) -> list[Interval]:
    """The parts of [lo, hi] that sorted disjoint intervals leave uncovered."""
    out: list[Interval] = []
    cursor = lo
    for start, end in intervals:
        if start > cursor:
            out.append((cursor, min(start, hi)))
        cursor = max(cursor, end)
        if cursor >= hi:
            break
    if cursor < hi:
        out.append((cursor, hi))
    return [g for g in out if g[1] > g[0]]


def _total(intervals: Iterable[Interval]) -> int:
    """Summed length in ms."""
    return sum(hi - lo for lo, hi in intervals)


def interruptions(
    by: Sequence[Interval], of: Sequence[Interval], s: AnalyticsSettings
) -> list[Interval]:
    """(onset, yield) of each time ``by`` cuts into a turn of ``of`` (both merged speech)."""
    # Never shorter than counted overtalk: every interruption is also an overtalk episode.
    min_overlap = max(s.ms("min_overtalk"), s.ms("min_interruption"))
    window = s.ms("interruption_window")
    starts = [lo for lo, _ in of]
    out: list[Interval] = []
    for onset, by_end in by:
        k = bisect_right(starts, onset) - 1
        if k < 0:
            continue
        turn_start, turn_end = of[k]
        mid_turn = turn_start < onset < turn_end
        # The interrupted speaker yields: stops first, neither at once nor too late.
        yields = by_end > turn_end and min_overlap <= turn_end - onset <= window
        if mid_turn and yields:
            out.append((onset, turn_end))
    return out


# --- from segments to figures -------------------------------------------------------------


def _segment_speech(segment: Segment) -> list[Interval]:
    """A segment's speech: its word spans, or the segment span if no word has a usable time."""
    words = [_interval(w.start, w.end) for w in segment.words]
    spans = [w for w in words if w is not None]
    if spans:
        return spans
    whole = _interval(segment.start, segment.end)
    return [] if whole is None else [whole]


def _word_count(segment: Segment) -> int:
    """Words said in a segment: its word timings if any, else the words of its text."""
    return len(segment.words) if segment.words else len(segment.text.split())


def speaker_speech(
    segments: Iterable[Segment], bridge: int
) -> tuple[dict[str, list[Interval]], dict[str, int]]:
    """Each speaker's merged speech intervals (ms) and word count, by speaker label."""
    raw: dict[str, list[Interval]] = {}
    words: dict[str, int] = {}
    for seg in segments:
        raw.setdefault(seg.speaker, []).extend(_segment_speech(seg))
        words[seg.speaker] = words.get(seg.speaker, 0) + _word_count(seg)
    speech = {who: merge(spans, bridge) for who, spans in raw.items()}
    if speech.get(AGENT) or speech.get(CUSTOMER):
        for who in (AGENT, CUSTOMER):
            speech.setdefault(who, [])
            words.setdefault(who, 0)
    return speech, words


def _seconds(ms: int) -> float:
    """Whole milliseconds as seconds."""
    return ms / 1000


def _ratio(part: int, whole: int, digits: int = 4) -> float | None:
    """part / whole rounded, None when whole is 0."""
    return round(part / whole, digits) if whole > 0 else None


def _rate(words: int, talk_ms: int, min_ms: int) -> float | None:
    """Words per minute of talk, None below the minimum talk time."""
    if talk_ms <= 0 or talk_ms < min_ms:
        return None
    return round(words * 60_000 / talk_ms, 1)


def _covered(union: Sequence[Interval], duration_ms: int, edges: bool) -> Interval:
    """The span the silence figures refer to: the whole recording or first to last speech."""
    if edges:
        return (0, duration_ms)
    if not union:
        return (0, 0)
    return (union[0][0], union[-1][1])


def _spans(kind: str, intervals: Iterable[Interval]) -> list[CallSpan]:
    """Intervals as Spans of one kind, in seconds."""
    return [CallSpan(kind, _seconds(lo), _seconds(hi)) for lo, hi in intervals]


def _sort_key(span: CallSpan) -> tuple[float, float, int, str]:
    """Time order; at equal times speakers first, then the marks in _KIND_ORDER."""
    order = _KIND_ORDER.index(span.kind) if span.kind in _KIND_ORDER else -1
    return (span.start, span.end, order, span.kind)


@dataclass(frozen=True)
class _Labelled:
    """The figures that need agent and customer labels; None when the call has none."""

    talk_ratio: float | None = None
    overtalk: tuple[Interval, ...] | None = None
    by_agent: tuple[Interval, ...] | None = None
    by_customer: tuple[Interval, ...] | None = None


def _labelled(speech: dict[str, list[Interval]], s: AnalyticsSettings) -> _Labelled:
    """Talk ratio, overtalk and interruptions from the agent's and the customer's speech."""
    agent, customer = speech.get(AGENT, []), speech.get(CUSTOMER, [])
    if not (agent or customer):
        return _Labelled()
    min_overtalk = s.ms("min_overtalk")
    overtalk = [iv for iv in intersect(agent, customer) if iv[1] - iv[0] >= min_overtalk]
    return _Labelled(
        talk_ratio=_ratio(_total(agent), _total(agent) + _total(customer)),
        overtalk=tuple(overtalk),
        by_agent=tuple(interruptions(agent, customer, s)),
        by_customer=tuple(interruptions(customer, agent, s)),
    )


def _timeline(
    speech: dict[str, list[Interval]], labelled: _Labelled, silences: list[Interval], hold_ms: int
) -> tuple[CallSpan, ...]:
    """All spans for the picture, merged per kind and sorted by time."""
    spans: list[CallSpan] = []
    for who, intervals in speech.items():
        spans += _spans(who, intervals)
    spans += _spans(OVERTALK, labelled.overtalk or ())
    spans += _spans(AGENT_INTERRUPTION, labelled.by_agent or ())
    spans += _spans(CUSTOMER_INTERRUPTION, labelled.by_customer or ())
    spans += _spans(SILENCE, (g for g in silences if g[1] - g[0] < hold_ms))
    spans += _spans(HOLD, (g for g in silences if g[1] - g[0] >= hold_ms))
    return tuple(sorted(spans, key=_sort_key))


def _count(intervals: tuple[Interval, ...] | None) -> int | None:
    """How many, None when not measurable."""
    return None if intervals is None else len(intervals)


def call_analytics(
    segments: Iterable[Segment],
    duration: float,
    *,
    silence_threshold: float = 3.0,
    hold_threshold: float = 20.0,
    min_overtalk: float = 0.3,
    interruption_window: float = 2.0,
    min_interruption: float = 0.5,
    pause_bridge: float = 0.25,
    min_rate_seconds: float = 1.0,
    edges: bool = False,
) -> CallAnalytics:
    """Talk, silence, overtalk, interruption, hold and pace figures of one call (module docstring)."""
    s = AnalyticsSettings(
        silence_threshold=silence_threshold,
        hold_threshold=hold_threshold,
        min_overtalk=min_overtalk,
        interruption_window=interruption_window,
        min_interruption=min_interruption,
        pause_bridge=pause_bridge,
        min_rate_seconds=min_rate_seconds,
        edges=edges,
    )
    speech, words = speaker_speech(segments, s.ms("pause_bridge"))
    union = merge(iv for ivs in speech.values() for iv in ivs)
    # A duration shorter than the speech (a wrong probe) is extended, never cuts speech off.
    duration_ms = max(_to_ms(duration) or 0, union[-1][1] if union else 0)
    lo, hi = _covered(union, duration_ms, s.edges)
    silences = gaps(union, lo, hi)
    longest = max(silences, key=lambda g: (g[1] - g[0], -g[0]), default=None)
    long_ones = [g for g in silences if g[1] - g[0] >= s.ms("silence_threshold")]
    holds = [g for g in silences if g[1] - g[0] >= s.ms("hold_threshold")]
    labelled = _labelled(speech, s)
    talk = {who: _total(ivs) for who, ivs in sorted(speech.items())}
    return CallAnalytics(
        duration=_seconds(duration_ms),
        start=_seconds(lo),
        end=_seconds(hi),
        speech_seconds=_seconds(_total(union)),
        talk_seconds={who: _seconds(ms) for who, ms in talk.items()},
        talk_ratio=labelled.talk_ratio,
        dead_air_seconds=_seconds(_total(silences)),
        dead_air_ratio=_ratio(_total(silences), hi - lo),
        longest_silence=None if longest is None else _spans(SILENCE, [longest])[0],
        long_silences=len(long_ones),
        long_silence_seconds=_seconds(_total(long_ones)),
        overtalk_count=_count(labelled.overtalk),
        overtalk_seconds=None if labelled.overtalk is None else _seconds(_total(labelled.overtalk)),
        agent_interruptions=_count(labelled.by_agent),
        customer_interruptions=_count(labelled.by_customer),
        holds=tuple(_spans(HOLD, holds)),
        hold_seconds=_seconds(_total(holds)),
        words_per_minute={
            who: _rate(words.get(who, 0), ms, s.ms("min_rate_seconds")) for who, ms in talk.items()
        },
        spans=_timeline(speech, labelled, silences, s.ms("hold_threshold")),
        settings=s,
    )
