"""``python -m transcription``: JSON on stdout, one clean error line and exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "transcription", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_json_output(audio_dir: Path) -> None:
    """--json prints the transcript JSON with agent/customer segments and exits 0."""
    proc = _run(str(audio_dir / "stereo_call.flac"), "--agent-channel", "right", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"language", "duration", "segments"} <= set(data)
    assert {s["speaker"] for s in data["segments"]} == {"agent", "customer"}
    for seg in data["segments"]:
        assert {"start", "end", "speaker", "text"} <= set(seg)
        assert seg["start"] < seg["end"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("not_audio.wav", "not an audio file"),
        ("empty.wav", "empty file"),
        ("truncated.flac", "truncated"),
        ("missing.wav", "file not found"),
        ("no_audio_stream.png", "no audio stream"),
    ],
)
def test_bad_input_exit_code_and_one_line(audio_dir: Path, name: str, reason: str) -> None:
    """Bad input exits 2 with exactly one "error: <reason>: <path>" line and no traceback."""
    path = str(audio_dir / name)
    proc = _run(path, "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and reason in lines[0] and lines[0].endswith(path)


def test_unknown_model_is_one_line(audio_dir: Path) -> None:
    """An unavailable model name is reported in one line, exit 2."""
    proc = _run(str(audio_dir / "mono_sentence.wav"), "--model", "large-v3")
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and "not available offline" in proc.stderr
