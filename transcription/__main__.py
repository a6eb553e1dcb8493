"""Command line: ``python -m transcription AUDIO [--agent-channel left|right] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from .base import LANGUAGE_DEFAULTS, Transcript, TranscriptionError
from .language import LanguageCodeError, normalise_code

_EN, _FR = LANGUAGE_DEFAULTS["en"], LANGUAGE_DEFAULTS["fr"]


def _clock(seconds: float) -> str:
    minutes, sec = divmod(seconds, 60)
    return f"{int(minutes):02d}:{sec:05.2f}"


def _human(transcript: Transcript) -> str:
    lines = [
        f"# model {transcript.model}, language {transcript.language or 'not detected'}, "
        f"{transcript.duration:.1f} s"
    ]
    for s in transcript.segments:
        lines.append(f"[{_clock(s.start)}-{_clock(s.end)}] {s.speaker}: {s.text}")
    return "\n".join(lines)


class ProgressBar:
    """A one-line progress bar on stderr ("transcribing  42% [########-----------]"), redrawn
    only when the whole percentage changes, finished with a newline."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream, self.width, self.shown = stream, width, -1

    def __call__(self, share: float) -> None:
        percent = int(min(max(share, 0.0), 1.0) * 100)
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.width * percent // 100
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\rtranscribing {percent:3d}% [{bar}]")
        self.stream.flush()

    def close(self) -> None:
        if self.shown >= 0:
            self.stream.write("\n")
            self.stream.flush()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m transcription",
        description="Transcribe a call recording with Whisper (stereo: one speaker per channel).",
    )
    parser.add_argument("audio", metavar="AUDIO", help="wav, mp3, m4a, ogg, flac ... file")
    parser.add_argument(
        "--agent-channel",
        choices=("left", "right"),
        default="right",
        help="stereo channel holding the agent (default: right)",
    )
    parser.add_argument(
        "--language",
        default=None,
        help="language the call is expected in (ISO 639-1: en, fr...); picks the settings "
        f"measured for it: en {_EN.model} beam {_EN.beam_size}, fr {_FR.model} beam "
        f"{_FR.beam_size} (default: en)",
    )
    parser.add_argument(
        "--model",
        default=None,
        help="tiny.en, base, or a model folder (default: the language's, as the app)",
    )
    parser.add_argument(
        "--beam-size",
        type=int,
        default=None,
        help="beam width, 1 = greedy (default: the language's, as the app)",
    )
    parser.add_argument(
        "--vad",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="skip non-speech with faster-whisper's voice-activity filter (default: the "
        "language's, as the app)",
    )
    parser.add_argument(
        "--prompt",
        default=None,
        help="the team's vocabulary (product and agent names) given to Whisper as context",
    )
    parser.add_argument("--threads", type=int, default=0, help="CPU threads, 0 = automatic")
    parser.add_argument(
        "--compute-type",
        default=None,
        help="CTranslate2 compute type: float32, int8... (default: the language's)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    parser.add_argument("--no-redact", action="store_true", help="keep PII in the text")
    parser.add_argument("--words", action="store_true", help="include word timings in JSON")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser


def settings_from_args(args: argparse.Namespace) -> dict[str, object]:
    """The constructor arguments the command line sets; the rest come from the language's
    defaults (``WhisperTranscriber.for_language``)."""
    given = {
        "model": args.model,
        "beam_size": args.beam_size,
        "compute_type": args.compute_type,
        "vad_filter": args.vad,
        "initial_prompt": args.prompt,
    }
    settings: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    settings["cpu_threads"] = args.threads
    return settings


def _close(bar: ProgressBar | None) -> None:
    if bar is not None:
        bar.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        language = normalise_code(args.language)
    except LanguageCodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.beam_size is not None and args.beam_size < 1:
        print("error: --beam-size must be at least 1", file=sys.stderr)
        return 2
    # Imported here so that --help works even when faster-whisper is broken.
    from .whisper import WhisperTranscriber

    show = sys.stderr.isatty() if args.progress is None else args.progress
    bar = ProgressBar(sys.stderr) if show else None

    try:
        transcriber = WhisperTranscriber.for_language(
            language, **settings_from_args(args), redact=not args.no_redact
        )
        transcript = transcriber.transcribe(
            args.audio, agent_channel=args.agent_channel, progress=bar
        )
    except TranscriptionError as exc:
        _close(bar)
        print(f"error: {exc.reason}: {args.audio}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _close(bar)
        print("error: interrupted", file=sys.stderr)
        return 130
    _close(bar)
    if args.json:
        print(json.dumps(transcript.to_dict(words=args.words), ensure_ascii=False, indent=2))
    else:
        print(_human(transcript))
    return 0


if __name__ == "__main__":
    sys.exit(main())
