"""The lexical half of the empathy head's sentence features: word and bigram TF-IDF.

MiniLM sentence vectors capture meaning but blur the short, informal wording that marks warmth
("oof", "hugs", "ugh that sucks", "proud of you"); a bag of words keeps it. The max-pooled
empathy head therefore scores each sentence on [its embedding, weight x its TF-IDF row] with one
linear weight vector, so a sentence logit is still w . features + b and a turn's evidence (its
warmest sentence) still carries the turn's whole logit, exactly.

The vocabulary and IDF are fitted on the training sentences (agent and customer) and saved with
the head (`lexicon_`); a head without one scores embeddings only (older artifacts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

DEFAULT_MAX_FEATURES = 5000
DEFAULT_WEIGHT = 1.0


class SentenceLexicon:
    """TF-IDF of single sentences (word 1-2 grams, sublinear tf, rows L2-normalised) x weight."""

    def __init__(self, max_features: int = DEFAULT_MAX_FEATURES,
                 weight: float = DEFAULT_WEIGHT) -> None:
        self.max_features = max_features
        self.weight = weight
        self.vectorizer_: Any = None

    def fit(self, texts: Sequence[str]) -> SentenceLexicon:
        """Fit on the distinct texts (a sentence repeated, e.g. a reviewer label weighted three
        times, counts once); tokens are words of letters only, so numbers (phone numbers, order
        and card fragments) never enter the vocabulary saved with the model."""
        self.vectorizer_ = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=self.max_features,
            token_pattern=r"(?u)\b[^\W\d_]{2,}\b").fit(sorted(set(texts)))
        return self

    @property
    def n_features(self) -> int:
        return len(self.vectorizer_.vocabulary_)

    def features(self, embeddings: np.ndarray, texts: Sequence[str]) -> Any:
        """(n_sentences, dim + n_features) CSR matrix: [embeddings, weight x TF-IDF]."""
        if len(texts) != len(embeddings):
            raise ValueError("one text per embedding row is needed")
        if not len(texts):
            return sparse.csr_matrix((0, embeddings.shape[1] + self.n_features))
        lexical = self.vectorizer_.transform(list(texts)) * self.weight
        return sparse.hstack([sparse.csr_matrix(embeddings), lexical], format="csr")


def sentence_features(head: Any, embeddings: np.ndarray, texts: Sequence[str]) -> Any:
    """What `head` scores per sentence: embeddings, plus TF-IDF when it has a lexicon."""
    lexicon = getattr(head, "lexicon_", None)
    return embeddings if lexicon is None else lexicon.features(embeddings, texts)
