"""Call transcription for Coachline: Whisper (faster-whisper), channel split, PII redaction.

Framework-free: no Flask, no database; configuration is passed to constructors.
"""

from .audio import AudioInfo, probe_audio
from .base import AudioError, Segment, Transcriber, Transcript, TranscriptionError, Word
from .redact import Redactor, redact_text
from .whisper import WhisperTranscriber

__all__ = [
    "AudioError",
    "AudioInfo",
    "Redactor",
    "Segment",
    "Transcriber",
    "Transcript",
    "TranscriptionError",
    "WhisperTranscriber",
    "Word",
    "probe_audio",
    "redact_text",
]
