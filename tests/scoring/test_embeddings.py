"""Tests for the MiniLM encoder wrapper."""

from __future__ import annotations

import numpy as np

from scoring import Encoder, get_encoder

TEXTS = [
    "I'm so sorry, that sounds really stressful.",
    "ok",
    "Your refund has been processed and you will see it in three to five working days.",
    "the router light is flashing orange",
    "Thanks, bye.",
]


def test_shape_and_unit_norm(encoder: Encoder) -> None:
    """Embeddings are (n, 384) float32 rows of unit length."""
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_batching_and_order_invariance(encoder: Encoder) -> None:
    """Row i always embeds text i, whatever the batch size or the input order."""
    reference = encoder.encode(TEXTS)
    small = Encoder(batch_size=2)
    small._model, small._tokenizer = encoder._model, encoder._tokenizer  # share loaded weights
    np.testing.assert_allclose(small.encode(TEXTS), reference, atol=1e-5)
    order = [3, 0, 4, 1, 2]
    np.testing.assert_allclose(encoder.encode([TEXTS[i] for i in order]), reference[order],
                               atol=1e-5)


def test_empty_input(encoder: Encoder) -> None:
    """Encoding no texts gives an empty (0, dim) array."""
    assert encoder.encode([]).shape == (0, 384)


def test_get_encoder_is_cached() -> None:
    """get_encoder returns the same instance for the same path and options."""
    assert get_encoder() is get_encoder()
    assert get_encoder(batch_size=8) is not get_encoder()


def test_similar_texts_are_closer(encoder: Encoder) -> None:
    """Paraphrases are closer than unrelated sentences (the model really loaded)."""
    a, b, c = encoder.encode(["My parcel never arrived.", "The package was not delivered.",
                              "I love hiking in the mountains."])
    assert a @ b > a @ c


def test_segmented_encoding_matches_whole_turn(encoder: Encoder) -> None:
    """Token-weighted sentence means equal the mean of the turn's tokens encoded in one go."""
    import torch

    sentences = ["I'm so sorry.", "That sounds awful.", "Your refund has been processed today."]
    ((vectors, counts),) = encoder.encode_segmented([sentences])
    assert vectors.shape == (3, 384) and counts.min() > 0
    batch = encoder._tokenizer([" ".join(sentences)], return_tensors="pt")
    with torch.inference_mode():
        hidden = encoder._model(**batch).last_hidden_state[0, 1:-1].numpy()
    pooled = (vectors * counts[:, None]).sum(0) / counts.sum()
    np.testing.assert_allclose(pooled, hidden.mean(0), atol=1e-5)


def test_segmented_long_turn_keeps_every_sentence() -> None:
    """A turn longer than max_length is cut at sentence boundaries; no sentence is dropped."""
    base = get_encoder()
    small = Encoder(max_length=16)
    small._model, small._tokenizer = base._model, base._tokenizer
    sentences = [f"This is sentence number {k} of a long turn." for k in range(6)]
    ((vectors, counts),) = small.encode_segmented([sentences, []])[:1]
    assert (counts > 0).all() and (np.linalg.norm(vectors, axis=1) > 0).all()
    assert small.encode_segmented([[]])[0][0].shape == (0, 384)
