"""bench/diarization.py's scoring: the NIST diarization error rate and the role accuracy."""

from __future__ import annotations

import pytest

from bench.diarization import der, role_accuracy
from transcription import Segment, Transcript, Word


def test_der_is_zero_for_a_relabelled_perfect_hypothesis():
    """Speaker names do not matter: the optimal mapping makes a renamed copy error-free."""
    ref = [(0.0, 2.0, "a"), (2.0, 5.0, "b"), (5.0, 6.0, "a")]
    hyp = [(s, e, {"a": "x", "b": "y"}[k]) for s, e, k in ref]
    assert der(ref, hyp, 0.0)["der"] == 0.0


def test_der_counts_missed_false_alarm_and_confusion():
    """1 s of 10 missed, 1 s false alarm and 2 s given to the wrong speaker: DER 0.4."""
    ref = [(0.0, 5.0, "a"), (5.0, 10.0, "b")]
    hyp = [(0.0, 5.0, "x"), (5.0, 7.0, "x"), (7.0, 9.0, "y"), (10.0, 11.0, "y")]
    out = der(ref, hyp, 0.0)
    assert out["missed"] == pytest.approx(0.1)
    assert out["false_alarm"] == pytest.approx(0.1)
    assert out["confusion"] == pytest.approx(0.2)
    assert out["der"] == pytest.approx(0.4)


def test_collar_forgives_boundary_jitter():
    """A hypothesis 0.2 s late at every boundary scores 0 with the 0.25 s collar, not without."""
    ref = [(1.0, 3.0, "a"), (3.0, 5.0, "b")]
    hyp = [(1.2, 3.2, "x"), (3.2, 5.2, "y")]
    assert der(ref, hyp, 0.25)["der"] == 0.0
    assert der(ref, hyp, 0.0)["der"] > 0.1


def test_overlap_counts_once_per_speaker():
    """Two reference speakers at once with one hypothesis speaker: half the overlap is missed."""
    ref = [(0.0, 2.0, "a"), (0.0, 2.0, "b")]
    assert der(ref, [(0.0, 2.0, "x")], 0.0)["missed"] == pytest.approx(0.5)


def test_role_accuracy_weights_words_by_time():
    """A 1 s word labelled right and a 0.5 s word labelled wrong: 2/3 correct; unlabelled and
    words outside reference speech are counted apart."""
    segs = (
        Segment(0.0, 1.0, "agent", "hello", (Word(0.0, 1.0, "hello", 1.0),)),
        Segment(1.0, 1.5, "agent", "yes", (Word(1.0, 1.5, "yes", 1.0),)),
        Segment(9.0, 9.5, "agent", "far", (Word(9.0, 9.5, "far", 1.0),)),
    )
    ref = [(0.0, 1.0, "agent"), (1.0, 2.0, "customer")]
    out = role_accuracy(Transcript("en", 1.0, 10.0, segs), ref)
    assert out["accuracy"] == pytest.approx(2 / 3)
    assert out["word_seconds"] == pytest.approx(1.5)
