"""The one place configuration meets the ML packages: models load lazily, once per process."""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app

_lock = threading.Lock()
_cache: dict[tuple[Any, ...], Any] = {}


def _cached(key: tuple[Any, ...], build: Any) -> Any:
    with _lock:
        if key not in _cache:
            _cache[key] = build()
        return _cache[key]


def get_transcriber() -> Any:
    """The configured WhisperTranscriber (tiny.en from its PyPI package by default)."""
    from transcription import WhisperTranscriber

    c = current_app.config
    key = (
        "whisper",
        c["WHISPER_MODEL"],
        c["WHISPER_COMPUTE_TYPE"],
        c["WHISPER_THREADS"],
        c["WHISPER_BEAM_SIZE"],
        c["WHISPER_ALLOW_DOWNLOAD"],
        c["REDACT_PII"],
    )
    return _cached(
        key,
        lambda: WhisperTranscriber(
            c["WHISPER_MODEL"],
            compute_type=c["WHISPER_COMPUTE_TYPE"],
            cpu_threads=c["WHISPER_THREADS"],
            beam_size=c["WHISPER_BEAM_SIZE"],
            allow_download=c["WHISPER_ALLOW_DOWNLOAD"],
            cache_dir=c["WHISPER_CACHE_DIR"],
            redact=c["REDACT_PII"],
            max_bytes=c["MAX_CONTENT_LENGTH"],
            max_seconds=c["MAX_AUDIO_SECONDS"],
        ),
    )


def scoring_registry() -> Any:
    from scoring import Registry

    return Registry(current_app.config["SCORING_MODEL_DIR"])


def get_scorer() -> Any:
    """The active AutoQA model of the registry, else the default model shipped in the repo."""
    from scoring import load_default_model

    c = current_app.config
    registry = scoring_registry()
    active = registry.active()
    key = ("autoqa", c["SCORING_MODEL_DIR"], active, c["ENCODER_PATH"])
    if active:
        return _cached(key, lambda: registry.load_active(encoder_path=c["ENCODER_PATH"]))
    return _cached(key, lambda: load_default_model(encoder_path=c["ENCODER_PATH"]))
