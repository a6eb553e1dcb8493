"""A BERT encoder (MiniLM) in plain torch: safetensors weights, the `tokenizers` fast tokenizer.

Why not transformers here: importing transformers 5 for ``AutoModel`` costs ~4 s of start-up on
these cores (it imports torch._dynamo, torch.distributed.tensor and torch.export whatever model
is loaded), four times the encoder's own load. This module runs the forward pass of
transformers' ``BertModel`` with its default SDPA attention for an encoder-only BERT with
absolute positions and exact GELU: the same torch operations on tensors of the same shapes and
layouts in the same order, so ``last_hidden_state`` is bit-identical (tests/scoring/test_bert.py
checks it against transformers). Folders it does not cover (another architecture, no
tokenizer.json or model.safetensors) go on loading through transformers (`embeddings.py`).
The tokenizer is tokenizer.json as transformers' fast tokenizer loads it, with truncation and
padding set per call the way transformers sets them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer  # type: ignore[import-untyped]
from torch import nn
from torch.nn import functional

CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE = "config.json", "model.safetensors", "tokenizer.json"


@dataclass(frozen=True)
class BertConfig:
    """The hyper-parameters of config.json that the forward pass uses."""

    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float
    pad_token_id: int


def read_config(folder: Path) -> BertConfig | None:
    """The folder's config if this module covers it exactly, else None (use transformers)."""
    if not all((folder / name).is_file() for name in (CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE)):
        return None
    raw = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    covered = (raw.get("model_type") == "bert" and raw.get("hidden_act") == "gelu"
               and raw.get("position_embedding_type", "absolute") == "absolute"
               and not raw.get("is_decoder", False) and not raw.get("add_cross_attention", False)
               and not raw.get("chunk_size_feed_forward", 0)
               and raw.get("_attn_implementation", raw.get("attn_implementation")) in (None, "sdpa")
               and raw.get("torch_dtype", raw.get("dtype", "float32")) == "float32")
    if not covered:
        return None
    fields = BertConfig.__dataclass_fields__
    return BertConfig(**{name: raw[name] for name in fields if name != "pad_token_id"},
                      pad_token_id=int(raw.get("pad_token_id", 0)))


@dataclass
class EncoderOutput:
    """What the callers read of transformers' model output."""

    last_hidden_state: torch.Tensor


class BertLayer(nn.Module):
    """Self-attention (SDPA) + feed-forward, post-LayerNorm, as transformers' BertLayer."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        hidden = config.hidden_size
        self.head_size = hidden // config.num_attention_heads
        self.scaling = self.head_size ** -0.5
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_dense = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=config.layer_norm_eps)
        self.intermediate = nn.Linear(hidden, config.intermediate_size)
        self.output = nn.Linear(config.intermediate_size, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=config.layer_norm_eps)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        batch, length = hidden.shape[:2]
        shape = (batch, length, -1, self.head_size)
        query = self.query(hidden).view(*shape).transpose(1, 2)
        key = self.key(hidden).view(*shape).transpose(1, 2)
        value = self.value(hidden).view(*shape).transpose(1, 2)
        attended = functional.scaled_dot_product_attention(
            query, key, value, attn_mask=mask, dropout_p=0.0, scale=self.scaling, is_causal=False)
        attended = attended.reshape(batch, -1, length, self.head_size).transpose(1, 2).contiguous()
        attended = attended.reshape(batch, length, -1).contiguous()
        attention = self.attention_norm(self.attention_dense(attended) + hidden)
        inner = functional.gelu(self.intermediate(attention))
        return self.output_norm(self.output(inner) + attention)


class BertEncoder(nn.Module):
    """Embeddings + the layers of transformers' BertModel (no pooler: callers mean-pool)."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.config = config
        self.word_embeddings = _embedding(config.vocab_size, config.hidden_size,
                                          padding_idx=config.pad_token_id)
        self.position_embeddings = _embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = _embedding(config.type_vocab_size, config.hidden_size)
        self.embedding_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.layers = nn.ModuleList(BertLayer(config) for _ in range(config.num_hidden_layers))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                token_type_ids: torch.Tensor | None = None) -> EncoderOutput:
        batch, length = input_ids.shape
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        positions = torch.arange(length, device=input_ids.device)[None, :]
        hidden = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        hidden = self.embedding_norm(hidden + self.position_embeddings(positions))
        mask = padding_mask(attention_mask, length)
        for layer in self.layers:
            hidden = layer(hidden, mask)
        return EncoderOutput(last_hidden_state=hidden)


