"""The contrast pairs of issue 20 (data/autoqa/contrast_*.jsonl, fr/contrast_*.jsonl): schema,
pairing, labels that differ exactly where the pair says, and a test set that never leaks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.contrast import TEST_SETS, TRAIN_SETS, VARIANTS, aligned_turns, group_pairs, load_rows
from scoring.train import load_corpus
from tests.conftest import ROOT

DATA = ROOT / "data" / "autoqa"
KEYS = {"id", "domain", "style", "turns", "resolved", "agent_empathy", "tags", "pair", "contrast",
        "variant"}
STYLES = {"phone", "chat", "email", "social"}
FILES = [(lang, split, path) for split, sets in (("train", TRAIN_SETS), ("test", TEST_SETS))
         for lang, path in sets.items()]
PREFIX = {("en", "train"): "ct", ("en", "test"): "ctt", ("fr", "train"): "fr-ct",
          ("fr", "test"): "fr-ctt"}


def _long_turns(rows: list[dict]) -> set[str]:
    return {t["text"] for r in rows for t in r["turns"] if len(t["text"]) > 25}


@pytest.mark.parametrize(("lang", "split", "path"), FILES, ids=[f"{a}-{b}" for a, b, _ in FILES])
def test_rows_load_and_have_the_contrast_schema(lang: str, split: str, path: Path) -> None:
    """Each file loads through load_corpus, is big enough, and every row has the corpus keys plus
    pair / contrast / variant (and language "fr" in French), with ids in order."""
    assert len(load_corpus(path)) >= (120 if split == "train" else 80)
    rows = load_rows(path)
    assert [r["id"] for r in rows] == [f"{PREFIX[lang, split]}-{i:04d}"
                                       for i in range(1, len(rows) + 1)]
    for r in rows:
        assert set(r) == KEYS | ({"language"} if lang == "fr" else set()), r["id"]
        assert r.get("language", "en") == lang and r["style"] in STYLES, r["id"]
        assert r["variant"] in VARIANTS[r["contrast"]], r["id"]
        assert {"hand_written", "contrast"} <= set(r["tags"]), r["id"]
        assert all(t["text"] == t["text"].strip() and t["text"] for t in r["turns"]), r["id"]


@pytest.mark.parametrize(("lang", "split", "path"), FILES, ids=[f"{a}-{b}" for a, b, _ in FILES])
def test_every_pair_is_complete_and_differs_only_where_it_should(lang: str, split: str,
                                                                 path: Path) -> None:
    """A tone/outcome quadruple has all four variants on one situation (same opening turn, same
    domain and style): the resolved label follows the outcome, warm variants have an empathetic
    agent turn and curt ones none. An apology pair has both sides with the same outcome, the same
    customer turns and as many agent turns, and the situated side is warm exactly where the stock
    side is not."""
    groups = group_pairs(load_rows(path))
    contrasts = {next(iter(g.values()))["contrast"] for g in groups.values()}
    assert contrasts == {"tone_outcome", "apology"}
    for pair, g in groups.items():
        contrast = next(iter(g.values()))["contrast"]
        assert set(g) == set(VARIANTS[contrast]), pair
        rows = list(g.values())
        assert all(r["contrast"] == contrast for r in rows), pair
        assert len({(r["domain"], r["style"], r["turns"][0]["text"]) for r in rows}) == 1, pair
        if contrast == "tone_outcome":
            for variant, r in g.items():
                assert r["resolved"] == int(variant.endswith("_resolved")), r["id"]
                assert (sum(r["agent_empathy"]) > 0) == variant.startswith("warm"), r["id"]
        else:
            stock, situated = g["stock_apology"], g["situated"]
            assert stock["resolved"] == situated["resolved"], pair
            customers = [[t["text"] for t in r["turns"] if t["speaker"] == "customer"]
                         for r in (stock, situated)]
            assert customers[0] == customers[1], pair
            assert sum(stock["agent_empathy"]) == 0, stock["id"]
            assert len(aligned_turns(g)) == sum(situated["agent_empathy"]) >= 1, pair


def test_both_outcomes_and_both_apology_outcomes_occur() -> None:
    """The apology pairs are not all resolved or all unresolved in any file (empathy must not
    stand in for the outcome), and pair ids never repeat across files."""
    seen: set[str] = set()
    for _, _, path in FILES:
        groups = group_pairs(load_rows(path))
        outcomes = {g["situated"]["resolved"] for g in groups.values() if "situated" in g}
        assert outcomes == {0, 1}, path
        assert seen.isdisjoint(groups), path
        seen |= set(groups)


def test_the_test_pairs_share_nothing_with_any_training_file() -> None:
    """No turn over 25 characters of a contrast test file appears in the contrast training
    files, the English corpus, the hand-written files or the hold-out set, and no id repeats."""
    training = [load_rows(p) for p in TRAIN_SETS.values()] + [
        [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()
         if line.strip()]
        for name in ("conversations.jsonl", "handwritten.jsonl", "holdout.jsonl",
                     "fr/handwritten.jsonl")]
    seen = set().union(*(_long_turns(rows) for rows in training))
    ids = {r["id"] for rows in training for r in rows}
    for path in TEST_SETS.values():
        rows = load_rows(path)
        shared = _long_turns(rows) & seen
        assert not shared, sorted(shared)[:3]
        assert ids.isdisjoint(r["id"] for r in rows)


def test_the_english_corpus_holds_the_training_pairs_and_not_the_test_pairs() -> None:
    """build_corpus.py appended contrast_train.jsonl verbatim to conversations.jsonl (rebuilt),
    and no test pair is in it."""
    corpus = {r["id"]: r for r in (json.loads(line) for line in
              (DATA / "conversations.jsonl").read_text(encoding="utf-8").splitlines())}
    for r in load_rows(TRAIN_SETS["en"]):
        assert corpus.get(r["id"]) == r, r["id"]
    assert not any(r["id"] in corpus for r in load_rows(TEST_SETS["en"]))
