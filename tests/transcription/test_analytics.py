"""Call analytics from segment timings: hand-made calls with known answers, edge cases, invariants."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcription import CallAnalytics, Segment, Word, call_analytics
from transcription.analytics import gaps, intersect, merge


def seg(speaker: str, start: float, end: float, text: str = "a b", words: Any = None) -> Segment:
    """A segment; ``words`` as (start, end) pairs become Words with the text "w"."""
    timed = tuple(Word(a, b, "w", 1.0) for a, b in words or ())
    return Segment(start, end, speaker, text, timed)


def a(start: float, end: float, text: str = "a b") -> Segment:
    """An agent segment."""
    return seg("agent", start, end, text)


def c(start: float, end: float, text: str = "a b") -> Segment:
    """A customer segment."""
    return seg("customer", start, end, text)


# --- interval helpers -------------------------------------------------------------------


def test_merge_joins_overlaps_touching_and_bridged_gaps() -> None:
    """merge() sorts, joins overlapping and touching intervals, and gaps below the bridge."""
    assert merge([(5, 8), (0, 2), (1, 3), (3, 4)]) == [(0, 4), (5, 8)]
    assert merge([(0, 2), (4, 6), (9, 10)], bridge=3) == [(0, 6), (9, 10)]
    assert merge([(0, 2), (5, 6)], bridge=3) == [(0, 2), (5, 6)]  # a gap of exactly 3 stays


def test_intersect_and_gaps() -> None:
    """intersect() finds the common parts, gaps() the uncovered parts of a span."""
    assert intersect([(0, 5), (8, 12)], [(3, 9), (11, 20)]) == [(3, 5), (8, 9), (11, 12)]
    assert intersect([(0, 5)], [(5, 9)]) == []
    assert gaps([(2, 4), (6, 8)], 0, 10) == [(0, 2), (4, 6), (8, 10)]
    assert gaps([(2, 4)], 2, 4) == []
    assert gaps([], 0, 3) == [(0, 3)]


# --- talk time and ratio ----------------------------------------------------------------


def test_talk_time_is_the_union_of_a_speakers_spans() -> None:
    """Overlapping, repeated and out-of-order segments of one speaker are not counted twice."""
    result = call_analytics([a(6, 8), a(0, 4), a(2, 6), a(2, 6), c(10, 12)], 12)
    assert result.talk_seconds == {"agent": 8.0, "customer": 2.0}
    assert result.speech_seconds == 10.0


def test_talk_ratio_is_the_agents_share_of_talk() -> None:
    """Agent 6 s and customer 2 s of talk give a talk ratio of 0.75."""
    result = call_analytics([a(0, 6), c(7, 9)], 10)
    assert result.talk_ratio == 0.75


def test_word_timings_give_finer_speech_spans() -> None:
    """A segment with word timings counts its words' spans, not the segment's whole span."""
    timed = seg("agent", 0, 10, "x y z", words=[(0, 1), (1.1, 2), (8, 9)])
    result = call_analytics([timed, c(10, 11)], 11)
    # 1.0-1.1 is bridged (< 0.25 s), 2-8 is not: 0-2 and 8-9.
    assert result.talk_seconds["agent"] == 3.0
    assert result.timeline("agent")[0].end == 2.0
    assert result.dead_air_seconds == 7.0  # 2-8 and 9-10


def test_pause_bridge_closes_only_short_pauses_of_one_speaker() -> None:
    """A 0.2 s pause inside the agent's speech is talk, a 0.3 s one and turn gaps are silence."""
    result = call_analytics([a(0, 1), a(1.2, 2), a(2.3, 3), c(3.1, 4)], 4)
    assert result.talk_seconds["agent"] == 2.7
    assert result.dead_air_seconds == 0.4
    assert call_analytics([a(0, 1), a(1.2, 2)], 2, pause_bridge=0).talk_seconds["agent"] == 1.8


