"""Custom criterion heads and the retraining helpers, without the app, on the real encoder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scoring import Encoder, Registry, ScoringError, Turn
from scoring.custom import CustomHead, criterion_key, score_conversations, train_custom_head
from scoring.model import encode_conversations
from scoring.retrain import (
    EmbeddingCache,
    LabelledConversation,
    NotEnoughLabels,
    binarise,
    decide,
    is_held_out,
    split,
)

pytestmark = pytest.mark.slow

# Written for this test. The rule a reviewer applies: "offered a callback" passes the criterion.
OPENERS = [
    "My internet keeps dropping every evening.",
    "The app logs me out whenever I open settings.",
    "My bill is higher than last month for no reason.",
    "I can't reset my password, the email never comes.",
    "The TV box shows a black screen after the update.",
    "My order confirmation says the wrong size.",
]
CALLBACK = [
    "If it happens again, I'll call you back tomorrow morning to check.",
    "I've booked a callback for Thursday so an engineer can talk it through with you.",
    "I'll ring you back this afternoon once the team has looked at it.",
]
NO_CALLBACK = [
    "That should sort it out, have a good day.",
    "You can find more help in our online FAQ.",
    "Please try restarting the device first.",
]


def items(n: int, key: str, *, invert: set[int] | None = None) -> list[LabelledConversation]:
    out = []
    for k in range(n):
        passed = k % 2
        turns = [
            Turn("customer", OPENERS[(k // 2) % len(OPENERS)]),
            Turn("agent", "Thanks for explaining, let me check."),
            Turn("agent", (CALLBACK if passed else NO_CALLBACK)[(k // 12) % 3]),
        ]
        label = 1 - passed if invert is not None and k + 100 in invert else passed
        out.append(LabelledConversation(k + 100, turns, {key: float(label)}))
    return out


@pytest.fixture(scope="module")
def cached(encoder: Encoder) -> EmbeddingCache:
    return EmbeddingCache(encoder)


def test_split_is_deterministic_by_id() -> None:
    """The held-out slice depends on the interaction id and seed only, close to the fraction."""
    held = [i for i in range(2000) if is_held_out(i, 0.25, 0)]
    assert held == [i for i in range(2000) if is_held_out(i, 0.25, 0)]
    assert 0.2 < len(held) / 2000 < 0.3
    assert held != [i for i in range(2000) if is_held_out(i, 0.25, 1)]
    convs = [LabelledConversation(i, [Turn("agent", "hi")], {"x": 1.0}) for i in range(50)]
    train, test = split(list(reversed(convs)), 0.25, 0)
    assert {c.id for c in test} == {i for i in range(50) if is_held_out(i, 0.25, 0)}
    assert len(train) + len(test) == 50


def test_binarise_threshold_and_decision_rule() -> None:
    """Scores of 50% of the scale or more pass; activation needs a strictly higher AUC on every
    retrained head, on a held-out slice with at least 5 labels of each class."""
    assert [binarise(v) for v in (0.0, 0.25, 0.5, 0.75, 1.0)] == [0, 0, 1, 1, 1]
    better = {"resolution": {"auc": 0.9, "n": 10, "positives": 5}}
    worse = {"resolution": {"auc": 0.7, "n": 10, "positives": 5}}
    assert decide(["resolution"], better, worse)[0] is True
    assert decide(["resolution"], worse, better)[0] is False
    assert decide(["resolution"], better, better)[0] is False
    one_class = {"resolution": {"auc": None, "n": 3, "positives": 3}}
    ok, reason = decide(["resolution"], one_class, worse)
    assert not ok and "3 positive, 0 negative" in reason
    # an AUC from one negative example decides nothing, however high
    thin = {"resolution": {"auc": 1.0, "n": 23, "positives": 22}}
    ok, reason = decide(["resolution"], thin, worse)
    assert not ok and "22 positive, 1 negative" in reason and "at least 5 of each" in reason
    assert decide([], better, worse)[0] is False


def test_too_few_labels(cached: EmbeddingCache) -> None:
    """Fewer labels than the minimum: NotEnoughLabels naming both numbers."""
    with pytest.raises(NotEnoughLabels, match=r"12; at least 40"):
        train_custom_head(items(12, criterion_key(7)), criterion_id=7, criterion_name="Callback",
                          encoder=cached, min_labels=40)


def test_custom_head_learns_scores_with_exact_evidence_and_versions(cached, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A head learns a rule from 48 labels, beats a constant score on held-out, its sentence
    contributions add up to the logit exactly, and it round-trips through the Registry."""
    key = criterion_key(7)
    result = train_custom_head(items(48, key), criterion_id=7, criterion_name="Callback offered",
                               encoder=cached, min_labels=40)
    assert result.activate and result.candidate["auc"] >= 0.9, result.candidate
    head = result.head
    meta = head.metadata
    assert meta["criterion_id"] == 7 and meta["criterion_name"] == "Callback offered"
    assert meta["labels"]["total"] == 48 and len(meta["labels"]["sha256"]) == 64
    assert {"scikit-learn", "numpy", "torch"} <= set(meta["libraries"]) and meta["created"]
    assert meta["metrics"]["heldout"]["n"] == result.counts["held_out"]

    conv = [Turn("customer", "My router keeps restarting at night."),
            Turn("agent", "I'm sorry about that."),
            Turn("agent", "I'll call you back tomorrow morning to check it's stable.")]
    ec = encode_conversations(cached, [conv])[0]
    contributions, baseline = head.explain(ec)
    assert abs(contributions.sum() + baseline - head.logit(ec)) < 1e-9
    [[scored]] = score_conversations([head], cached, [conv])
    assert scored.key == key and scored.label == "yes" and scored.probability > 0.5
    assert "call you back" in scored.evidence[0].text and scored.evidence[0].weight > 0

    registry = Registry(tmp_path / "crit-7")
    with pytest.raises(ScoringError):
        CustomHead.load(tmp_path)
    head.save(tmp_path / "artifact")
    version = registry.register(tmp_path / "artifact")
    registry.activate(version)
    loaded = CustomHead.load(registry.path(version))
    assert loaded.version == version and loaded.key == key
    assert np.allclose(loaded.probabilities([ec]), head.probabilities([ec]))
    sidecar = json.loads((registry.path(version) / "model.json").read_text())
    assert sidecar["kind"] == "custom_head" and sidecar["decision"]["activate"] is True

    # a second head trained on contradicting labels is worse than the active one: not activated
    held_ids = {i.id for i in split(items(48, key), 0.25, 0)[1]}
    training_flipped = items(48, key, invert={i.id for i in items(48, key)} - held_ids)
    worse = train_custom_head(training_flipped, criterion_id=7, criterion_name="Callback offered",
                              encoder=cached, active=loaded, min_labels=40)
    assert not worse.activate and worse.active is not None
    assert worse.candidate["auc"] < worse.active["auc"]
    registry.register(_saved(worse.head, tmp_path / "second"))
    assert registry.active() == version


