"""bench/mono_autoqa.py's pure helpers (sample, rendering plan, stereo layout, metrics), and the
pronoun tie-break of the diarization's agent/customer choice that the bench led to."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

from bench.mono_autoqa import (
    auc,
    bootstrap_auc,
    conversation_labels,
    dialogue_turns,
    lay_out,
    mean_abs_diff,
    mix_down,
    render_plan,
    sample_conversations,
    trim_silence,
)
from transcription import Segment, Transcript, Word
from transcription.diarization import Diarization, Turn, assign_roles, person_lean


def _row(i: int, resolved: int, empathic: int, n_turns: int) -> dict:
    turns = [{"speaker": "customer" if t % 2 == 0 else "agent", "text": f"turn {t}"}
             for t in range(n_turns)]
    n_agent = sum(t["speaker"] == "agent" for t in turns)
    return {"id": f"c{i:03d}", "turns": turns, "resolved": resolved,
            "agent_empathy": [empathic] + [0] * (n_agent - 1)}


def test_sample_is_balanced_reproducible_and_respects_the_turn_range() -> None:
    """n // 4 conversations of each (resolved, empathic) cell, only 6-10 turns, same every run."""
    rows = [_row(i, i % 2, (i // 2) % 2, 4 + i % 9) for i in range(400)]
    sample = sample_conversations(rows, 40, seed=0)
    cells = [conversation_labels(r) for r in sample]
    assert {c: cells.count(c) for c in set(cells)} == {c: 10 for c in
                                                      [(0, 0), (0, 1), (1, 0), (1, 1)]}
    assert all(6 <= len(r["turns"]) <= 10 for r in sample)
    assert [r["id"] for r in sample] == [r["id"] for r in sample_conversations(rows, 40, seed=0)]
    assert [r["id"] for r in sample] != [r["id"] for r in sample_conversations(rows, 40, seed=1)]


def test_render_plan_lays_turns_one_after_another_with_pauses() -> None:
    """Turns follow each other with the pause between them and lead-in silence at both ends."""
    plan, total = render_plan(["customer", "agent", "agent"], [1.0, 2.0, 0.5],
                              pause=0.4, lead=0.3)
    assert [(p.speaker, p.start, p.end) for p in plan] == [
        ("customer", 0.3, 1.3), ("agent", 1.7, 3.7), ("agent", 4.1, 4.6)]
    assert total == pytest.approx(4.9)


def test_stereo_layout_puts_the_customer_left_the_agent_right_and_the_mix_sums_them() -> None:
    """Customer speech only on the left channel, agent only on the right, at the planned times;
    the mono mix is their sum; espeak-ng's quiet padding is trimmed first."""
    rate = 100
    padded = np.array([0, 5, 1000, -2000, 3000, 10, 0], dtype=np.int16)
    speech = trim_silence(padded)
    assert speech.tolist() == [1000, -2000, 3000]
    plan, total = render_plan(["customer", "agent"], [0.03, 0.03], pause=0.1, lead=0.1)
    left, right = lay_out(plan, [speech, speech], total, rate)
    assert left[10:13].tolist() == [1000, -2000, 3000] and not right[10:13].any()
    assert right[23:26].tolist() == [1000, -2000, 3000] and not left[23:26].any()
    assert np.array_equal(mix_down(left, right), left + right)
    loud = np.full(3, 30000, np.int16)
    assert mix_down(loud, loud).tolist() == [32767] * 3  # clipped, not wrapped


def test_dialogue_turns_join_consecutive_segments_as_the_app_does() -> None:
    """Consecutive segments of one speaker are one turn; unknown counts as agent; empty dropped."""
    segs = [SimpleNamespace(speaker=s, text=t) for s, t in [
        ("agent", "hello"), ("unknown", "how can I help"), ("customer", " "),
        ("customer", "my order"), ("agent", "sure")]]
    assert dialogue_turns(segs) == [("agent", "hello how can I help"),
                                    ("customer", "my order"), ("agent", "sure")]


def test_auc_matches_sklearn_and_the_paired_interval_brackets_the_difference() -> None:
    """The rank AUC equals scikit-learn's (ties included); every interval holds its point value
    and the interval of a score against itself is exactly zero."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 120)
    good = y + rng.normal(scale=0.8, size=120)
    noisy = y + rng.normal(scale=2.0, size=120)
    assert auc(y, np.round(good)) == pytest.approx(roc_auc_score(y, np.round(good)))
    out = bootstrap_auc(y, {"a": good, "b": noisy, "c": good}, rounds=300)
    for k in ("a", "b"):
        assert out[k]["ci95"][0] <= out[k]["auc"] <= out[k]["ci95"][1]
    d = out["a-b"]
    assert d["difference"] > 0 and d["ci95"][0] <= d["difference"] <= d["ci95"][1]
    assert out["a-c"] == {"difference": 0.0, "ci95": [0.0, 0.0]}
    assert mean_abs_diff([1, 2, 3], [2, 2, 1]) == pytest.approx(1.0)


def _seg(text: str, start: float) -> Segment:
    words = tuple(Word(start + i * 0.4, start + i * 0.4 + 0.35, w, 0.9)
                  for i, w in enumerate(text.split()))
    return Segment(words[0].start, words[-1].end, "unknown", text, words)


def test_without_script_cues_the_speaker_saying_i_and_my_is_the_customer() -> None:
    """No script cue on either side and the customer speaking first (as in written
    conversations): the speaker of "I"/"my" is the customer, the speaker of "you"/"your" the
    agent, and the note says how the roles were chosen."""
    customer = "hi so my parcel still has not come and I am getting worried"
    agent = "sorry to hear that your parcel will be with you tomorrow"
    segs = (_seg(customer, 0.0), _seg(agent, 6.0), _seg("great thanks I will wait", 12.0))
    turns = (Turn(0.0, 5.9, 0, 0.9), Turn(6.0, 11.9, 1, 0.9), Turn(12.0, 15.0, 0, 0.9))
    out = assign_roles(Transcript("en", 0.99, 16.0, segs), Diarization(turns, 2))
    assert [s.speaker for s in out.segments] == ["customer", "agent", "customer"]
    assert "I/my" in (out.diarization_note or "")
    assert person_lean(customer)[0] > 0 > person_lean(agent)[0]
    assert person_lean("Je voudrais savoir où est mon colis, j'attends")[0] == 3
