"""Command line: ``python -m transcription AUDIO [--agent-channel left|right] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .base import (
    DEFAULT_BEAM_SIZE,
    DEFAULT_COMPUTE_TYPE,
    DEFAULT_MODEL,
    Transcript,
    TranscriptionError,
)


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
        "--model",
        default=DEFAULT_MODEL,
        help=f"tiny.en, base, or a model folder (default {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--beam-size",
        type=int,
        default=DEFAULT_BEAM_SIZE,
        help=f"beam width, 1 = greedy (default {DEFAULT_BEAM_SIZE}, as the app)",
    )
    parser.add_argument("--threads", type=int, default=0, help="CPU threads, 0 = automatic")
    parser.add_argument(
        "--compute-type",
        default=DEFAULT_COMPUTE_TYPE,
        help=f"CTranslate2 compute type: float32, int8... (default {DEFAULT_COMPUTE_TYPE})",
    )
    parser.add_argument("--no-redact", action="store_true", help="keep PII in the text")
    parser.add_argument("--words", action="store_true", help="include word timings in JSON")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Imported here so that --help works even when faster-whisper is broken.
    from .whisper import WhisperTranscriber

    try:
        transcriber = WhisperTranscriber(
            args.model,
            compute_type=args.compute_type,
            cpu_threads=args.threads,
            beam_size=args.beam_size,
            redact=not args.no_redact,
        )
        transcript = transcriber.transcribe(args.audio, agent_channel=args.agent_channel)
    except TranscriptionError as exc:
        print(f"error: {exc.reason}: {args.audio}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(transcript.to_dict(words=args.words), ensure_ascii=False, indent=2))
    else:
        print(_human(transcript))
    return 0


if __name__ == "__main__":
    sys.exit(main())
