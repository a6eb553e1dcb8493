"""Template helpers: score labels and the AutoQA evidence marks in transcripts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup, escape

from .services.autoqa import turn_groups
from .services.reviews import score_value

Span = tuple[int, int, str, float]  # start, end, AutoQA key, weight


def score_label(value: float) -> str:
    """A 0-100 score rounded for display, never rounded up to a certainty it is not: 99.6 shows
    as ">99" and 0.3 as "<1" (an AutoQA probability is never exactly 0% or 100%)."""
    if 99 < value < 100:
        return ">99"
    if 0 < value < 1:
        return "<1"
    return f"{value:.0f}"


# The prefix of the cascade's first-pass model versions (scoring.cascade.FIRST_PASS_PREFIX; the
# web app does not import scoring to render a card, tests/test_cascade.py checks they agree).
FIRST_PASS_PREFIX = "autoqa-fp-"


def autoqa_stage(model_version: str | None) -> str:
    """Which cascade stage gave a built-in AutoQA score: "first_pass" or "full"."""
    return "first_pass" if str(model_version or "").startswith(FIRST_PASS_PREFIX) else "full"


def evidence_spans(segments: Sequence[Any], auto_scores: Iterable[Any]) -> dict[int, list[Span]]:
    """{segment position: spans of the AutoQA evidence sentences in its text}.

    Evidence names a dialogue turn (consecutive segments of one speaker joined, as the scorer
    saw them: `autoqa.turn_groups`), so each sentence is looked for only in the segments of
    its own turn, whitespace-insensitively; one that crosses a segment boundary is not marked.
    """
    turns = [members for _, _, members in turn_groups(segments)]
    spans: dict[int, list[Span]] = {}
    for score in auto_scores:
        for item in (score.evidence or [])[:6]:
            words = str(item.get("text") or "").split()
            turn = item.get("turn")
            if not words or not isinstance(turn, int) or not 0 <= turn < len(turns):
                continue
            pattern = re.compile(r"\s+".join(map(re.escape, words)))
            for seg in turns[turn]:
                if found := pattern.search(seg.text):
                    weight = float(item.get("weight") or 0.0)
                    spans.setdefault(seg.position, []).append(
                        (found.start(), found.end(), score.criterion, weight))
                    break
    return spans


def evidence_marks(text: str, spans: Iterable[Span] | None) -> Markup:
    """A segment's text, escaped, each evidence sentence wrapped in <mark class="ev up|down|mixed">
    (up: it pushed every score it is evidence for up) titled with the scores and weights, e.g.
    "empathy +2.31 · resolution -0.20". Overlapping sentences are merged into one mark."""
    merged: list[tuple[int, int, list[tuple[str, float]]]] = []
    for start, end, key, weight in sorted(spans or []):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), [*last[2], (key, weight)])
        else:
            merged.append((start, end, [(key, weight)]))
    out, at = Markup(""), 0
    for start, end, items in merged:
        signs = {w > 0 for _, w in items}
        kind = "mixed" if len(signs) > 1 else ("up" if True in signs else "down")
        title = " · ".join(f"{key} {w:+.2f}" for key, w in items)
        out += escape(text[at:start])
        out += Markup('<mark class="ev {}" title="{}">{}</mark>').format(kind, title,
                                                                         text[start:end])
        at = end
    return out + escape(text[at:])


def review_score_text(value: float | None) -> str:
    """A review score as text under that rule: 72.5 stays "72.5", 82.0 shows as "82", none
    as "–"."""
    rounded = score_value(value)
    if rounded is None:
        return "–"
    return f"{rounded:.1f}".removesuffix(".0")
