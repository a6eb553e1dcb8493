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

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

DEFAULT_MAX_FEATURES = 5000
DEFAULT_WEIGHT = 1.0

# Acknowledgement cues (issue 20): a stock apology ("I'm sorry to hear that!", "Sorry for the
# inconvenience") names nothing of the person's situation; a situated one does ("I'm sorry your
# flight was cancelled on your wedding day"). A sentence with a sympathy word is "stock" when
# none of its words is outside the stock vocabulary below, "situated" with two or more.
_SYMPATHY = re.compile(r"\b(sorry|apologi[sz]e[sd]?|apologies|regret|unfortunate(ly)?|"
                       r"understand|hear(ing)?|sympath\w*)\b", re.IGNORECASE)
_WORDS = re.compile(r"[^\W\d_]{2,}")
_STOCK_WORDS_TEXT = """
a about again all am an and any are as at be been being but by can could dear do does for from
get got had has have having he her hi hello hey him his how i if im i'm in is it its it's just
know let me my of oh on or our ours really sincerely so such sure that the their them then there
these they this those to too truly us very was we we're were what when which who will with would
you your you're yours deeply extremely terribly awfully much
sorry apologise apologize apologised apologized apologies apology apologises apologizes regret
regrets unfortunate unfortunately understand understandable hear hearing heard sympathy
sympathise sympathize sympathies inconvenience inconveniences caused cause trouble troubles
issue issues problem problems situation experience experiences frustration frustrations wait
waiting delay delays any hassle matter concern concerns feel feeling sounds sound please thanks
thank patience team customer service re ve ll
"""
_STOCK_WORDS = frozenset(_STOCK_WORDS_TEXT.split())
CUE_NAMES = ("stock_acknowledgement", "situated_acknowledgement")


def acknowledgement_cues(texts: Sequence[str]) -> np.ndarray:
    """(n, 2): [sympathy words and nothing situation-specific, sympathy words and >= 2 words
    outside the stock vocabulary] per sentence."""
    out = np.zeros((len(texts), len(CUE_NAMES)))
    for i, text in enumerate(texts):
        if not _SYMPATHY.search(text):
            continue
        specific = sum(w.lower() not in _STOCK_WORDS for w in _WORDS.findall(text))
        out[i, 0] = float(specific == 0)
        out[i, 1] = float(specific >= 2)
    return out


class SentenceLexicon:
    """TF-IDF of single sentences (word 1-2 grams, sublinear tf, rows L2-normalised) x weight."""

    def __init__(self, max_features: int = DEFAULT_MAX_FEATURES,
                 weight: float = DEFAULT_WEIGHT, cues: bool = False) -> None:
        self.max_features = max_features
        self.weight = weight
        self.cues = cues  # append acknowledgement_cues (older artifacts: no attribute, False)
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
        cues = len(CUE_NAMES) if getattr(self, "cues", False) else 0
        return len(self.vectorizer_.vocabulary_) + cues

    def features(self, embeddings: np.ndarray, texts: Sequence[str]) -> Any:
        """(n_sentences, dim + n_features) CSR matrix: [embeddings, weight x TF-IDF]."""
        if len(texts) != len(embeddings):
            raise ValueError("one text per embedding row is needed")
        if not len(texts):
            return sparse.csr_matrix((0, embeddings.shape[1] + self.n_features))
        lexical = self.vectorizer_.transform(list(texts)) * self.weight
        parts = [sparse.csr_matrix(embeddings), lexical]
        if getattr(self, "cues", False):
            parts.append(sparse.csr_matrix(acknowledgement_cues(texts)))
        return sparse.hstack(parts, format="csr")


def sentence_features(head: Any, embeddings: np.ndarray, texts: Sequence[str]) -> Any:
    """What `head` scores per sentence: embeddings, plus TF-IDF when it has a lexicon."""
    lexicon = getattr(head, "lexicon_", None)
    return embeddings if lexicon is None else lexicon.features(embeddings, texts)
