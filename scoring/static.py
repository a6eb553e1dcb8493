"""A static (model2vec) embedding encoder: one vector per tokenizer token, no transformer.

The cascade's first pass (`scoring.cascade`) scores every conversation over these vectors: the
project distils them itself from the shipped MiniLM with model2vec (`distil`, the recipe; it
needs torch, transformers and model2vec, and runs offline from the local model folder). Scoring
needs only the `tokenizers` package and numpy: no torch, no transformers, no model2vec.

Folder layout (written by `distil`): ``tokenizer.json`` (the distilled tokenizer),
``vectors.npy`` (float16, one row per token id, SIF weights and PCA already applied) and
``static.json`` (the recipe's parameters and the source model).

A sentence vector is the mean of its tokens' vectors and its count the number of tokens, as
for MiniLM (`embeddings.Encoder.encode_segmented`): the turn vector is then exactly the
token-count-weighted combination of its sentence vectors, so the evidence stays exact.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .encoders import SentenceEncoder
from .errors import ScoringError

STATIC_PREFIX = "static:"
DEFAULT_PCA_DIMS = 128
VECTORS_FILE = "vectors.npy"
TOKENIZER_FILE = "tokenizer.json"
INFO_FILE = "static.json"


class StaticEncoder(SentenceEncoder):
    """Token-vector means from a distilled static model folder; loads lazily."""

    package = "tokenizers"

    def __init__(self, folder: str | Path, *, batch_size: int = 256,
                 num_threads: int | None = None, quantize: bool = False,
                 max_length: int | None = None) -> None:
        super().__init__(batch_size=batch_size, num_threads=num_threads, quantize=quantize)
        self.folder = Path(folder)
        self.max_length = max_length or 512
        self.name = STATIC_PREFIX + self.folder.name
        self._vectors: np.ndarray | None = None
        self._static_lock = threading.Lock()

    def _build(self) -> Any:
        from tokenizers import Tokenizer  # type: ignore[import-untyped]

        vectors_path, tokenizer_path = self.folder / VECTORS_FILE, self.folder / TOKENIZER_FILE
        if not vectors_path.is_file() or not tokenizer_path.is_file():
            raise ScoringError(f"not a static embedding folder (needs {VECTORS_FILE} and "
                               f"{TOKENIZER_FILE}): {self.folder}")
        try:
            tokenizer = Tokenizer.from_file(str(tokenizer_path))
            tokenizer.no_padding()
            tokenizer.no_truncation()
            # float32 once in memory: the means are then summed in float32 (speed), 4 x 128 x
            # 30k = 15 MB
            self._vectors = np.load(vectors_path).astype(np.float32)
        except (OSError, ValueError, Exception) as exc:  # tokenizers raises its own Exception
            raise ScoringError(f"cannot load static embeddings from {self.folder}: {exc}") from exc
        return tokenizer

    @property
    def dim(self) -> int:
        self._load()
        assert self._vectors is not None
        return int(self._vectors.shape[1])

    def _token_ids(self, texts: list[str]) -> list[list[int]]:
        tokenizer = self._load()
        encodings = tokenizer.encode_batch_fast(texts, add_special_tokens=False)
        return [e.ids[:self.max_length] for e in encodings]

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors, _ = self._means(texts)
        return vectors

    def _means(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(len(texts), dim) mean token vectors (zero for a text without tokens), token counts."""
        ids = self._token_ids(texts)
        assert self._vectors is not None
        counts = np.fromiter((len(t) for t in ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter((i for t in ids for i in t), dtype=np.int64, count=int(counts.sum()))
        owner = np.repeat(np.arange(len(ids)), counts)
        sums = np.zeros((len(ids), self._vectors.shape[1]), dtype=np.float32)
        np.add.at(sums, owner, self._vectors[flat])
        return sums / np.maximum(counts, 1)[:, None].astype(np.float32), counts

    def encode_segmented(self, segments: Sequence[Sequence[str]]
                         ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per segment, its sentences' mean token vectors (not normalised) and token counts."""
        unique: dict[str, int] = {}
        for sentences in segments:
            for sentence in sentences:
                unique.setdefault(sentence, len(unique))
        self._load()
        with self._static_lock:
            vectors, counts = self._means(list(unique)) if unique else (
                np.zeros((0, self.dim), dtype=np.float32), np.zeros(0, dtype=np.int64))
        out = []
        for sentences in segments:
            rows = [unique[s] for s in sentences]
            out.append((vectors[rows], counts[rows]))
        return out


def distil(source: str | Path, out_dir: str | Path, *, pca_dims: int = DEFAULT_PCA_DIMS
           ) -> Path:
    """Distil a static model from a local sentence-transformer folder with model2vec (offline:
    the model and tokenizer load with local_files_only) and write it as a StaticEncoder folder.

    Needs torch, transformers and model2vec (+ skeletoken): a build step, never a scoring one."""
    import model2vec  # type: ignore[import-untyped]
    from model2vec.distill import distill_from_model  # type: ignore[import-untyped]
    from transformers import AutoModel, AutoTokenizer

    src = Path(source)
    if not src.is_dir():
        raise ScoringError(f"model folder not found: {src}")
    model = AutoModel.from_pretrained(str(src), local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(str(src), local_files_only=True)
    static = distill_from_model(model=model, tokenizer=tokenizer, pca_dims=pca_dims,
                                quantize_to="float16", device="cpu")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    vectors = np.asarray(static.embedding, dtype=np.float16)
    if static.token_mapping is not None or static.weights is not None:
        raise ScoringError("vocabulary quantisation is not supported by StaticEncoder")
    np.save(folder / VECTORS_FILE, vectors)
    static.tokenizer.save(str(folder / TOKENIZER_FILE))
    info = {"source": src.name, "model2vec": model2vec.__version__, "pca_dims": pca_dims,
            "dtype": "float16", "vocabulary": int(vectors.shape[0]),
            "sif_coefficient": static.config.get("sif_coefficient"),
            "recipe": "model2vec.distill.distill_from_model(model, tokenizer, "
                      f"pca_dims={pca_dims}, quantize_to='float16'); python -m scoring "
                      "cascade --distil rebuilds it"}
    (folder / INFO_FILE).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n",
                                    encoding="utf-8")
    return folder
