"""Reading a JSON export record by record, in bounded memory (stdlib json.JSONDecoder.raw_decode
over chunks; no new package).

Three shapes: a top-level array (`[{...}, {...}]`, each element a record), JSON lines (one value
a line), or values one after the other (a single object is a one-record file). A record that
does not parse is yielded as a `BadRecord` with its position; in JSON lines the reader goes on at
the next line, in an array it cannot find the next element and stops there (said in the reason).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

__all__ = ["BadRecord", "iter_records"]

CHUNK_CHARS = 1 << 16
MAX_RECORD_CHARS = 64 * 1024 * 1024  # one ticket with its comments; larger is refused
_WS = " \t\r\n"
TOKEN_TAIL = 16  # longer than any JSON token that is not a string (a \uXXXX escape, a number)


@dataclass(frozen=True)
class BadRecord:
    """A record that could not be read: its 1-based position and why."""

    position: int
    reason: str


class _Buffer:
    """A window over the stream: `text[pos:]` is what is not consumed yet."""

    def __init__(self, stream: IO[str], chunk: int) -> None:
        self.stream = stream
        self.chunk = chunk
        self.text = ""
        self.pos = 0
        self.eof = False
        self.consumed = 0  # characters before `text` (for progress)

    def more(self, want: int | None = None) -> bool:
        """Read another chunk (at least `want` characters when given); False at end of file."""
        if self.eof:
            return False
        self.consumed += self.pos
        self.text, self.pos = self.text[self.pos :], 0
        data = self.stream.read(max(self.chunk, want or 0))
        if not data:
            self.eof = True
            return False
        self.text += data
        return True

    def skip_ws(self) -> str:
        """The next non-blank character ("" at end of file), not consumed."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""


def _decode(buf: _Buffer, decoder: json.JSONDecoder) -> Any:
    """The value starting at buf.pos, reading more until it is complete; ValueError otherwise."""
    while True:
        try:
            value, end = decoder.raw_decode(buf.text, buf.pos)
        except json.JSONDecodeError as exc:
            # an error at the buffer's end may be a token cut by the chunk ("\u00" of "\u00e9")
            incomplete = exc.pos >= len(buf.text) - TOKEN_TAIL or exc.msg.startswith("Unterminated")
            if buf.eof or not incomplete or len(buf.text) - buf.pos > MAX_RECORD_CHARS:
                raise ValueError(exc.msg) from None
            # incomplete so far: read as much again as is buffered, so a large record costs
            # O(n log n) re-parsing, not O(n^2)
            buf.more(len(buf.text) - buf.pos)
            continue
        except RecursionError:
            raise ValueError("nested too deeply") from None
        if end == len(buf.text) and not buf.eof and not isinstance(value, dict | list):
            buf.more()  # a number cut by the chunk's end ("12" of "1234"): read on, decode again
            continue
        buf.pos = end
        return value


def iter_records(
    stream: IO[str], *, chunk: int = CHUNK_CHARS, progress: list[int] | None = None
) -> Iterator[Any | BadRecord]:
    """Each record of the export (a value, or a BadRecord), in order. `progress`, when given,
    is a one-item list updated with the characters consumed so far (for a progress bar)."""
    buf = _Buffer(stream, chunk)
    decoder = json.JSONDecoder()
    first = buf.skip_ws()
    if first == "[":
        buf.pos += 1
        yield from _array(buf, decoder, progress)
    elif first:
        yield from _sequence(buf, decoder, progress)


def _array(buf: _Buffer, decoder: json.JSONDecoder, progress: list[int] | None) -> Iterator[Any]:
    position = 0
    while True:
        char = buf.skip_ws()
        if char == "]":
            return
        if position and char == ",":
            buf.pos += 1
            buf.skip_ws()
        elif position or not char:
            yield BadRecord(
                position + 1, _stop("expected ',' or ']'" if char else "file ends early")
            )
            return
        position += 1
        try:
            yield _decode(buf, decoder)
        except ValueError as exc:
            yield BadRecord(position, _stop(f"invalid JSON ({exc})"))
            return
        if progress is not None:
            progress[0] = buf.consumed + buf.pos


def _stop(reason: str) -> str:
    return f"{reason}; the records after it in this array could not be read"


def _sequence(buf: _Buffer, decoder: json.JSONDecoder, progress: list[int] | None) -> Iterator[Any]:
    position = 0
    while buf.skip_ws():
        position += 1
        try:
            yield _decode(buf, decoder)
        except ValueError as exc:
            yield BadRecord(position, f"invalid JSON ({exc})")
            _next_line(buf)
        if progress is not None:
            progress[0] = buf.consumed + buf.pos


def _next_line(buf: _Buffer) -> None:
    """Skip past the next newline (JSON lines: the bad line is dropped, the next one is read)."""
    while True:
        newline = buf.text.find("\n", buf.pos)
        if newline >= 0:
            buf.pos = newline + 1
            return
        buf.pos = len(buf.text)
        if not buf.more():
            return
