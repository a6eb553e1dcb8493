"""Probing and decoding audio with PyAV: good files described, bad files refused with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from transcription import AudioError, AudioInfo, TranscriptionError, probe_audio
from transcription.audio import SAMPLE_RATE, decode_audio


def test_probe_mono_wav(audio_dir: Path) -> None:
    """A mono 16 kHz WAV is described by channels, rate, codec, format and duration."""
    info = probe_audio(audio_dir / "mono_sentence.wav")
    assert isinstance(info, AudioInfo)
    assert (info.channels, info.sample_rate, info.codec, info.format) == (
        1,
        16000,
        "pcm_s16le",
        "wav",
    )
    assert 3.0 < info.duration < 10.0


def test_probe_stereo_flac(audio_dir: Path) -> None:
    """The stereo fixture is a two-channel FLAC."""
    info = probe_audio(audio_dir / "stereo_call.flac")
    assert info.channels == 2 and info.codec == "flac"


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("double_charge_refund.ogg", "vorbis"),
        ("password_reset_unresolved.wav", "pcm_mulaw"),
        ("delivery_delay.mp3", "mp3"),
        ("plan_upgrade.flac", "flac"),
    ],
)
def test_demo_calls_are_stereo_15_to_30_s(calls_dir: Path, name: str, codec: str) -> None:
    """Each demo call is a stereo recording of 15-30 s in its own format, with a sidecar."""
    info = probe_audio(calls_dir / name)
    assert info.channels == 2
    assert info.codec.startswith(codec)
    assert 15.0 <= info.duration <= 31.0
    sidecar = json.loads((calls_dir / name).with_suffix(".json").read_text())
    assert sidecar["agent_channel"] == "right"
    assert sidecar["external_id"]
    assert {t["speaker"] for t in sidecar["script"]} == {"agent", "customer"}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.wav", "empty file"),
        ("not_audio.wav", "not an audio file"),
        ("truncated.flac", "truncated"),
        ("no_audio_stream.png", "no audio stream"),
        ("does_not_exist.wav", "file not found"),
        ("make_fixtures.sh", "not an audio file"),
    ],
)
def test_bad_input_reasons(audio_dir: Path, name: str, reason: str) -> None:
    """Every kind of unusable file raises AudioError whose one-line reason names the problem."""
    with pytest.raises(AudioError) as err:
        probe_audio(audio_dir / name)
    assert reason in err.value.reason
    assert "\n" not in err.value.reason
    assert isinstance(err.value, TranscriptionError)


def test_bad_input_reasons_from_decode(audio_dir: Path) -> None:
    """decode_audio refuses the same files for the same reasons as probe_audio."""
    for name, reason in [("not_audio.wav", "not an audio file"), ("truncated.flac", "truncated")]:
        with pytest.raises(AudioError, match=reason):
            decode_audio(audio_dir / name)


def test_directory_is_not_a_file(audio_dir: Path) -> None:
    """A folder path is refused as "not a file"."""
    with pytest.raises(AudioError, match="not a file"):
        probe_audio(audio_dir)


def test_truncated_wav(audio_dir: Path, tmp_path: Path) -> None:
    """A WAV cut short of the data size its header declares is reported as truncated."""
    data = (audio_dir / "mono_sentence.wav").read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioError, match="truncated"):
        probe_audio(cut)
    with pytest.raises(AudioError, match="truncated"):
        decode_audio(cut)


def test_extension_is_ignored(audio_dir: Path, tmp_path: Path) -> None:
    """Content decides: a FLAC named .txt is still read as FLAC."""
    renamed = tmp_path / "call.txt"
    renamed.write_bytes((audio_dir / "stereo_call.flac").read_bytes())
    assert probe_audio(renamed).codec == "flac"


def test_size_and_duration_limits(audio_dir: Path) -> None:
    """Files over max_bytes or max_seconds are refused with the limit in the reason."""
    path = audio_dir / "mono_sentence.wav"
    with pytest.raises(AudioError, match="file too large"):
        probe_audio(path, max_bytes=1000)
    with pytest.raises(AudioError, match="audio too long"):
        probe_audio(path, max_seconds=1.0)
    with pytest.raises(AudioError, match="audio too long"):
        decode_audio(path, max_seconds=1.0)
    assert probe_audio(path, max_bytes=10_000_000, max_seconds=60).channels == 1


def test_decode_stereo_to_two_16k_float_channels(audio_dir: Path) -> None:
    """Stereo decodes to two float32 arrays at 16 kHz, of the file's duration."""
    info, channels = decode_audio(audio_dir / "stereo_call.flac")
    assert len(channels) == 2
    for ch in channels:
        assert ch.dtype == np.float32 and ch.ndim == 1
        assert abs(len(ch) / SAMPLE_RATE - info.duration) < 0.05
        assert float(np.max(np.abs(ch))) <= 1.0


def test_decode_resamples_8k_mulaw(calls_dir: Path) -> None:
    """An 8 kHz mu-law call is resampled to 16 kHz."""
    info, channels = decode_audio(calls_dir / "password_reset_unresolved.wav")
    assert info.sample_rate == 8000
    assert abs(len(channels[0]) - info.duration * SAMPLE_RATE) < SAMPLE_RATE * 0.05


def test_decode_mono(audio_dir: Path) -> None:
    """Mono decodes to a single channel."""
    _, channels = decode_audio(audio_dir / "mono_sentence.wav")
    assert len(channels) == 1


def test_fixtures_are_small(audio_dir: Path, calls_dir: Path) -> None:
    """Shipped clips stay small: each fixture < 300 KB (total < 2 MB), each demo call < 400 KB."""
    sizes = [p.stat().st_size for p in audio_dir.iterdir() if p.is_file()]
    assert max(sizes) < 300 * 1024 and sum(sizes) < 2 * 1024 * 1024
    for ext in ("ogg", "wav", "mp3", "flac"):
        for p in calls_dir.glob(f"*.{ext}"):
            assert p.stat().st_size < 400 * 1024, p
