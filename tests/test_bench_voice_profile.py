"""bench/voice_profile.py's pure parts: the agent's stretches for enrolment, the test part's
transcript with speakers removed (or cues removed), and the word-time accuracy."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.voice_profile import accuracy, main, stretches, transcript_of

WORDS = [
    {"speaker": "A", "word": "hello", "start": 0.0, "end": 0.5},
    {"speaker": "B", "word": "thank", "start": 1.0, "end": 1.3},
    {"speaker": "B", "word": "you", "start": 1.4, "end": 1.6},
    {"speaker": "B", "word": "for", "start": 2.5, "end": 2.7},
    {"speaker": "A", "word": "i", "start": 3.0, "end": 3.2},
]


def test_stretches_join_close_words_of_one_speaker():
    """Pauses under 0.5 s are bridged; a longer one starts a new stretch."""
    assert stretches(WORDS, "B") == [(1.0, 1.6), (2.5, 2.7)]
    assert stretches(WORDS, "A") == [(0.0, 0.5), (3.0, 3.2)]


def test_transcript_is_unlabelled_and_accuracy_counts_word_time():
    """Segments are runs of one speaker, shifted by the offset and labelled "unknown"; with the
    roles put back the accuracy is 1, swapped it is 0; without cues every word is "uh"."""
    transcript, truth = transcript_of(WORDS, 0.0, cues=True)
    assert [s.speaker for s in transcript.segments] == ["unknown"] * 3
    assert transcript.segments[1].text == "thank you for"
    roles = ["customer", "agent", "customer"]
    right = replace(transcript, segments=tuple(
        replace(s, speaker=r) for s, r in zip(transcript.segments, roles, strict=True)))  # fmt: skip
    wrong = replace(transcript, segments=tuple(
        replace(s, speaker="agent" if r == "customer" else "customer")
        for s, r in zip(transcript.segments, roles, strict=True)))  # fmt: skip
    assert accuracy(right, truth) == 1.0 and accuracy(wrong, truth) == 0.0
    plain, _ = transcript_of(WORDS, 1.0, cues=False)
    assert plain.segments[1].text == "uh uh uh" and plain.segments[0].start == -1.0


def test_bad_arguments_are_one_line_errors(tmp_path):
    """A missing data folder or a split out of range: argparse's error, exit code 2."""
    with pytest.raises(SystemExit) as exc:
        main(["--data", str(tmp_path)])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["--split", "0.95"])
    assert exc.value.code == 2
