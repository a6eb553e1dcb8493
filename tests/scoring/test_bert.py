"""The plain-torch BERT encoder (scoring.bert) against transformers' BertModel, and the start-up
path it exists for: scoring with the shipped model never imports transformers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from scoring import bert
from scoring.embeddings import default_encoder_path

ROOT = Path(__file__).resolve().parents[2]

TEXTS = [
    "I'm so sorry, that sounds really stressful.",
    "ok",
    "",
    "Your refund has been processed and you will see it in three to five working days.",
    "Ünïcödé café, naïve façade — déjà vu 😊 (ÉTÉ)",
    "Bonjour, je n'ai toujours pas reçu mon colis !",
    "order #A-1234/56 costs £12.50 at 9:30am... right?!",
    "word " * 300,
]


@pytest.fixture(scope="module")
def reference() -> tuple[object, object]:
    """transformers' tokenizer and model on the shipped MiniLM folder (the reference)."""
    from transformers import AutoModel, AutoTokenizer

    path = str(default_encoder_path())
    return (AutoTokenizer.from_pretrained(path, local_files_only=True),
            AutoModel.from_pretrained(path, local_files_only=True).eval())


@pytest.fixture(scope="module")
def native() -> tuple[bert.BertTokenizer, bert.BertEncoder]:
    """scoring.bert's tokenizer and encoder on the same folder."""
    path = default_encoder_path()
    config = bert.read_config(path)
    assert config is not None
    return bert.BertTokenizer(path), bert.load_encoder(path, config)


@pytest.mark.parametrize("options", [
    {"padding": True, "truncation": True, "max_length": 256},
    {"add_special_tokens": False, "truncation": True, "max_length": 14},
    {"truncation": True, "max_length": 8},
])
def test_tokenizer_matches_transformers(reference, native, options) -> None:
    """Token ids, type ids and masks equal transformers' fast tokenizer's, truncation included."""
    hf_tokenizer, _ = reference
    tokenizer, _ = native
    theirs, ours = hf_tokenizer(TEXTS, **options), tokenizer(TEXTS, **options)
    for key in ("input_ids", "token_type_ids", "attention_mask"):
        assert ours[key] == theirs[key], key
    assert (tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id) == (
        hf_tokenizer.cls_token_id, hf_tokenizer.sep_token_id, hf_tokenizer.pad_token_id)


def test_hidden_states_are_bit_identical(reference, native) -> None:
    """last_hidden_state equals transformers' exactly, with padding and without, any batch."""
    hf_tokenizer, hf_model = reference
    tokenizer, model = native
    batch = tokenizer(TEXTS, padding=True, truncation=True, max_length=256, return_tensors="pt")
    theirs = hf_tokenizer(TEXTS, padding=True, truncation=True, max_length=256,
                          return_tensors="pt")
    with torch.inference_mode():
        for rows in (slice(None), slice(0, 1), slice(3, 5)):
            args = {k: v[rows] for k, v in batch.items()}
            assert torch.equal(args["input_ids"], theirs["input_ids"][rows])
            expected = hf_model(**args).last_hidden_state
            assert torch.equal(model(**args).last_hidden_state, expected)


def test_folders_it_does_not_cover_go_to_transformers(tmp_path: Path) -> None:
    """A non-BERT config, or a folder without tokenizer.json, is not claimed (None)."""
    source = default_encoder_path()
    config = json.loads((source / bert.CONFIG_FILE).read_text(encoding="utf-8"))
    for name in (bert.WEIGHTS_FILE, bert.TOKENIZER_FILE):
        (tmp_path / name).symlink_to(source / name)
    (tmp_path / bert.CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    assert bert.read_config(tmp_path) is not None
    for change in ({"model_type": "roberta"}, {"hidden_act": "gelu_new"}, {"is_decoder": True},
                   {"position_embedding_type": "relative_key"}):
        (tmp_path / bert.CONFIG_FILE).write_text(json.dumps({**config, **change}),
                                                 encoding="utf-8")
        assert bert.read_config(tmp_path) is None, change
    (tmp_path / bert.TOKENIZER_FILE).unlink()
    assert bert.read_config(tmp_path) is None


def test_scoring_with_the_shipped_model_does_not_import_transformers() -> None:
    """Loading the default model and scoring imports neither transformers nor torch._dynamo."""
    code = ("import sys, scoring\n"
            "model = scoring.load_default_model()\n"
            "model.predict([[scoring.Turn('customer', 'Hi.'), scoring.Turn('agent', 'Hello!')]])\n"
            "print([m for m in ('transformers', 'torch._dynamo') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "[]"
