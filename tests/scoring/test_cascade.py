"""The AutoQA cascade (issue 20): the shipped first pass scores offline over its static
embeddings, the band sends uncertain conversations (and only those) to the full model, each
prediction says which stage gave it, and the CLI never imports torch when the first pass
decides everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scoring import AutoQAModel, Turn, load_default_scorer
from scoring.cascade import (
    FIRST_PASS_DIR,
    FIRST_PASS_PREFIX,
    STAGE_FIRST_PASS,
    STAGE_FULL,
    Band,
    CascadeModel,
    choose_band,
    load_cascade,
    load_first_pass,
    read_band,
    stage_of,
)
from scoring.errors import ScoringError
from scoring.static import StaticEncoder

ROOT = Path(__file__).resolve().parents[2]

WARM = [Turn("customer", "My card was charged twice and I am really stressed about rent."),
        Turn("agent", "I am so sorry, that sounds really stressful. I have refunded the "
                      "duplicate charge."),
        Turn("customer", "I can see the refund now, that fixed it. Thanks!"),
        Turn("agent", "Glad it is sorted, have a lovely evening.")]
COLD = [Turn("customer", "The app still crashes when I open it."),
        Turn("agent", "Reinstall it."),
        Turn("customer", "I did, it still crashes. Nothing works."),
        Turn("agent", "Then I cannot help further, you will have to wait for an update.")]


@pytest.fixture(scope="module")
def first_pass() -> AutoQAModel:
    return load_first_pass()


class CountingModel(AutoQAModel):
    """A real AutoQA model (the first pass's heads under a full-model version) that records
    which conversations it was asked to score."""

    def __init__(self, base: AutoQAModel) -> None:
        super().__init__(base.empathy_head, base.resolution_head, encoder=base.encoder,
                         version="autoqa-test-full", metadata=base.metadata)
        self.seen: list[list[Turn]] = []

    def predict(self, conversations, *, batch_size=64):  # type: ignore[no-untyped-def]
        self.seen.extend(list(c) for c in conversations)
        return super().predict(conversations, batch_size=batch_size)


def test_first_pass_loads_and_scores_offline_without_torch() -> None:
    """A fresh interpreter loads the shipped first pass and scores: probabilities in range, a
    first-pass version, evidence sentences from the input, and neither torch nor transformers
    imported."""
    code = (
        "import json, sys\n"
        "from scoring.cascade import load_first_pass\n"
        "from scoring import Turn\n"
        "m = load_first_pass()\n"
        "p = m.predict([[Turn('customer', 'It is broken.'), Turn('agent', 'I am so sorry, "
        "that must be frustrating. I fixed it.'), Turn('customer', 'Thanks, it works.')]])[0]\n"
        "print(json.dumps({'d': p.to_dict(), 'torch': 'torch' in sys.modules, "
        "'transformers': 'transformers' in sys.modules}))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True,
                         env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    got = json.loads(out.stdout)
    assert got["torch"] is False and got["transformers"] is False
    d = got["d"]
    assert d["model_version"].startswith(FIRST_PASS_PREFIX)
    assert 0 <= d["empathy"]["score"] <= 100 and 0 < d["resolution"]["probability"] < 1
    assert d["empathy"]["evidence"] and d["empathy"]["evidence"][0]["speaker"] == "agent"


def test_first_pass_ranks_warm_resolved_above_cold_unresolved(first_pass: AutoQAModel) -> None:
    """The first pass is a working model: the warm, resolved chat scores higher on both
    heads than the cold, unresolved one."""
    warm, cold = first_pass.predict([WARM, COLD])
    assert warm.empathy_score > cold.empathy_score + 20
    assert warm.resolution_probability > cold.resolution_probability + 0.1


def test_first_pass_evidence_is_exact(first_pass: AutoQAModel) -> None:
    """Over static vectors too, the resolution contributions plus the baseline add up to the
    resolution logit, and the empathy turn logit is carried by one sentence."""
    parts = first_pass.explain(WARM)
    total = parts["resolution_intercept"] + float(np.sum(parts["resolution_contributions"]))
    assert total == pytest.approx(parts["resolution_logit"], abs=1e-6)
    agent_logit = parts["empathy_turn_logits"][1]
    assert float(np.max(parts["empathy_contributions"])) == pytest.approx(agent_logit, abs=1e-9) \
        or float(np.min(parts["empathy_contributions"])) == pytest.approx(agent_logit, abs=1e-9)


def test_static_encoder_turn_vector_is_weighted_sum_of_sentences() -> None:
    """Sentence vectors are token means with token counts, so encode_conversations' exact
    identity turn_vector = sum of weight x sentence vector holds."""
    from scoring.model import encode_conversations

    enc = StaticEncoder(FIRST_PASS_DIR / "static")
    ec = encode_conversations(enc, [WARM])[0]
    w = ec.sentence_weights()
    for t in range(len(WARM)):
        sel = ec.sentence_turn == t
        rebuilt = (w[sel, None] * ec.embeddings[sel]).sum(axis=0)
        np.testing.assert_allclose(rebuilt, ec.turn_vectors[t], atol=1e-6)


def test_band_escalates_uncertain_conversations_only(first_pass: AutoQAModel) -> None:
    """With a band around the cold chat's first-pass resolution probability, the cold chat
    (and only it) goes to the full model, gets the full model's prediction and version, and
    the warm one keeps its first-pass prediction."""
    warm_fp, cold_fp = first_pass.predict([WARM, COLD])
    p = cold_fp.resolution_probability
    assert not (p - 0.01 <= warm_fp.resolution_probability <= p + 0.01)
    band = Band(empathy=(1.0, 0.0), resolution=(p - 0.01, p + 0.01))
    full = CountingModel(first_pass)
    cascade = CascadeModel(first_pass, full, band)
    warm, cold = cascade.predict([WARM, COLD])
    assert full.seen == [COLD]
    assert cascade.escalated == 1 and cascade.scored == 2
    assert stage_of(warm.model_version) == STAGE_FIRST_PASS and warm == warm_fp
    assert stage_of(cold.model_version) == STAGE_FULL and cold.model_version == "autoqa-test-full"


def test_empty_band_never_calls_the_full_model(first_pass: AutoQAModel) -> None:
    """An empty band on both heads: everything is first pass, the full model is never called."""
    full = CountingModel(first_pass)
    cascade = CascadeModel(first_pass, full, Band((1.0, 0.0), (1.0, 0.0)))
    preds = cascade.predict([WARM, COLD, WARM])
    assert full.seen == [] and {stage_of(p.model_version) for p in preds} == {STAGE_FIRST_PASS}


def test_choose_band_meets_the_target_with_the_fewest_escalations() -> None:
    """On synthetic validation scores where the first pass is wrong only in the middle, the
    chosen band covers that middle, meets the AUC target and escalates fewer than all."""
    rng = np.random.default_rng(0)
    n = 2000
    y = rng.integers(0, 2, n)
    full = np.clip(0.5 + (2 * y - 1) * 0.2 + rng.normal(0, 0.15, n), 0.001, 0.999)
    first = full.copy()
    middle = (full > 0.35) & (full < 0.65)
    first[middle] = rng.uniform(0.35, 0.65, middle.sum())  # noise only where it is unsure
    labels = {"empathy": y, "resolution": y}
    band, report = choose_band(labels, {"empathy": first, "resolution": first},
                               {"empathy": full, "resolution": full}, margin=0.002)
    assert report["resolution"]["auc_cascade"] >= report["resolution"]["auc_full"] - 0.002
    assert report["resolution"]["auc_first_pass"] < report["resolution"]["auc_full"] - 0.01
    assert 0.2 < report["escalated_share"] < 0.8, report
    assert band.resolution[0] <= 0.4 and band.resolution[1] >= 0.6, band


def test_shipped_band_matches_the_shipped_full_model() -> None:
    """scoring/first_pass/cascade.json was fitted against the full model shipped beside it, so
    the default scorer is the cascade (a retrain must rerun python -m scoring cascade)."""
    info = read_band()
    full_version = json.loads((ROOT / "scoring" / "default_model" / "model.json")
                              .read_text(encoding="utf-8"))["version"]
    assert info["full_model_version"] == full_version
    assert isinstance(load_default_scorer(), CascadeModel)
    # and the artifact stays small: static vectors float16
    size = sum(p.stat().st_size for p in FIRST_PASS_DIR.rglob("*") if p.is_file())
    assert size < 12 * 1024 * 1024


def test_stale_band_is_refused(first_pass: AutoQAModel) -> None:
    """A band fitted against another full model version is refused with a one-line reason."""
    other = CountingModel(first_pass)
    with pytest.raises(ScoringError, match="python -m scoring cascade"):
        load_cascade(other)


def test_cli_predict_with_the_cascade_does_not_import_torch(tmp_path: Path) -> None:
    """`python -m scoring predict` --cascade on conversations the first pass is
    sure of writes first-pass lines with their stage and never imports torch."""
    fp = load_first_pass()
    band = Band.from_dict(read_band()["band"])
    candidates = [WARM, COLD, WARM[:2], COLD[1:]]
    sure = [c for c, p in zip(candidates, fp.predict(candidates), strict=True)
            if not band.uncertain(p)]
    assert sure, "no conversation the first pass is sure of"
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps({"id": k, "turns": [{"speaker": t.speaker, "text": t.text}
                                                          for t in c]}) + "\n"
                           for k, c in enumerate(sure)), encoding="utf-8")
    code = ("import sys\nfrom scoring.__main__ import main\n"
            f"rc = main(['predict', {str(src)!r}, {str(dst)!r}, '--cascade'])\n"
            "print('torch' in sys.modules, 'transformers' in sys.modules, rc)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False", "0"], out.stderr
    lines = [json.loads(x) for x in dst.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(sure) and {x["stage"] for x in lines} == {STAGE_FIRST_PASS}
