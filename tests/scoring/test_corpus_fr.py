"""The French AutoQA corpus (data/autoqa/fr/handwritten.jsonl): schema, balance, no leaks."""

from __future__ import annotations

import importlib.util
import json
import re

from scoring.train import load_corpus
from tests.conftest import ROOT

DATA = ROOT / "data" / "autoqa"
FR = DATA / "fr" / "handwritten.jsonl"
STYLES = {"phone", "chat", "email", "social"}
DOMAINS = {"telco", "banking", "ecommerce", "energy", "saas", "transport", "insurance",
           "government"}
KEYS = {"id", "language", "domain", "style", "turns", "resolved", "agent_empathy", "tags"}

_spec = importlib.util.spec_from_file_location("fr_stats", DATA / "fr" / "stats.py")
assert _spec and _spec.loader
stats = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stats)


def raw_rows() -> list[dict]:
    return [json.loads(line) for line in FR.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_french_rows_load_with_the_training_schema() -> None:
    """Every line loads through load_corpus (one empathy label per agent turn, resolved 0/1)."""
    rows = load_corpus(FR)
    assert len(rows) >= 600
    for r in rows:
        n_agent = sum(t.speaker == "agent" for t in r["turns"])
        assert n_agent >= 1 and len(r["agent_empathy"]) == n_agent, r["id"]
        assert set(r["agent_empathy"]) <= {0, 1}, r["id"]


def test_french_rows_have_the_expected_keys_ids_and_language() -> None:
    """Same keys as the English rows plus language "fr", ids fr-0001... unique and in order."""
    rows = raw_rows()
    ids = [r["id"] for r in rows]
    assert ids == [f"fr-{i:04d}" for i in range(1, len(rows) + 1)]
    for r in rows:
        assert set(r) == KEYS, r["id"]
        assert r["language"] == "fr" and r["style"] in STYLES and r["domain"] in DOMAINS, r["id"]
        assert "hand_written" in r["tags"], r["id"]
        assert all(t["speaker"] in ("customer", "agent") and t["text"] == t["text"].strip()
                   and t["text"] for t in r["turns"]), r["id"]


def test_french_corpus_has_no_duplicates() -> None:
    """No conversation appears twice, and no substantial turn (over 40 characters) is repeated."""
    rows = raw_rows()
    convs = [tuple(t["text"] for t in r["turns"]) for r in rows]
    assert len(set(convs)) == len(convs)
    long_turns = [t["text"] for r in rows for t in r["turns"] if len(t["text"]) > 40]
    repeated = {t for t in long_turns if long_turns.count(t) > 1}
    assert not repeated, sorted(repeated)[:3]


def test_french_corpus_shares_nothing_with_the_english_files() -> None:
    """No id and no turn longer than 25 characters is shared with the English corpus files."""
    rows = raw_rows()
    english = [load_corpus(DATA / name) for name in
               ("handwritten.jsonl", "conversations.jsonl", "holdout.jsonl")]
    seen = {t.text for part in english for r in part for t in r["turns"]}
    shared = {t["text"] for r in rows for t in r["turns"] if len(t["text"]) > 25} & seen
    assert not shared, sorted(shared)[:3]
    english_ids = {r["id"] for part in english for r in part}
    assert english_ids.isdisjoint({r["id"] for r in rows})


def test_french_labels_are_balanced_in_every_style() -> None:
    """Each style holds resolved and unresolved rows and empathetic and cold agent turns."""
    rows = raw_rows()
    assert 0.4 <= sum(r["resolved"] for r in rows) / len(rows) <= 0.6
    for style in STYLES:
        sel = [r for r in rows if r["style"] == style]
        assert {r["resolved"] for r in sel} == {0, 1}, style
        emp = [e for r in sel for e in r["agent_empathy"]]
        assert 0.1 <= sum(emp) / len(emp) <= 0.9, style


def test_french_readme_counts_are_current() -> None:
    """The counts block in data/autoqa/fr/README.md is what stats.py computes from the file."""
    readme = (DATA / "fr" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- stats -->\n(.*)\n<!-- /stats -->", readme, re.S)
    assert block, "README.md has no <!-- stats --> block"
    assert block.group(1).strip() == stats.summary(raw_rows()).strip()


# The French hold-out set (data/autoqa/fr/holdout.jsonl): written by hand without seeing the
# model, never trained on. Same schema, a wider set of domains (English keys), ids frh-0001...
HOLDOUT = DATA / "fr" / "holdout.jsonl"
HOLDOUT_DOMAINS = DOMAINS | {"healthcare", "delivery", "travel", "streaming", "food_delivery",
                             "car_rental", "education", "hotels"}


def holdout_rows() -> list[dict]:
    return [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_french_holdout_has_the_training_schema_and_frh_ids() -> None:
    """The hold-out loads through load_corpus, has the French keys, unique in-order frh- ids,
    3-12 turns with both speakers, and the hand_written and holdout tags on every row."""
    loaded = load_corpus(HOLDOUT)  # one empathy label per agent turn, resolved 0/1
    rows = holdout_rows()
    assert len(loaded) == len(rows) >= 250
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert ids == [f"frh-{i:04d}" for i in range(1, len(rows) + 1)]
    for r in rows:
        assert set(r) == KEYS, r["id"]
        assert r["language"] == "fr" and r["style"] in STYLES, r["id"]
        assert r["domain"] in HOLDOUT_DOMAINS, r["id"]
        assert {"hand_written", "holdout"} <= set(r["tags"]), r["id"]
        assert 3 <= len(r["turns"]) <= 12, r["id"]
        speakers = {t["speaker"] for t in r["turns"]}
        assert speakers == {"customer", "agent"}, r["id"]
        assert all(t["text"] and t["text"] == t["text"].strip() for t in r["turns"]), r["id"]
        assert set(r["agent_empathy"]) <= {0, 1} and r["resolved"] in (0, 1), r["id"]


def test_french_holdout_shares_no_text_with_the_training_files() -> None:
    """No hold-out conversation, no turn over 25 characters and no id is in the French training
    file or the English corpus files, and no substantial turn (over 40 characters) repeats."""
    rows = holdout_rows()
    train = raw_rows()
    convs = {tuple(t["text"] for t in r["turns"]) for r in train}
    assert not convs & {tuple(t["text"] for t in r["turns"]) for r in rows}
    seen = {t["text"] for r in train for t in r["turns"]}
    for name in ("handwritten.jsonl", "conversations.jsonl", "holdout.jsonl"):
        seen |= {t.text for r in load_corpus(DATA / name) for t in r["turns"]}
    shared = {t["text"] for r in rows for t in r["turns"] if len(t["text"]) > 25} & seen
    assert not shared, sorted(shared)[:3]
    assert {r["id"] for r in train}.isdisjoint({r["id"] for r in rows})
    long_turns = [t["text"] for r in rows for t in r["turns"] if len(t["text"]) > 40]
    repeated = {t for t in long_turns if long_turns.count(t) > 1}
    assert not repeated, sorted(repeated)[:3]


def test_french_holdout_labels_are_balanced() -> None:
    """About half the hold-out is resolved, 15-35% of agent turns are empathetic, and every
    style holds both resolution labels and both empathy labels."""
    rows = holdout_rows()
    assert 0.4 <= sum(r["resolved"] for r in rows) / len(rows) <= 0.6
    emp = [e for r in rows for e in r["agent_empathy"]]
    assert 0.15 <= sum(emp) / len(emp) <= 0.35
    for style in STYLES:
        sel = [r for r in rows if r["style"] == style]
        assert {r["resolved"] for r in sel} == {0, 1}, style
        assert {e for r in sel for e in r["agent_empathy"]} == {0, 1}, style


def test_french_holdout_readme_counts_are_current() -> None:
    """The hold-out counts block in data/autoqa/fr/README.md is what stats.py computes."""
    readme = (DATA / "fr" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- holdout-stats -->\n(.*)\n<!-- /holdout-stats -->", readme, re.S)
    assert block, "README.md has no <!-- holdout-stats --> block"
    assert block.group(1).strip() == stats.summary(holdout_rows()).strip()
