"""Lexical and turn-position features for the resolution head (opt-in; issue 15, French).

A sentence encoder blurs the short closing words that decide whether a conversation ended
resolved ("ah ça marche", "c'est bon là", "merci quand même", "je vais le faire dans la
semaine"); a bag of words reads them directly. `ConversationLexicon` adds, beside the pooled
embedding blocks of `model.resolution_features`:

* one word/bigram TF-IDF per *field* of the conversation: ``all`` (every sentence), ``tail``
  (the last two turns), ``last_customer`` and ``last_agent`` (the last turn of each speaker);
  each field's row is L2-normalised (sublinear tf, IDF of the training conversations) and
  multiplied by ``weight``;
* a few turn-position features (``structure``), multiplied by ``structure_weight``: the customer
  spoke last, the customer wrote after the agent's last turn, the last customer turn asks a
  question, the number of turns.

A field's TF-IDF is computed from the bag of its sentences' tokens (bigrams never cross a
sentence boundary), so the head's logit on it splits exactly over sentences: term t's part
w_t * x_t is shared among the sentences holding t in proportion to their counts. The position
features belong to no sentence and go to the baseline. Evidence therefore stays exact:
baseline + sum(sentence contributions) == logit.

The English recipe does not use this module; a head carries a lexicon only when trained with
``resolution_lexicon`` (see `train.fit_heads`), and such a head is a
`LexicalResolutionClassifier` whose ``lexicon_`` holds the fitted `ConversationLexicon`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

from .classifiers import CalibratedLinearClassifier, _matrix
from .errors import ScoringError

FIELDS = ("all", "tail", "last_customer", "last_agent")
STRUCTURE = ("customer_spoke_last", "customer_after_last_agent", "last_customer_question",
             "turns_over_10")
DEFAULT_OPTIONS: dict[str, Any] = {"fields": list(FIELDS), "weight": 1.0,
                                   "structure_weight": 1.0, "min_df": 2,
                                   "max_features": 20000}
_TOKEN = re.compile(r"[^\W\d_]+")


def sentence_tokens(text: str) -> list[str]:
    """Lower-cased words of letters only (numbers never enter the vocabulary) and their
    bigrams, within one sentence ("c'est bon" -> c, est, bon, "c est", "est bon")."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def analyse_sentences(doc: Sequence[str]) -> list[str]:
    """The tokens of a field: its sentences' tokens, one after the other."""
    return [tok for sentence in doc for tok in sentence_tokens(sentence)]


def field_sentences(ec: Any, field: str) -> list[int]:
    """Indices (into ec.sentences) of the sentences in a field of the conversation."""
    speakers = [t.speaker for t in ec.turns]
    n = len(speakers)
    if field == "all":
        turns = set(range(n))
    elif field == "tail":
        turns = set(range(max(0, n - 2), n))
    elif field in ("last_customer", "last_agent"):
        who = field.split("_", 1)[1]
        last = [i for i, s in enumerate(speakers) if s == who]
        turns = {last[-1]} if last else set()
    else:
        raise ValueError(f"unknown field: {field!r}")
    return [k for k, s in enumerate(ec.sentences) if s.turn in turns]


def structure_features(ec: Any) -> np.ndarray:
    """The turn-position features of STRUCTURE, in that order."""
    speakers = [t.speaker for t in ec.turns]
    customer = [i for i, s in enumerate(speakers) if s == "customer"]
    agent = [i for i, s in enumerate(speakers) if s == "agent"]
    last_customer = ec.turns[customer[-1]].text if customer else ""
    return np.array([
        float(bool(speakers) and speakers[-1] == "customer"),
        float(bool(customer) and (not agent or customer[-1] > agent[-1])),
        float("?" in last_customer),
        len(speakers) / 10.0,
    ])


