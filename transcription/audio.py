"""Audio probing and decoding with PyAV (FFmpeg), judged by content, not by file extension."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from .base import AudioError

SAMPLE_RATE = 16_000

# Decoded audio shorter than the container's declared duration by more than this
# (seconds, or share of the duration) counts as a truncated file.
_TRUNCATION_SLACK_S = 0.5
_TRUNCATION_SLACK_SHARE = 0.02


@dataclass(frozen=True)
class AudioInfo:
    """What the container says about its first audio stream."""

    channels: int
    sample_rate: int
    duration: float
    codec: str
    format: str


def _fmt_mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _check_file(path: Path, max_bytes: int | None) -> None:
    if not path.exists():
        raise AudioError("file not found")
    if not path.is_file():
        raise AudioError("not a file")
    size = path.stat().st_size
    if size == 0:
        raise AudioError("empty file")
    if max_bytes is not None and size > max_bytes:
        raise AudioError(f"file too large: {_fmt_mb(size)} over the {_fmt_mb(max_bytes)} limit")


def _open(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path), mode="r", metadata_errors="ignore")
    except av.error.InvalidDataError:
        raise AudioError("not an audio file") from None
    except av.error.EOFError:
        raise AudioError("truncated or empty audio file") from None
    except av.FFmpegError as exc:
        raise AudioError(f"unreadable audio file ({exc.strerror or exc})") from None
    except OSError as exc:
        raise AudioError(f"cannot read file ({exc.strerror or exc})") from None


def _info(container: av.container.InputContainer) -> tuple[AudioInfo, av.audio.AudioStream]:
    if not container.streams.audio:
        raise AudioError("no audio stream (not an audio file)")
    stream = container.streams.audio[0]
    ctx = stream.codec_context
    codec_name = ctx.name if ctx is not None else ""
    try:
        av.codec.Codec(codec_name, "r")
    except Exception:
        raise AudioError(f"unsupported audio codec: {codec_name or 'unknown'}") from None
    duration = 0.0
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / av.time_base
    channels = ctx.channels if ctx.channels else 0
    if not channels or not ctx.sample_rate:
        raise AudioError("unsupported audio stream: no channels or sample rate")
    fmt = container.format.name.split(",")[0] if container.format else ""
    return (
        AudioInfo(
            channels=int(channels),
            sample_rate=int(ctx.sample_rate),
            duration=max(duration, 0.0),
            codec=codec_name,
            format=fmt,
        ),
        stream,
    )


def _check_wav_complete(path: Path, info: AudioInfo) -> None:
    """FFmpeg trims a WAV's duration to the bytes present, so compare with the RIFF header."""
    if info.format != "wav":
        return
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return
    pos = 12
    while pos + 8 <= len(head):
        chunk_id = head[pos : pos + 4]
        size = struct.unpack("<I", head[pos + 4 : pos + 8])[0]
        if chunk_id == b"data":
            # 0 and 0xFFFFFFFF mean "unknown length" (streamed recordings).
            present = path.stat().st_size - (pos + 8)
            if 0 < size < 0xFFFFFFFF and present < size:
                raise AudioError(
                    f"truncated audio file: {present} of {size} declared data bytes present"
                )
            return
        pos += 8 + size + (size & 1)


def _check_duration(info: AudioInfo, max_seconds: float | None) -> None:
    if max_seconds is not None and info.duration > max_seconds:
        raise AudioError(
            f"audio too long: {info.duration:.0f} s over the {max_seconds:.0f} s limit"
        )


def _check_complete(declared: float, decoded: float) -> None:
    if decoded <= 0:
        raise AudioError("no audio samples could be decoded (empty or truncated file)")
    if declared > 0 and declared - decoded > max(
        _TRUNCATION_SLACK_S, _TRUNCATION_SLACK_SHARE * declared
    ):
        raise AudioError(
            f"truncated audio file: decoded {decoded:.1f} s of a declared {declared:.1f} s"
        )


def _frames(container: av.container.InputContainer, stream: av.audio.AudioStream):  # type: ignore[no-untyped-def]
    """Decoded frames; a decoding error mid-stream means the file is damaged."""
    try:
        for packet in container.demux(stream):
            yield from packet.decode()
    except (av.error.InvalidDataError, av.error.EOFError):
        raise AudioError("truncated or corrupt audio file") from None
    except av.FFmpegError as exc:
        raise AudioError(f"audio decoding failed ({exc.strerror or exc})") from None


