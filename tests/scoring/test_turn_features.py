"""The opt-in lexical and turn-position features of the resolution head (scoring/turn_features.py,
the French recipe): exact evidence, the fields they read, a save/load round trip, and the
default recipe left without them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scoring import AutoQAModel, Turn
from scoring.classifiers import CalibratedLinearClassifier
from scoring.embeddings import get_encoder
from scoring.encoders import USE_M3
from scoring.model import encode_conversations
from scoring.train import fit_heads
from scoring.turn_features import (
    ConversationLexicon,
    LexicalResolutionClassifier,
    field_sentences,
    sentence_tokens,
    structure_features,
)

# Written for this test (not from the corpora).
RESOLVED = [Turn("customer", "Ma box ne capte plus rien depuis ce matin."),
            Turn("agent", "Je relance la ligne à distance. Redémarrez la box."),
            Turn("customer", "Ah ça marche là. Merci c'est réglé.")]
UNRESOLVED = [Turn("customer", "Ma box ne capte plus rien depuis ce matin."),
              Turn("agent", "Un technicien passera peut-être la semaine prochaine."),
              Turn("customer", "Donc toujours rien? Merci quand même.")]


@pytest.fixture(scope="module")
def encoder() -> Any:
    return get_encoder(USE_M3)


WARM = Turn("agent", "Oh je suis désolée, sans internet en télétravail c'est vraiment pénible.")


def _rows() -> list[dict[str, Any]]:
    """Resolved and unresolved endings, each with and without a warm agent turn."""
    rows = []
    for k in range(16):
        ending, warm = (RESOLVED, UNRESOLVED)[k % 2], k % 4 < 2
        turns = ending[:1] + ([WARM] if warm else []) + ending[1:]
        rows.append({"id": k, "domain": f"d{k % 3}", "turns": turns, "resolved": int(k % 2 == 0),
                     "agent_empathy": [1, 0] if warm else [0]})
    return rows


def test_fields_and_position_features_read_the_end_of_the_conversation(encoder: Any) -> None:
    """`tail` holds the last two turns' sentences, `last_customer` the last customer turn's,
    and the position features see that the customer wrote last and asked a question."""
    (ec,) = encode_conversations(encoder, [UNRESOLVED])
    texts = [s.text for s in ec.sentences]
    assert [texts[k] for k in field_sentences(ec, "last_customer")] == [
        "Donc toujours rien?", "Merci quand même."]
    assert len(field_sentences(ec, "tail")) == len(texts) - 1
    assert len(field_sentences(ec, "all")) == len(texts)
    np.testing.assert_allclose(structure_features(ec), [1.0, 1.0, 1.0, 0.3])
    assert "c est" in sentence_tokens("C'est bon") and "2" not in sentence_tokens("a 2 b")


def test_lexicon_head_has_exact_evidence_and_reads_the_closing_words(encoder: Any) -> None:
    """A resolution head with the lexicon: the sentence contributions plus the baseline add
    up to the logit exactly, the resolved ending scores above the unresolved one, and a
    sentence of the closing customer turn is evidence pushing it up."""
    emp, res, _ = fit_heads(_rows(), encoder, cv=3, lexical_features=0,
                            resolution_lexicon={"min_df": 1})
    assert isinstance(res, LexicalResolutionClassifier)
    assert isinstance(res.lexicon_, ConversationLexicon)
    model = AutoQAModel(emp, res, encoder=encoder, version="t", metadata={"languages": ["fr"]})
    for conv in (RESOLVED, UNRESOLVED):
        parts = model.explain(conv)
        total = parts["resolution_contributions"].sum() + parts["resolution_intercept"]
        assert total == pytest.approx(parts["resolution_logit"], abs=1e-9)
    good, bad = model.predict([RESOLVED, UNRESOLVED])
    assert good.resolution_probability > bad.resolution_probability
    assert any(e.turn == 2 and e.weight > 0 for e in good.resolution_evidence)


def test_lexicon_head_survives_save_and_load(encoder: Any, tmp_path: Path) -> None:
    """The saved artifact keeps the lexicon: a reloaded model gives the same probability."""
    emp, res, _ = fit_heads(_rows(), encoder, cv=3, lexical_features=0,
                            resolution_lexicon={"min_df": 1})
    model = AutoQAModel(emp, res, encoder=encoder, version="t", metadata={"languages": ["fr"]})
    model.save(tmp_path / "m")
    again = AutoQAModel.load(tmp_path / "m")
    before = model.predict([UNRESOLVED])[0].resolution_probability
    assert again.predict([UNRESOLVED])[0].resolution_probability == pytest.approx(before, abs=1e-12)


def test_default_recipe_has_no_lexicon(encoder: Any) -> None:
    """Without resolution_lexicon the resolution head is the plain head on the pooled blocks
    (the English recipe is unchanged)."""
    _, res, _ = fit_heads(_rows(), encoder, cv=3, lexical_features=0)
    assert type(res) is CalibratedLinearClassifier
    assert not hasattr(res, "lexicon_")


@pytest.mark.parametrize("value", ["{not json", "[1, 2]", '{"colour": "red"}'])
def test_train_cli_rejects_bad_lexicon_options(tmp_path: Path, value: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m scoring train --resolution-lexicon` with bad JSON, a non-object or an unknown
    option exits 2 with a one-line error, before or instead of a traceback."""
    from scoring.__main__ import main

    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": r["id"], "domain": r["domain"],
                                          "turns": [t.__dict__ for t in r["turns"]],
                                          "resolved": r["resolved"],
                                          "agent_empathy": r["agent_empathy"]}) + "\n"
                              for r in _rows()), encoding="utf-8")
    code = main(["train", str(corpus), "--out", str(tmp_path / "m"), "--encoder", USE_M3,
                 "--resolution-lexicon", value])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err
    assert not (tmp_path / "m" / "model.json").exists()
