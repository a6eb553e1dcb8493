"""bench/call_analytics.py on a two-call folder made in the test: segments, table and JSON."""

from __future__ import annotations

import json
import wave
from pathlib import Path

from bench import call_analytics as bench


def _call(folder: Path, name: str, words: list[dict[str, object]], seconds: float) -> None:
    """Write one call: a silent 8 kHz stereo WAV header of that length and its reference words."""
    (folder / "audio").mkdir(exist_ok=True)
    (folder / "text").mkdir(exist_ok=True)
    with wave.open(str(folder / "audio" / f"{name}.wav"), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\0\0\0\0" * int(seconds * 8000))
    (folder / "text" / f"{name}.json").write_text(json.dumps(words))


def w(speaker: str, word: str, start: float, end: float) -> dict[str, object]:
    """One reference word."""
    return {"speaker": speaker, "word": word, "start": start, "end": end}


def test_reference_segments_split_at_speaker_changes_and_long_pauses() -> None:
    """Words become one segment per speaker stretch: A is the customer, B the agent."""
    words = [
        w("B", "hi", 0, 0.5),
        w("B", "there", 0.5, 1),
        w("A", "hello", 1.2, 2),
        w("B", "so", 3.5, 4),
    ]
    words.append(w("B", "later", 5.5, 6))  # 1.5 s after "so": a new segment
    segments = bench.reference_segments(words)
    assert [(s.speaker, s.text) for s in segments] == [
        ("agent", "hi there"),
        ("customer", "hello"),
        ("agent", "so"),
        ("agent", "later"),
    ]
    assert len(segments[0].words) == 2


def test_main_prints_a_table_and_writes_json(tmp_path: Path, capsys) -> None:
    """main() analyses every call with audio and reference, and writes its figures as JSON."""
    data = tmp_path / "calls"
    data.mkdir()
    _call(data, "C1", [w("B", "hi", 0, 2), w("A", "hello", 6, 8)], 10)
    _call(data, "C2", [w("A", "yes", 1, 3), w("B", "no", 2, 4)], 5)
    (data / "text" / "C3.json").write_text("[]")  # no audio: skipped
    out = tmp_path / "results.json"
    assert bench.main([str(data), "--out", str(out)]) == 0
    table = capsys.readouterr().out
    assert "C1" in table and "C2" in table and "C3" not in table
    calls = json.loads(out.read_text())["calls"]
    assert calls["C1"]["talk_ratio"] == 0.5
    assert calls["C1"]["longest_silence"] == {"kind": "silence", "start": 2.0, "end": 6.0}
    assert calls["C1"]["duration"] == 10.0
    assert calls["C2"]["overtalk_seconds"] == 1.0
    assert calls["C2"]["agent_interruptions"] == 1


def test_main_says_when_the_folder_is_absent(tmp_path: Path, capsys) -> None:
    """A missing data folder is one clear line and exit status 1, no traceback."""
    assert bench.main([str(tmp_path / "nowhere")]) == 1
    assert "no SpokenWOZ calls" in capsys.readouterr().err