def _embedding(rows: int, dim: int, padding_idx: int | None = None) -> nn.Embedding:
    """An embedding table left uninitialised (its weights are loaded next). On the meta device a
    random init (normal_) goes through torch._refs, which imports torch._dynamo: 1.4 s."""
    return nn.Embedding(rows, dim, padding_idx=padding_idx, _weight=torch.empty(rows, dim))


def padding_mask(attention_mask: torch.Tensor | None, length: int) -> torch.Tensor | None:
    """transformers' SDPA mask for a bidirectional encoder: None without padding (SDPA may then
    pick its fastest kernel), else a (batch, 1, length, length) boolean 'may attend' mask."""
    if attention_mask is None:
        return None
    keep = attention_mask.to(dtype=torch.bool)
    if bool(keep.all()):
        return None
    every_query = torch.ones((1, 1, length, 1), dtype=torch.bool, device=keep.device)
    return every_query & keep[:, None, None, :]


# transformers' parameter names -> this module's (the pooler and position_ids buffer are unused)
_RENAMES = (
    ("embeddings.LayerNorm.", "embedding_norm."), ("embeddings.", ""),
    ("encoder.layer.", "layers."), ("attention.self.", ""),
    ("attention.output.dense.", "attention_dense."),
    ("attention.output.LayerNorm.", "attention_norm."),
    ("intermediate.dense.", "intermediate."), ("output.dense.", "output."),
    ("output.LayerNorm.", "output_norm."),
)


def _rename(name: str) -> str | None:
    name = name.removeprefix("bert.")
    if name.startswith("pooler.") or name.endswith("position_ids"):
        return None
    for old, new in _RENAMES:
        name = name.replace(old, new, 1)
    return name


def load_encoder(folder: Path, config: BertConfig) -> BertEncoder:
    """The encoder with the folder's weights, in eval mode (built on the meta device and the
    loaded tensors assigned: no random initialisation of weights that are overwritten)."""
    from safetensors.torch import load_file

    state = {}
    for name, tensor in load_file(str(folder / WEIGHTS_FILE)).items():
        new = _rename(name)
        if new is not None:
            state[new] = tensor
    with torch.device("meta"):
        model = BertEncoder(config)
    model.load_state_dict(state, strict=True, assign=True)
    return model.eval()


class BertTokenizer:
    """tokenizer.json behind the small part of transformers' tokenizer call the encoder uses."""

    def __init__(self, folder: Path) -> None:
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        # truncation and padding are settings of the shared Tokenizer, set per call: one call
        # at a time, so two threads scoring at once cannot swap each other's settings
        self._lock = threading.Lock()
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        special = _special_tokens(folder)
        self.cls_token_id = self._id(special.get("cls_token", "[CLS]"))
        self.sep_token_id = self._id(special.get("sep_token", "[SEP]"))
        self.pad_token = str(special.get("pad_token", "[PAD]"))
        self.pad_token_id = self._id(self.pad_token)

    def _id(self, token: Any) -> int:
        value = self.tokenizer.token_to_id(str(token))
        if value is None:
            raise ValueError(f"special token {token!r} is not in the vocabulary")
        return int(value)

    def __call__(self, texts: Sequence[str], *, padding: bool = False, truncation: bool = False,
                 max_length: int | None = None, add_special_tokens: bool = True,
                 return_tensors: str | None = None) -> dict[str, Any]:
        """input_ids, token_type_ids, attention_mask per text (lists, or tensors with "pt").
        Truncation needs an explicit max_length (the encoder always passes one)."""
        with self._lock:
            encodings = self._encode(list(texts), padding=padding,
                                     add_special_tokens=add_special_tokens,
                                     max_length=max_length if truncation else None)
        out: dict[str, Any] = {
            "input_ids": [e.ids for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
        }
        if return_tensors == "pt":
            out = {key: torch.tensor(value, dtype=torch.long) for key, value in out.items()}
        return out

    def _encode(self, texts: list[str], *, padding: bool, add_special_tokens: bool,
                max_length: int | None) -> list[Any]:
        """transformers' settings for a call: longest-first truncation on the right to
        max_length (special tokens counted), padding on the right to the longest text."""
        tok = self.tokenizer
        if max_length is not None:
            tok.enable_truncation(max_length, stride=0, strategy="longest_first",
                                  direction="right")
        else:
            tok.no_truncation()
        if padding:
            tok.enable_padding(direction="right", pad_id=self.pad_token_id, pad_type_id=0,
                               pad_token=self.pad_token)
        else:
            tok.no_padding()
        return list(tok.encode_batch(texts, add_special_tokens=add_special_tokens))


def _special_tokens(folder: Path) -> dict[str, Any]:
    path = folder / "special_tokens_map.json"
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: (v["content"] if isinstance(v, dict) else v) for k, v in raw.items()}
