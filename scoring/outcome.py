"""Outcome features for the resolution head (issue 20): what the last turns say, word by word.

The pooled MiniLM blocks of `classifiers.resolution_shares` read the end of a conversation as
meaning, and on the contrast pairs that meaning followed the agent's warmth: a curt "Refunded."
followed by the customer's "got it, thanks" read less resolved than a warm turn promising a
callback. These features read what happened instead:

* a bag of words and bigrams (counts x IDF, the turn's row L2-normalised) of the **last customer
  turn** (confirmation: "yep that's him", "works now"; or not: "it's been 2 hours") and of the
  **last agent turn** (an action done: "refunded", "unlocked"; or deferred: "will call you back");
* turn-position features: who spoke last, how many turns, how long the last customer turn is.

Everything stays linear in the sentences, so evidence stays exact: words and bigrams are counted
per sentence and a turn's count row is the sum of its sentences' rows, so turn row = sum_s
(counts_s x idf) / |counts_turn x idf|, and each sentence's contribution to w . row is its own
term. The training mean of each block is shared equally over the block's sentences (as in
evidence.py, any exact split would do); the position features have no sentence and go to the
baseline. `OutcomeFeatures` is fitted on the training conversations and saved with the
resolution head (`outcome_`); a head without it is the plain pooled head.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer  # type: ignore[import-untyped]

LEXICAL_BLOCKS = ("last_customer_words", "last_agent_words")
POSITION_FEATURES = ("customer_spoke_last", "log_turns", "log_last_customer_words")
DEFAULT_MAX_FEATURES = 3000
DEFAULT_WEIGHT = 1.0


def _last_turn(speakers: Sequence[str], who: str) -> int:
    for i in range(len(speakers) - 1, -1, -1):
        if speakers[i] == who:
            return i
    return -1


class OutcomeFeatures:
    """Word/bigram rows of the last customer and last agent turn, plus position features."""

    def __init__(self, max_features: int = DEFAULT_MAX_FEATURES,
                 weight: float = DEFAULT_WEIGHT) -> None:
        self.max_features = max_features
        self.weight = weight
        self.vectorizer_: Any = None
        self.idf_: np.ndarray = np.zeros(0)

    @property
    def n_words(self) -> int:
        return len(self.vectorizer_.vocabulary_)

    @property
    def n_features(self) -> int:
        return len(LEXICAL_BLOCKS) * self.n_words + len(POSITION_FEATURES)

    def fit(self, encoded: Sequence[Any]) -> OutcomeFeatures:
        """Vocabulary and IDF from the last customer and last agent turns of the training
        conversations (`EncodedConversation`s); letters-only tokens, so no numbers are saved."""
        docs = []
        for ec in encoded:
            for who in ("customer", "agent"):
                i = _last_turn(ec.speakers, who)
                if i >= 0:
                    docs.append(ec.turns[i].text)
        self.vectorizer_ = CountVectorizer(ngram_range=(1, 2), min_df=2,
                                           max_features=self.max_features,
                                           token_pattern=r"(?u)\b[^\W\d_]{2,}\b").fit(docs)
        df = np.asarray((self.vectorizer_.transform(docs) > 0).sum(axis=0)).reshape(-1)
        self.idf_ = np.log((1.0 + len(docs)) / (1.0 + df)) + 1.0
        return self

    def sentence_rows(self, ec: Any) -> tuple[np.ndarray, np.ndarray]:
        """(n_sentences, n_blocks * n_words) each sentence's exact share of the two word blocks,
        and the (n_blocks,) mask of blocks present in this conversation."""
        n_words = self.n_words
        rows = np.zeros((len(ec.sentences), len(LEXICAL_BLOCKS) * n_words))
        present = np.zeros(len(LEXICAL_BLOCKS), dtype=bool)
        if not len(ec.sentences):
            return rows, present
        turn_of = np.asarray(ec.sentence_turn)
        for b, who in enumerate(("customer", "agent")):
            i = _last_turn(ec.speakers, who)
            if i < 0:
                continue
            members = np.flatnonzero(turn_of == i)
            if not len(members):
                continue
            present[b] = True
            counts = self.vectorizer_.transform([ec.sentences[k].text for k in members])
            weighted = counts.toarray().astype(np.float64) * self.idf_[None, :]
            norm = float(np.linalg.norm(weighted.sum(axis=0)))
            if norm > 0:
                rows[members, b * n_words:(b + 1) * n_words] = weighted * (self.weight / norm)
        return rows, present

    def position(self, ec: Any) -> np.ndarray:
        speakers = ec.speakers
        last_customer = _last_turn(speakers, "customer")
        words = len(ec.turns[last_customer].text.split()) if last_customer >= 0 else 0
        return np.array([float(bool(speakers) and speakers[-1] == "customer"),
                         math.log1p(len(speakers)), math.log1p(words)])

    def features(self, ec: Any) -> np.ndarray:
        """The conversation's outcome feature vector (n_features,)."""
        rows, _ = self.sentence_rows(ec)
        return np.concatenate([rows.sum(axis=0), self.position(ec)])

    def contributions(self, ec: Any, weights: np.ndarray,
                      mean: np.ndarray | None) -> tuple[np.ndarray, float]:
        """Each sentence's exact share of weights . (features - mean) over the word blocks, and
        the baseline part: weights . position features plus the means of the word blocks present
        (so baseline + sum(contributions) == weights . features)."""
        n_words = self.n_words
        lexical_w = weights[:len(LEXICAL_BLOCKS) * n_words]
        rows, present = self.sentence_rows(ec)
        contributions = rows @ lexical_w if len(rows) else np.zeros(0)
        offset = float(weights[len(LEXICAL_BLOCKS) * n_words:] @ self.position(ec))
        if mean is None or not len(rows):
            return contributions, offset
        turn_of = np.asarray(ec.sentence_turn)
        for b, who in enumerate(("customer", "agent")):
            if not present[b]:
                continue
            block = slice(b * n_words, (b + 1) * n_words)
            expected = float(lexical_w[block] @ mean[block])
            members = np.flatnonzero(turn_of == _last_turn(ec.speakers, who))
            contributions[members] -= expected / len(members)
            offset += expected
        return contributions, offset