def test_segments_without_word_timings_fall_back_to_segment_spans() -> None:
    """Words with unusable times (zero length) leave the segment's own span."""
    broken = seg("customer", 2, 5, "a b", words=[(3, 3), (4, 4)])
    assert call_analytics([broken], 5).talk_seconds == {"agent": 0.0, "customer": 3.0}


# --- silence, dead air, holds -------------------------------------------------------------


def test_dead_air_is_between_first_and_last_speech_unless_edges() -> None:
    """Leading and trailing silence count only with edges=True."""
    calls = [a(2, 4), c(5, 7), a(11, 12)]
    inner = call_analytics(calls, 20)
    assert (inner.start, inner.end) == (2.0, 12.0)
    assert inner.dead_air_seconds == 5.0
    assert inner.dead_air_ratio == 0.5
    outer = call_analytics(calls, 20, edges=True)
    assert (outer.start, outer.end) == (0.0, 20.0)
    assert outer.dead_air_seconds == 15.0
    assert outer.dead_air_ratio == 0.75


def test_longest_silence_and_long_silence_count() -> None:
    """The longest gap is reported with its times; gaps >= the threshold are counted."""
    calls = [a(0, 1), c(2, 3), a(6, 7), c(10.5, 11), a(11.5, 12)]
    result = call_analytics(calls, 12)
    assert result.longest_silence is not None
    assert (result.longest_silence.start, result.longest_silence.end) == (7.0, 10.5)
    assert result.longest_silence.seconds == 3.5
    assert result.long_silences == 2  # 3.0 s and 3.5 s; 1 s and 0.5 s are short
    assert result.long_silence_seconds == 6.5
    assert call_analytics(calls, 12, silence_threshold=3.2).long_silences == 1


def test_longest_silence_tie_goes_to_the_first() -> None:
    """Two equally long silences: the earlier one is the longest."""
    result = call_analytics([a(0, 1), c(3, 4), a(6, 7)], 7)
    assert result.longest_silence is not None
    assert result.longest_silence.start == 1.0


def test_holds_are_silences_of_hold_length() -> None:
    """A 25 s silence is a hold, a 15 s one only a long silence; the threshold is a parameter."""
    calls = [a(0, 5), c(30, 35), a(50, 55)]
    result = call_analytics(calls, 55)
    assert [(h.start, h.end) for h in result.holds] == [(5.0, 30.0)]
    assert result.hold_seconds == 25.0
    assert result.long_silences == 2
    assert len(call_analytics(calls, 55, hold_threshold=10).holds) == 2
    assert [s.kind for s in result.timeline("silence", "hold")] == ["hold", "silence"]


# --- overtalk and interruptions -----------------------------------------------------------


def test_overtalk_counts_overlaps_above_the_jitter_threshold() -> None:
    """Overlaps of 1 s and 0.5 s count, one of 0.2 s is jitter."""
    calls = [a(0, 5), c(4, 8), a(7.5, 10), c(9.8, 12)]
    result = call_analytics(calls, 12)
    assert result.overtalk_count == 2
    assert result.overtalk_seconds == 1.5
    assert [(s.start, s.end) for s in result.timeline("overtalk")] == [(4.0, 5.0), (7.5, 8.0)]
    assert call_analytics(calls, 12, min_overtalk=0.1).overtalk_count == 3


def test_agent_interruption_customer_yields() -> None:
    """The agent cuts in at 5 s, the customer stops at 6 s and the agent goes on: one interruption."""
    result = call_analytics([c(0, 6), a(5, 9)], 9)
    assert result.agent_interruptions == 1
    assert result.customer_interruptions == 0
    (mark,) = result.timeline("agent_interruption")
    assert (mark.start, mark.end) == (5.0, 6.0)