class ConversationLexicon:
    """Per-field TF-IDF of a conversation's sentences plus turn-position features."""

    def __init__(self, fields: Sequence[str] = FIELDS, weight: float = 1.0,
                 structure_weight: float = 1.0, min_df: int = 2,
                 max_features: int = 20000) -> None:
        for f in fields:
            if f not in FIELDS:
                raise ValueError(f"unknown field: {f!r}")
        self.fields = list(fields)
        self.weight = weight
        self.structure_weight = structure_weight
        self.min_df = min_df
        self.max_features = max_features
        self.vectorizers_: dict[str, Any] = {}

    def options(self) -> dict[str, Any]:
        """The constructor arguments (recorded in model.json)."""
        return {"fields": list(self.fields), "weight": self.weight,
                "structure_weight": self.structure_weight, "min_df": self.min_df,
                "max_features": self.max_features}

    @staticmethod
    def _doc(ec: Any, field: str) -> tuple[str, ...]:
        return tuple(ec.sentences[k].text for k in field_sentences(ec, field))

    def fit(self, encoded: Sequence[Any]) -> ConversationLexicon:
        for f in self.fields:
            self.vectorizers_[f] = TfidfVectorizer(
                analyzer=analyse_sentences, min_df=self.min_df, sublinear_tf=True,
                max_features=self.max_features).fit([self._doc(ec, f) for ec in encoded])
        return self

    @property
    def n_features(self) -> int:
        return sum(len(v.vocabulary_) for v in self.vectorizers_.values()) + len(STRUCTURE)

    def features(self, encoded: Sequence[Any]) -> Any:
        """(n_conversations, n_features) CSR: [weight x TF-IDF per field, structure]."""
        blocks = [self.vectorizers_[f].transform([self._doc(ec, f) for ec in encoded])
                  * self.weight for f in self.fields]
        structure = np.array([structure_features(ec) for ec in encoded]).reshape(
            len(encoded), len(STRUCTURE)) * self.structure_weight
        blocks.append(sparse.csr_matrix(structure))
        return sparse.hstack(blocks, format="csr")

    def contributions(self, ec: Any, coef: np.ndarray) -> tuple[np.ndarray, float]:
        """Each sentence's exact share of coef . features(ec), and the part no sentence holds
        (the position features): sum(shares) + offset == coef . features(ec)."""
        out = np.zeros(len(ec.sentences))
        at = 0
        for f in self.fields:
            vec = self.vectorizers_[f]
            vocab = vec.vocabulary_
            w = np.asarray(coef[at:at + len(vocab)], dtype=np.float64)
            at += len(vocab)
            members = field_sentences(ec, f)
            if not members:
                continue
            row = vec.transform([self._doc(ec, f)]).tocsr() * self.weight
            value = dict(zip(row.indices.tolist(), (row.data * w[row.indices]).tolist(),
                             strict=True))
            counts = [Counter(t for t in sentence_tokens(ec.sentences[k].text) if t in vocab)
                      for k in members]
            totals: Counter[str] = Counter()
            for c in counts:
                totals.update(c)
            for k, c in zip(members, counts, strict=True):
                out[k] += sum(value.get(vocab[t], 0.0) * n / totals[t] for t, n in c.items())
        tail = np.asarray(coef[at:at + len(STRUCTURE)], dtype=np.float64)
        offset = float(structure_features(ec) @ tail) * self.structure_weight
        return out, offset


class LexicalResolutionClassifier(CalibratedLinearClassifier):
    """The calibrated resolution head over [pooled embedding blocks, ConversationLexicon
    features] (sparse input); ``lexicon_`` is the fitted lexicon, ``n_dense_`` the number of
    embedding features in front (``coef_[:n_dense_]`` reshapes into RESOLUTION_BLOCKS)."""

    def fit(self, X: Any, y: np.ndarray, groups: np.ndarray | None = None
            ) -> LexicalResolutionClassifier:
        X = _matrix(sparse.csr_matrix(X) if not sparse.issparse(X) else X)
        self._fit_matrix(X, y, groups)
        return self


def fit_lexical_resolution_head(encoded: Sequence[Any], dense: np.ndarray, y: np.ndarray,
                                groups: np.ndarray, *, C: float, cv: int, seed: int,
                                options: dict[str, Any]) -> LexicalResolutionClassifier:
    """Fit a ConversationLexicon on the training conversations and the head on
    [dense pooled blocks, lexicon features]."""
    try:
        lexicon = ConversationLexicon(**{**DEFAULT_OPTIONS, **options})
    except (TypeError, ValueError) as exc:
        raise ScoringError(f"bad resolution lexicon options {options!r}: {exc}") from exc
    lexicon.fit(encoded)
    X = sparse.hstack([sparse.csr_matrix(dense), lexicon.features(encoded)], format="csr")
    head = LexicalResolutionClassifier(C=C, cv=cv, random_state=seed)
    head.fit(X, y, groups=groups)
    head.lexicon_ = lexicon
    head.n_dense_ = int(dense.shape[1])
    return head


def resolution_input(head: Any, ec: Any, dense: np.ndarray) -> Any:
    """What `head` scores for one conversation: the pooled blocks, plus the lexicon features
    when the head has a ConversationLexicon."""
    lexicon = getattr(head, "lexicon_", None)
    if not isinstance(lexicon, ConversationLexicon):
        return dense[None, :]
    return sparse.hstack([sparse.csr_matrix(dense[None, :]), lexicon.features([ec])],
                         format="csr")
