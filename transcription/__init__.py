"""Call transcription for Coachline: Whisper (faster-whisper), channel split, PII redaction.

Framework-free: no Flask, no database; configuration is passed to constructors.
"""

from .analytics import AnalyticsSettings, CallAnalytics, CallSpan, call_analytics
from .audio import AudioInfo, probe_audio
from .base import AudioError, Segment, Transcriber, Transcript, TranscriptionError, Word
from .redact import Redactor, redact_text
from .whisper import WhisperTranscriber

__all__ = [
    "AnalyticsSettings",
    "AudioError",
    "AudioInfo",
    "CallAnalytics",
    "CallSpan",
    "Redactor",
    "Segment",
    "Transcriber",
    "Transcript",
    "TranscriptionError",
    "WhisperTranscriber",
    "Word",
    "call_analytics",
    "probe_audio",
    "redact_text",
]