@pytest.mark.parametrize(
    ("calls", "why"),
    [
        ([c(0, 10), a(5, 5.6)], "a backchannel the customer talks through"),
        ([c(0, 10), a(5, 12)], "the customer goes on for 5 s: overtalk, not yielding"),
        ([c(0, 7), a(5, 6.5)], "the agent stops before the customer"),
        ([c(0, 6), a(0, 9)], "both start at once"),
        ([c(0, 5.2), a(5, 9)], "an early start in the customer's last 0.2 s"),
        ([c(0, 5.4), a(5, 9)], "a 0.4 s terminal overlap: overtalk, not an interruption"),
        ([c(0, 4), a(5, 9)], "the customer had finished"),
    ],
)
def test_not_an_interruption(calls: list[Segment], why: str) -> None:
    """Overlaps that are not agent interruptions of the customer are not counted as such."""
    assert call_analytics(calls, 12).agent_interruptions == 0, why


def test_terminal_overlap_is_overtalk_and_its_limit_a_parameter() -> None:
    """A 0.4 s overlap at the end of the customer's turn is overtalk; with a 0.3 s limit it interrupts."""
    calls = [c(0, 5.4), a(5, 9)]
    assert call_analytics(calls, 9).overtalk_count == 1
    assert call_analytics(calls, 9, min_interruption=0.3).agent_interruptions == 1


def test_interruption_window_is_a_parameter() -> None:
    """A customer who yields after 3 s counts only with a window of at least 3 s."""
    calls = [c(0, 8), a(5, 10)]
    assert call_analytics(calls, 10).agent_interruptions == 0
    assert call_analytics(calls, 10, interruption_window=3).agent_interruptions == 1


def test_customer_interruption_is_the_mirror_image() -> None:
    """The customer cutting into the agent's turn counts as a customer interruption."""
    result = call_analytics([a(0, 6), c(5, 9), a(12, 20), c(15, 15.5)], 20)
    assert result.customer_interruptions == 1
    assert result.agent_interruptions == 0
    assert result.overtalk_count == 2


# --- speech rate --------------------------------------------------------------------------


def test_speech_rate_from_word_timings() -> None:
    """Six timed words in 3 s of talk are 120 words per minute."""
    words = [(0, 0.5), (0.5, 1), (1, 1.5), (1.5, 2), (2, 2.5), (2.5, 3)]
    result = call_analytics([seg("agent", 0, 3, "one two", words=words)], 3)
    assert result.words_per_minute["agent"] == 120.0


def test_speech_rate_from_text_without_timings() -> None:
    """Ten words of text over a 4 s segment are 150 words per minute."""
    result = call_analytics([c(0, 4, " ".join(["w"] * 10))], 4)
    assert result.words_per_minute["customer"] == 150.0


def test_speech_rate_needs_enough_talk() -> None:
    """Below min_rate_seconds of talk the rate is None, not a wild number."""
    result = call_analytics([a(0, 0.5, "one two three"), c(1, 5, "a b c d")], 5)
    assert result.words_per_minute == {"agent": None, "customer": 60.0}
    assert call_analytics([a(0, 0.5, "a b")], 1, min_rate_seconds=0).words_per_minute == {
        "agent": 240.0,
        "customer": None,
    }


# --- edge cases ---------------------------------------------------------------------------


def test_no_segments() -> None:
    """An empty transcript gives zeros and None, never NaN."""
    result = call_analytics([], 30)
    assert result.duration == 30.0
    assert (result.start, result.end, result.speech_seconds, result.dead_air_seconds) == (
        0,
        0,
        0,
        0,
    )
    assert result.talk_seconds == {} and result.words_per_minute == {}
    assert result.talk_ratio is None and result.dead_air_ratio is None
    assert result.overtalk_count is None and result.agent_interruptions is None
    assert result.longest_silence is None and result.holds == () and result.spans == ()
    assert call_analytics([], 30, edges=True).dead_air_seconds == 30.0


def test_unknown_speakers_leave_labelled_figures_none() -> None:
    """A mono call ("unknown" only) still has silence and pace, but no ratio or overtalk."""
    result = call_analytics([seg("unknown", 0, 4, "a b c d"), seg("unknown", 3, 6)], 10)
    assert result.talk_seconds == {"unknown": 6.0}
    assert result.talk_ratio is None
    assert result.overtalk_count is None and result.overtalk_seconds is None
    assert result.agent_interruptions is None and result.customer_interruptions is None
    assert result.words_per_minute == {"unknown": 60.0}
    assert result.speech_seconds == 6.0