def probe_audio(
    path: str | Path,
    *,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
    verify: bool = True,
) -> AudioInfo:
    """Describe an audio file, raising AudioError with a clear reason when it is unusable.

    With ``verify`` (the default) the whole stream is decoded once, which catches truncated
    and corrupt files at a cost of well under 1 % of transcription time.
    """
    p = Path(path)
    _check_file(p, max_bytes)
    with _open(p) as container:
        info, stream = _info(container)
        _check_duration(info, max_seconds)
        _check_wav_complete(p, info)
        if not verify:
            return info
        samples = 0
        rate = info.sample_rate
        for frame in _frames(container, stream):
            samples += frame.samples
            rate = frame.sample_rate or rate
    decoded = samples / rate if rate else 0.0
    _check_complete(info.duration, decoded)
    _check_duration(_with_duration(info, decoded), max_seconds)
    if info.duration <= 0:
        info = _with_duration(info, decoded)
    return info


def _with_duration(info: AudioInfo, duration: float) -> AudioInfo:
    return AudioInfo(info.channels, info.sample_rate, duration, info.codec, info.format)


def decode_audio(
    path: str | Path,
    *,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> tuple[AudioInfo, list[npt.NDArray[np.float32]]]:
    """Decode to float32 arrays at ``sample_rate``: two (left, right) for stereo, else one.

    Files with more than two channels are mixed down to one. The returned AudioInfo's
    duration is the decoded one.
    """
    p = Path(path)
    _check_file(p, max_bytes)
    with _open(p) as container:
        info, stream = _info(container)
        _check_duration(info, max_seconds)
        _check_wav_complete(p, info)
        layout = "stereo" if info.channels == 2 else "mono"
        resampler = av.audio.resampler.AudioResampler(
            format="fltp", layout=layout, rate=sample_rate
        )
        n_out = 2 if layout == "stereo" else 1
        budget = None if max_seconds is None else int(max_seconds * sample_rate) + sample_rate
        expected = int(max(info.duration, 0.0) * sample_rate) + sample_rate
        buffer = _Samples(n_out, expected if budget is None else min(expected, budget))
        for frame in _frames(container, stream):
            # Timestamps are dropped: some containers (truncated mp3, ogg) carry odd pts
            # that make the resampler complain, and they are not needed here.
            frame.pts = None
            for out in resampler.resample(frame):
                buffer.append(out.to_ndarray())
            if budget is not None and buffer.length > budget:
                raise AudioError(f"audio too long: over the {max_seconds:.0f} s limit")
        for out in resampler.resample(None):
            buffer.append(out.to_ndarray())
    decoded = buffer.length / sample_rate
    _check_complete(info.duration, decoded)
    return _with_duration(info, decoded), buffer.channels()


class _Samples:
    """Decoded samples written into one array sized from the header's duration (grown by
    half when a header under-states it), so a long call is held once, not once in pieces and
    again joined: 230 MB per channel-hour at 16 kHz float32, the only part of transcription
    memory that grows with the recording."""

    def __init__(self, channels: int, capacity: int) -> None:
        self.data = np.zeros((channels, max(capacity, 1)), dtype=np.float32)
        self.length = 0

    def append(self, chunk: npt.NDArray[Any]) -> None:
        n = chunk.shape[1]
        if self.length + n > self.data.shape[1]:
            grown = np.zeros(
                (self.data.shape[0], max(self.length + n, self.data.shape[1] * 3 // 2)),
                dtype=np.float32,
            )
            grown[:, : self.length] = self.data[:, : self.length]
            self.data = grown
        self.data[:, self.length : self.length + n] = chunk
        self.length += n

    def channels(self) -> list[npt.NDArray[np.float32]]:
        """One contiguous array per channel (views of rows of the buffer, no copy)."""
        return [self.data[i, : self.length] for i in range(self.data.shape[0])]


def is_silent(channel: npt.NDArray[np.float32], threshold: float = 1e-3) -> bool:
    """True when a channel's peak amplitude is below ``threshold`` (about -60 dBFS)."""
    return channel.size == 0 or float(np.max(np.abs(channel))) < threshold
