"""Long calls: transcribed a window at a time (bounded memory), with progress reported."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from transcription import Transcript, WhisperTranscriber
from transcription.audio import SAMPLE_RATE, decode_audio
from transcription.whisper import _windows

ROOT = Path(__file__).resolve().parents[2]


def _write_wav(path: Path, audio: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture(scope="module")
def long_recording(audio_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sentence eight times, one every 18 s: a 144 s mono recording."""
    _, (sentence,) = decode_audio(audio_dir / "mono_sentence.wav")
    slot = np.zeros(18 * SAMPLE_RATE, dtype=np.float32)
    slot[SAMPLE_RATE : SAMPLE_RATE + len(sentence)] = sentence
    return _write_wav(tmp_path_factory.mktemp("long") / "long.wav", np.tile(slot, 8))


def test_windows_cover_the_audio_and_cut_in_the_quiet() -> None:
    """Windows tile the channel exactly, none is longer than asked, and each cut falls in the
    quiet stretch placed in the last tenth of each window, not in the "speech" around it."""
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal(250 * SAMPLE_RATE) * 0.1).astype(np.float32)
    quiet = [(57.0, 57.6), (113.0, 113.5), (170.5, 171.0), (228.0, 228.4)]
    for a, b in quiet:
        audio[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)] = 0.0
    windows = list(_windows(audio, 60))
    assert sum(len(w) for _, w in windows) == len(audio)
    ends = [offset + len(w) / SAMPLE_RATE for offset, w in windows]
    assert all(len(w) <= 60 * SAMPLE_RATE for _, w in windows)
    assert [offset for offset, _ in windows[1:]] == pytest.approx(ends[:-1])
    for cut, (a, b) in zip(ends[:-1], quiet, strict=False):
        assert a <= cut <= b
    assert len(windows) == 5


def test_short_audio_is_one_window() -> None:
    """A recording shorter than the window is passed to Whisper whole, as before."""
    audio = np.zeros(30 * SAMPLE_RATE, dtype=np.float32)
    assert [(o, len(w)) for o, w in _windows(audio, 600)] == [(0.0, len(audio))]


def test_window_must_be_at_least_a_minute() -> None:
    """A window too short to hold a turn is refused when the transcriber is made."""
    with pytest.raises(ValueError, match="at least 60"):
        WhisperTranscriber(window_seconds=10)


@pytest.mark.slow
def test_windowed_transcript_matches_whole(long_recording: Path, tiny: WhisperTranscriber) -> None:
    """In 60 s windows the 144 s recording reads as it does whole: the sentence eight times,
    each at its own time (offsets added back), and progress climbs to 1.0."""
    windowed = WhisperTranscriber("tiny.en", cpu_threads=2, window_seconds=60, redact=False)
    shares: list[float] = []
    result = windowed.transcribe(long_recording, progress=shares.append)
    whole = tiny.transcribe(long_recording)

    def slots(transcript: Transcript) -> list[int]:
        """The 18 s slots in which a segment says "customer support"."""
        return sorted({int(s.start // 18) for s in transcript.segments if "support" in s.text})

    assert slots(result) == list(range(8)) == slots(whole)
    words = [w.start for s in result.segments for w in s.words]
    assert words == sorted(words) and words[-1] < 144
    assert shares == sorted(shares) and shares[-1] == 1.0
    assert len(set(shares)) > 3  # it moves during decoding, not only at the end


@pytest.mark.slow
def test_cli_progress_bar(long_recording: Path) -> None:
    """`--progress` draws a bar on stderr up to 100% and leaves stdout's JSON intact."""
    proc = subprocess.run(
        [sys.executable, "-m", "transcription", str(long_recording), "--json", "--progress"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "transcribing 100% [" in proc.stderr
    assert json.loads(proc.stdout)["segments"]