def _saved(head: CustomHead, folder):  # type: ignore[no-untyped-def]
    head.save(folder)
    return folder


WARM = ["I'm so sorry, that sounds really stressful for you.",
        "Oh no, that must have been upsetting, I completely understand.",
        "I'm really sorry you've had such a rough week with this."]
CURT = ["Account number.", "That's not our problem.", "Read the FAQ."]


def test_retrain_empathy_from_conversation_labels(model, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Conversation-level empathy labels retrain the empathy head only; resolution is carried
    over unchanged; the decision follows the held-out AUCs."""
    from scoring.retrain import retrain_from_reviews
    from scoring.train import load_corpus

    corpus_file = tmp_path / "corpus.jsonl"
    lines = (Path(__file__).resolve().parents[2] / "data" / "autoqa" / "conversations.jsonl").read_text().splitlines()[:8]
    corpus_file.write_text("\n".join(lines) + "\n")
    labelled = []
    for k in range(40):
        warm = k % 2
        turns = [Turn("customer", OPENERS[(k // 2) % len(OPENERS)]),
                 Turn("agent", (WARM if warm else CURT)[(k // 12) % 3]),
                 Turn("agent", "I've fixed it now.")]
        labelled.append(LabelledConversation(k + 500, turns, {"empathy": float(warm)}))
    result = retrain_from_reviews(model, load_corpus(corpus_file), labelled, min_labels=30)
    assert result.retrained == ["empathy"] and result.carried == ["resolution"]
    assert result.model.resolution_head is model.resolution_head
    assert result.model.empathy_head is not model.empathy_head
    cand, act = result.comparison.candidate["empathy"], result.comparison.active["empathy"]
    assert cand["n"] == result.counts["empathy"]["held_out"] > 0
    assert result.activate == (cand["auc"] is not None and act["auc"] is not None
                               and cand["auc"] > act["auc"])
    assert result.metadata["decision"]["reason"] == result.comparison.reason
    with pytest.raises(NotEnoughLabels, match=r"empathy 40, resolution 0; at least 41"):
        retrain_from_reviews(model, load_corpus(corpus_file), labelled, min_labels=41)
