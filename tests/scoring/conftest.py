"""Fixtures for the scoring tests: the real MiniLM encoder and the shipped model, loaded once."""

from __future__ import annotations

import pytest

from scoring import AutoQAModel, Encoder, get_encoder, load_default_model


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return get_encoder()


@pytest.fixture(scope="session")
def model() -> AutoQAModel:
    return load_default_model()