def test_unknown_segments_in_a_labelled_call() -> None:
    """Unknown speech fills silence but stays out of the talk ratio and overtalk."""
    result = call_analytics([a(0, 3), seg("unknown", 2, 6), c(6, 7)], 7)
    assert result.talk_ratio == 0.75
    assert result.overtalk_count == 0
    assert result.dead_air_seconds == 0.0
    assert result.talk_seconds == {"agent": 3.0, "customer": 1.0, "unknown": 4.0}


def test_one_speaker_only() -> None:
    """A stereo call where only the agent speaks: ratio 1, no overtalk, customer at zero."""
    result = call_analytics([a(0, 5), a(8, 10)], 10)
    assert result.talk_ratio == 1.0
    assert result.talk_seconds == {"agent": 7.0, "customer": 0.0}
    assert result.overtalk_count == 0 and result.agent_interruptions == 0
    assert result.words_per_minute["customer"] is None
    assert result.dead_air_seconds == 3.0


def test_zero_length_and_reversed_segments_carry_no_time() -> None:
    """Zero-length and reversed segments add no talk time and split no silence."""
    result = call_analytics([a(0, 2), c(5, 5), c(6, 4), a(8, 10)], 10)
    assert result.talk_seconds == {"agent": 4.0, "customer": 0.0}
    assert result.longest_silence is not None and result.longest_silence.seconds == 6.0


def test_duration_shorter_than_the_speech_is_extended() -> None:
    """A probe that says 5 s for speech up to 8 s gives duration 8 s; no speech is cut."""
    result = call_analytics([a(0, 3), c(4, 8)], 5, edges=True)
    assert result.duration == 8.0
    assert result.end == 8.0
    assert result.talk_seconds["customer"] == 4.0


def test_non_finite_and_negative_times() -> None:
    """NaN and infinite times are dropped, negative starts clipped at 0, the output finite."""
    calls = [a(-2, 1), c(math.nan, 3), c(2, math.inf), c(2, 4)]
    result = call_analytics(calls, math.nan)
    assert result.talk_seconds == {"agent": 1.0, "customer": 2.0}
    assert (result.start, result.duration) == (0.0, 4.0)
    assert _all_finite(result.to_dict())


def test_times_are_rounded_to_the_millisecond() -> None:
    """Sub-millisecond times come out rounded to ms."""
    result = call_analytics([a(0.00049, 1.23456), c(2.0006, 3.9994)], 4)
    assert result.talk_seconds == {"agent": 1.235, "customer": 1.998}
    assert result.dead_air_seconds == 0.766


@pytest.mark.parametrize(
    "bad", [{"silence_threshold": -1}, {"hold_threshold": math.nan}, {"min_overtalk": math.inf}]
)
def test_invalid_thresholds_are_refused(bad: dict[str, float]) -> None:
    """Negative or non-finite thresholds raise ValueError."""
    with pytest.raises(ValueError):
        call_analytics([a(0, 1)], 1, **bad)


# --- timeline and JSON --------------------------------------------------------------------


def test_timeline_spans_sorted_and_tiled() -> None:
    """The timeline is sorted, and speech plus silence and hold spans tile the covered span."""
    result = call_analytics([a(0, 5), c(4, 8), a(30, 32), c(33, 34)], 40)
    starts = [s.start for s in result.spans]
    assert starts == sorted(starts)
    assert {s.kind for s in result.spans} == {
        "agent",
        "customer",
        "overtalk",
        "customer_interruption",
        "hold",
        "silence",
    }
    quiet = [(s.start, s.end) for s in result.timeline("silence", "hold")]
    assert quiet == [(8.0, 30.0), (32.0, 33.0)]


