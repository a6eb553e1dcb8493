"""bench/long_call.py builds its hour-long call by looping a real one, whole copies only."""

from __future__ import annotations

import wave
from pathlib import Path

from bench.long_call import loop_wav


def test_loop_wav_repeats_whole_copies(tmp_path: Path) -> None:
    """A 0.5 s stereo 8 kHz clip looped to 1.2 s gives 2 whole copies, same format, 1.0 s."""
    src, dst = tmp_path / "one.wav", tmp_path / "long.wav"
    frames = bytes(range(256)) * 62 + bytes(range(128))  # 16,000 bytes: 4,000 stereo frames
    with wave.open(str(src), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(frames)
    copies, seconds = loop_wav(src, dst, 1.2)
    assert (copies, seconds) == (2, 1.0)
    with wave.open(str(dst)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getnframes()) == (2, 8000, 8000)
        assert w.readframes(8000) == frames * 2
    assert loop_wav(src, dst, 0.1)[0] == 1  # never less than one copy
