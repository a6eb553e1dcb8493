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


def load_default_model(encoder_path: str | Path | None = None,
                       **encoder_options: Any) -> AutoQAModel:
    """The artifact shipped in scoring/default_model/ (heads only; MiniLM loads from its package).

    encoder_options (num_threads, batch_size, quantize, ...) go to `get_encoder`.
    """
    return AutoQAModel.load(DEFAULT_MODEL_DIR, encoder_path=encoder_path, **encoder_options)


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
]