def test_to_dict_is_json_with_settings_and_optional_timeline() -> None:
    """to_dict() is plain JSON, records the thresholds, and can leave the timeline out."""
    result = call_analytics([a(0, 5), c(6, 8)], 8, silence_threshold=2.5)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["talk_ratio"] == pytest.approx(5 / 7, abs=1e-4)
    assert data["settings"]["silence_threshold"] == 2.5
    assert data["timeline"][0] == {"kind": "agent", "start": 0.0, "end": 5.0}
    assert data["longest_silence"] == {"kind": "silence", "start": 5.0, "end": 6.0}
    assert "timeline" not in result.to_dict(timeline=False)


# --- invariants on arbitrary calls --------------------------------------------------------


def _all_finite(value: Any) -> bool:
    """Every number in a nested JSON-like value is finite."""
    if isinstance(value, dict):
        return all(_all_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_all_finite(v) for v in value)
    return not isinstance(value, float) or math.isfinite(value)


def _ms(seconds: float) -> int:
    """Seconds to whole ms (exact for the ms-rounded outputs)."""
    return round(seconds * 1000)


times = st.one_of(
    st.floats(min_value=-5, max_value=120, allow_nan=False),
    st.sampled_from([math.nan, math.inf, 0.0]),
)


@st.composite
def segments(draw: st.DrawFn) -> Segment:
    """An arbitrary segment: any speaker, any times (even reversed or NaN), maybe word timings."""
    start, end = draw(times), draw(times)
    pairs = draw(st.lists(st.tuples(times, times), max_size=4))
    speaker = draw(st.sampled_from(["agent", "customer", "unknown"]))
    return seg(speaker, start, end, draw(st.sampled_from(["", "a", "a b c"])), words=pairs)


@settings(max_examples=300, deadline=None)
@given(
    calls=st.lists(segments(), max_size=12),
    duration=times,
    edges=st.booleans(),
    silence_threshold=st.floats(min_value=0, max_value=30),
    hold_threshold=st.floats(min_value=0, max_value=60),
)
def test_invariants_hold_on_arbitrary_calls(
    calls: list[Segment],
    duration: float,
    edges: bool,
    silence_threshold: float,
    hold_threshold: float,
) -> None:
    """Speech + dead air = covered span, talk adds up, ratios in [0, 1], counts >= 0, all finite."""
    r: CallAnalytics = call_analytics(
        calls,
        duration,
        edges=edges,
        silence_threshold=silence_threshold,
        hold_threshold=hold_threshold,
    )
    assert _all_finite(r.to_dict())
    assert 0 <= r.start <= r.end <= r.duration
    assert _ms(r.speech_seconds) + _ms(r.dead_air_seconds) == _ms(r.end) - _ms(r.start)
    talk_ms = sum(_ms(t) for t in r.talk_seconds.values())
    assert talk_ms >= _ms(r.speech_seconds)
    for who, seconds in r.talk_seconds.items():
        assert sum(_ms(s.end) - _ms(s.start) for s in r.timeline(who)) == _ms(seconds)
    quiet = r.timeline("silence", "hold")
    assert sum(_ms(s.end) - _ms(s.start) for s in quiet) == _ms(r.dead_air_seconds)
    assert all(s.start >= r.start and s.end <= r.end and s.end > s.start for s in r.spans)
    assert all(0 <= x <= 1 for x in (r.talk_ratio, r.dead_air_ratio) if x is not None)
    assert all(v is None or v >= 0 for v in r.words_per_minute.values())
    assert 0 <= r.long_silences <= len(quiet)
    assert r.longest_silence is None or all(s.seconds <= r.longest_silence.seconds for s in quiet)
    assert 0 <= r.long_silence_seconds <= r.dead_air_seconds
    assert 0 <= r.hold_seconds <= r.dead_air_seconds
    if r.overtalk_count is None:
        assert r.talk_ratio is None and r.agent_interruptions is None
    else:
        assert r.overtalk_seconds is not None
        assert 0 <= _ms(r.overtalk_seconds) <= talk_ms - _ms(r.speech_seconds)
        assert r.agent_interruptions is not None and r.customer_interruptions is not None
        assert 0 <= r.agent_interruptions + r.customer_interruptions <= r.overtalk_count
