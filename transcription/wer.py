"""Word error rate with a small text normaliser (lower case, no punctuation, numbers as-is)."""

from __future__ import annotations

import re
from collections.abc import Sequence

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
# Letters of any alphabet are word characters: French "reçu" or "à" stay whole words.
_NON_WORD = re.compile(r"[^\w' ]+|_")
# Hesitations carry no content and references disagree on writing them; drop them.
FILLERS = frozenset({"uh", "um", "uhm", "umm", "hmm", "mm", "mhm", "er", "erm", "ah", "eh"})


def normalize(text: str) -> list[str]:
    """Lower-case words without punctuation or fillers ("uh"); "don't", "reçu" and "49" stay
    as they are."""
    text = text.lower().translate(_APOSTROPHES)
    # Separators inside numbers ("1,250" / "3.5") vanish so the number stays one token.
    text = re.sub(r"(?<=\d)[,.](?=\d)", "", text)
    text = _NON_WORD.sub(" ", text.replace("-", " "))
    words = (w.strip("'") for w in text.split())
    return [w for w in words if w and w not in FILLERS]


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    """Levenshtein distance between two word sequences."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, after normalising."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)
