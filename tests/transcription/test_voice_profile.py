"""Agent voice profiles in the diarizer (issue 16): a clear match to the agent's profile names
the agent, an unclear one leaves the script cues to decide, and the note says which decided.

The model test uses the real CAM++ weights and the synthesised two-voice mono call of
tests/data/audio (espeak-ng en-gb+f3 agent, en-us+m3 customer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from transcription import Segment, Transcript, Word
from transcription.audio import decode_audio
from transcription.diarization import Diarization, Diarizer, Turn, assign_roles
from transcription.voice_profile import VoiceProfile, build_profile, cosine, match

AUDIO = Path(__file__).resolve().parents[2] / "tests" / "data" / "audio"


def _unit(*values: float) -> tuple[float, ...]:
    v = np.asarray(values, dtype=np.float64)
    return tuple(float(x) for x in v / np.linalg.norm(v))


def _segment(text: str, start: float, end: float) -> Segment:
    words = text.split()
    step = (end - start) / len(words)
    return Segment(start, end, "unknown", text, tuple(
        Word(start + i * step, start + (i + 1) * step - 0.01, w, 0.9) for i, w in enumerate(words)
    ))  # fmt: skip


# the script cues point the wrong way: speaker 0 (the agent's voice) states a need, clearly
# (two cues each way) or weakly (one customer cue, nothing else)
MISLEADING = (
    _segment("I would like a refund for my order", 0.0, 4.0),
    _segment("thank you for calling how can I help you", 4.5, 8.0),
)
WEAK = (_segment("so my order is late", 0.0, 4.0), _segment("okay right", 4.5, 8.0))
TURNS = (Turn(0.0, 4.2, 0, 0.9), Turn(4.4, 8.5, 1, 0.9))
CENTROIDS = {0: _unit(1, 0.1, 0), 1: _unit(0, 1, 0.2)}  # speaker 0 is the profile's voice


def test_cosine_and_match_need_a_clear_margin():
    """The closest centroid wins only with cosine at least 0.4 and 0.15 above the next."""
    assert cosine((1, 0), (0, 1)) == 0 and cosine((1, 0), (2, 0)) == pytest.approx(1)
    profile = VoiceProfile(_unit(1, 0, 0))
    clear = match({0: _unit(0.9, 0.1, 0), 1: _unit(0, 1, 0)}, profile)
    assert clear is not None and clear.speaker == 0 and clear.decisive
    assert clear.confidence > 0.99
    close = match({0: _unit(1, 0.9, 0), 1: _unit(0.9, 1, 0)}, profile)
    assert close is not None and not close.decisive


def test_a_clear_voice_match_names_the_agent_against_weak_cues():
    """Speaker 0 matches the profile: it is the agent although its one cue reads like a
    customer's, and the note says the voice profile decided."""
    d = Diarization(TURNS, 2, centroids=CENTROIDS)
    without = assign_roles(Transcript("en", 0.9, 9.0, WEAK), d)
    assert [s.speaker for s in without.segments] == ["customer", "agent"]
    out = assign_roles(Transcript("en", 0.9, 9.0, WEAK), d, VoiceProfile(_unit(1, 0, 0)))
    assert [s.speaker for s in out.segments] == ["agent", "customer"]
    assert out.diarization_note is not None
    assert "agent by voice profile (cosine 0.99 vs 0.00), against weak script cues" in (
        out.diarization_note
    )


def test_clear_script_cues_overrule_a_disagreeing_voice_match():
    """Two cues each way against the voice match: the cues decide (another person's profile
    matched a customer on a real call, bench/voice_profile.py) and the note says so."""
    d = Diarization(TURNS, 2, centroids=CENTROIDS)
    out = assign_roles(Transcript("en", 0.9, 9.0, MISLEADING), d, VoiceProfile(_unit(1, 0, 0)))
    assert [s.speaker for s in out.segments] == ["customer", "agent"]
    assert "roles by script cues, which overruled the voice profile" in (out.diarization_note or "")


def test_an_unclear_match_leaves_the_script_cues_to_decide():
    """Both centroids about as close to the profile: the cues decide and the note says so."""
    d = Diarization(TURNS, 2, centroids={0: _unit(1, 0.9, 0), 1: _unit(0.9, 1, 0)})
    out = assign_roles(Transcript("en", 0.9, 9.0, MISLEADING), d, VoiceProfile(_unit(1, 1, 0)))
    assert [s.speaker for s in out.segments] == ["customer", "agent"]
    assert "roles by script cues (voice profile unclear" in (out.diarization_note or "")


def test_a_profile_from_the_agents_turns_names_them_on_the_real_call():
    """A profile built from the agent's first two turns of the synthesised call (real CAM++)
    is closest to the speaker of the agent's turns on the call from the customer's first turn
    on, where with no script cue the first-speaker rule gets the roles wrong."""
    _, (audio,) = decode_audio(AUDIO / "mono_call.ogg")
    ref = [line.split("\t", 3) for line in (AUDIO / "mono_call.txt").read_text().splitlines()]
    agent_spans = [(float(s), float(e)) for who, s, e, _ in ref if who == "agent"]
    profile = build_profile([(audio, agent_spans[:2])], min_seconds=5.0)
    assert profile is not None and profile.dims == 192 and profile.seconds > 5
    cut = 6.5  # the call from the customer's first turn on: the first voice is the customer's
    d = Diarizer().diarize(audio[int(cut * 16000) :])
    assert set(d.centroids) == {t.speaker for t in d.turns} and d.speakers == 2
    cropped = [(who, float(s) - cut, float(e) - cut) for who, s, e, _ in ref if float(s) > cut]
    # no script cue at all: without the profile the first speaker (the customer) is the agent
    segs = tuple(_segment("uh " * 6, s, e) for _, s, e in cropped)
    plain = assign_roles(Transcript("en", 0.9, 40.0, segs), d)
    assert plain.segments[0].speaker == "agent"
    # the profile's closest speaker is the one heard on the agent's turns
    found = match(d.centroids, profile)
    heard: dict[int, float] = {}
    for t in d.turns:
        for who, s, e in cropped:
            if who == "agent":
                heard[t.speaker] = heard.get(t.speaker, 0.0) + max(
                    0.0, min(e, t.end) - max(s, t.start)
                )
    assert found is not None and found.speaker == max(heard, key=lambda k: heard[k])
    # two synthetic voices are close: a gap of about 0.15, at the default margin's edge
    assert found.cosine - found.runner_up > 0.1
