"""Scoring interactions with custom heads active encodes each conversation once, for the built-in
heads and the custom heads alike, and gives the same scores as encoding twice did."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qa.services import autoqa
from scoring import AutoQAModel, Turn, load_default_model
from scoring.classifiers import RESOLUTION_BLOCKS, CalibratedLinearClassifier
from scoring.custom import CustomHead, score_conversations

pytestmark = pytest.mark.slow

CONVERSATIONS = [
    [
        Turn("customer", "My parcel never came and I need it for a birthday."),
        Turn("agent", "For security, please tell me the first line of your address."),
        Turn("customer", "12 Oak Road."),
        Turn("agent", "I'm so sorry. I'll chase the courier now and call you back."),
    ],
    [
        Turn("customer", "I was charged twice this month."),
        Turn("agent", "Account number."),
        Turn("customer", "Thanks for explaining, let me check."),
        Turn("agent", "Refunded. Done."),
    ],
    [
        Turn("customer", "The app logs me out whenever I open settings."),
        Turn("agent", "For security, please tell me the first line of your address."),
    ],
]


class CountingEncoder:
    """Stands in for the real encoder, counting the calls that run the transformer."""

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder
        self.calls = 0
        self.turns = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.encoder, name)

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.asarray(self.encoder.encode(texts))

    def encode_segmented(self, segments: Sequence[Sequence[str]]) -> list[Any]:
        self.calls += 1
        self.turns += len(segments)
        return list(self.encoder.encode_segmented(segments))


@pytest.fixture(scope="module")
def shipped() -> AutoQAModel:
    return load_default_model()


def counting_scorer(model: AutoQAModel) -> tuple[AutoQAModel, CountingEncoder]:
    encoder = CountingEncoder(model.encoder)
    scorer = AutoQAModel(
        model.empathy_head,
        model.resolution_head,
        encoder=encoder,  # type: ignore[arg-type]
        version=model.version,
        metadata=model.metadata,
    )
    return scorer, encoder


def activate_head(
    criterion_id: int, dim: int, tmp: Path, *, seed: int, width: int = 0, encoder: str = ""
) -> None:
    """Register and activate a custom head with fixed random weights (no training needed),
    trained (so its sidecar says) over `encoder`."""
    rng = np.random.default_rng(seed)
    head = CalibratedLinearClassifier()
    head.classes_ = np.array([0, 1])
    head.coef_ = rng.normal(size=width or len(RESOLUTION_BLOCKS) * dim)
    head.intercept_ = 0.1
    head.platt_ = (1.0, 0.0)
    head.n_features_in_ = len(head.coef_)
    custom = CustomHead(
        head,
        key=f"crit:{criterion_id}",
        version=f"crit{criterion_id}-test",
        metadata={"encoder": encoder} if encoder else {},
    )
    folder = custom.save(tmp / f"artifact-{criterion_id}")
    registry = autoqa.custom_registry(criterion_id)
    registry.activate(registry.register(folder))


def test_one_encoding_per_conversation_with_custom_heads(app, shipped, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two custom heads active: one encoder call for the batch, each distinct turn encoded once,
    and the built-in and custom scores equal those of predict + separate custom scoring."""
    activate_head(7, shipped.encoder.dim, tmp_path, seed=1, encoder=shipped.encoder.name)
    activate_head(8, shipped.encoder.dim, tmp_path, seed=2, encoder=shipped.encoder.name)
    heads = autoqa.active_custom_heads()
    assert [h.key for h in heads] == ["crit:7", "crit:8"]

    before, before_encoder = counting_scorer(shipped)
    old_predictions = before.predict(CONVERSATIONS)
    old_custom = score_conversations(heads, before.encoder, CONVERSATIONS)
    assert before_encoder.calls == 2  # what the scoring path did before: encode twice

    scorer, encoder = counting_scorer(shipped)
    predictions, custom = autoqa.score_conversations(scorer, CONVERSATIONS)
    distinct_turns = len({t.text for conv in CONVERSATIONS for t in conv})
    assert encoder.calls == 1 and encoder.turns == distinct_turns
    assert predictions == old_predictions
    assert custom == old_custom
    assert [[s.key for s in scores] for scores in custom] == [["crit:7", "crit:8"]] * 3


def test_without_custom_heads_scores_are_the_models(app, shipped) -> None:  # type: ignore[no-untyped-def]
    """No custom head active: the model's own predict, one encoding, no custom scores."""
    scorer, encoder = counting_scorer(shipped)
    predictions, custom = autoqa.score_conversations(scorer, CONVERSATIONS)
    assert encoder.calls == 1
    assert predictions == shipped.predict(CONVERSATIONS)
    assert custom == [[], [], []]


def test_broken_custom_head_keeps_built_in_scores(app, shipped, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A custom head whose weights do not fit the features is logged and skipped; the built-in
    scores are kept and the conversations are still encoded once."""
    activate_head(9, shipped.encoder.dim, tmp_path, seed=3, width=5, encoder=shipped.encoder.name)
    scorer, encoder = counting_scorer(shipped)
    predictions, custom = autoqa.score_conversations(scorer, CONVERSATIONS)
    assert encoder.calls == 1
    assert predictions == shipped.predict(CONVERSATIONS)
    assert custom == [[], [], []]
