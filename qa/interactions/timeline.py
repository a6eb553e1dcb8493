"""The call timeline picture: who spoke when, silences, holds, overtalk and interruptions, as an
inline SVG rendered on the server from a call's stored analytics (qa/services/call_analytics.py).

No JavaScript, and CSP-clean like the dashboard charts: colours are SVG presentation
attributes. Every span is a rect with a class naming its kind (`span agent`, `span silence`...)
and a <title> (its kind and times, read by screen readers and shown on hover); the picture as a
whole is role="img" with a title and a one-sentence description of what it shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext
from markupsafe import Markup, escape

W = 640
LEFT, RIGHT, TOP = 84, 8, 6
LANE, GAP, AXIS = 16, 6, 22
COLOURS = {
    "agent": "#2855d8",
    "customer": "#138a55",
    "speech": "#667085",  # speakers not labelled agent or customer
    "overtalk": "#c53030",
    "agent_interruption": "#b7791f",
    "customer_interruption": "#7a5af8",
    "silence": "#d0d5dd",
    "long_silence": "#98a2b3",
    "hold": "#344054",
}
SIDES = ("agent", "customer")


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _step(duration: float) -> int:
    """Seconds between axis ticks: at most about eight ticks."""
    for step in (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800):
        if duration / step <= 8:
            return step
    return 3600


def kind_names() -> dict[str, str]:
    """What each kind of span is called on the page (legend, lane labels, span titles)."""
    return {
        "agent": gettext("Agent"),
        "customer": gettext("Customer"),
        "speech": gettext("Speech (speaker unknown)"),
        "overtalk": gettext("Overtalk"),
        "agent_interruption": gettext("Agent interrupts"),
        "customer_interruption": gettext("Customer interrupts"),
        "silence": gettext("Silence"),
        "long_silence": gettext("Long silence"),
        "hold": gettext("Hold"),
    }


def _lanes(labelled: bool) -> list[tuple[str, str]]:
    """(lane key, its label), top to bottom."""
    names = kind_names()
    speech = [(k, names[k]) for k in SIDES] if labelled else [("speech", names["speech"])]
    marks = [("overtalk", names["overtalk"])] if labelled else []
    return [*speech, *marks, ("silence", names["silence"])]


def _display_kind(span: Mapping[str, Any], labelled: bool, long_silence: float) -> str:
    kind = str(span.get("kind"))
    if kind == "silence" and float(span["end"]) - float(span["start"]) >= long_silence:
        return "long_silence"
    if kind in COLOURS and kind not in SIDES:
        return kind
    return kind if labelled and kind in SIDES else "speech"


def _lane_of(kind: str) -> str:
    if kind in ("long_silence", "hold"):
        return "silence"
    if kind.endswith("_interruption"):
        return "overtalk"
    return kind


def timeline_counts(figures: Mapping[str, Any]) -> dict[str, int]:
    """How many spans of each kind the picture draws (speech of unlabelled speakers: "speech")."""
    labelled = figures.get("talk_ratio") is not None
    threshold = float((figures.get("settings") or {}).get("silence_threshold", 3.0))
    counts: dict[str, int] = {}
    for span in figures.get("timeline") or []:
        kind = _display_kind(span, labelled, threshold)
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _describe(counts: Mapping[str, int], duration: float, labelled: bool) -> str:
    if labelled:
        return gettext(
            "Call of %(duration)s. Agent speaking: %(agent)s, customer speaking: %(customer)s, "
            "overtalk: %(overtalk)s, long silences: %(silences)s, holds: %(holds)s.",
            duration=_clock(duration), agent=counts.get("agent", 0),
            customer=counts.get("customer", 0), overtalk=counts.get("overtalk", 0),
            silences=counts.get("long_silence", 0), holds=counts.get("hold", 0),
        )  # fmt: skip
    return gettext(
        "Call of %(duration)s, speakers unknown. Speech: %(speech)s, long silences: "
        "%(silences)s, holds: %(holds)s.",
        duration=_clock(duration), speech=counts.get("speech", 0),
        silences=counts.get("long_silence", 0), holds=counts.get("hold", 0),
    )  # fmt: skip


def _rect(kind: str, x: float, y: float, width: float, height: float, title: str) -> str:
    return (
        f'<rect class="span {kind}" x="{x:.1f}" y="{y:.1f}" width="{max(width, 0.6):.1f}" '
        f'height="{height}" fill="{COLOURS[kind]}"><title>{escape(title)}</title></rect>'
    )


def _axis(duration: float, y: float, plot_w: float) -> list[str]:
    out = [f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y}" y2="{y}" stroke="#98a2b3"/>']
    step = _step(duration)
    t = 0
    while t <= duration + 1e-9:
        x = LEFT + plot_w * t / duration
        anchor = "end" if x > W - RIGHT - 14 else "middle"  # the last label stays in the frame
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 4}" stroke="#98a2b3"/>'
            f'<text x="{x:.1f}" y="{y + 15}" text-anchor="{anchor}" font-size="10" '
            f'fill="#475467">{_clock(t)}</text>'
        )
        t += step
    return out


def timeline_svg(figures: Mapping[str, Any]) -> Markup:
    """The timeline of one call's analytics (`CallAnalysis.figures`) as inline SVG."""
    labelled = figures.get("talk_ratio") is not None
    duration = max(float(figures.get("duration") or 0), 0.001)
    threshold = float((figures.get("settings") or {}).get("silence_threshold", 3.0))
    lanes = _lanes(labelled)
    row_of = {key: n for n, (key, _) in enumerate(lanes)}
    height = TOP + len(lanes) * (LANE + GAP) + AXIS
    plot_w = W - LEFT - RIGHT
    names = kind_names()
    title = gettext("Timeline of who spoke when")
    counts = timeline_counts(figures)
    body: list[str] = []
    for key, label in lanes:
        y = TOP + row_of[key] * (LANE + GAP)
        body.append(
            f'<text x="{LEFT - 6}" y="{y + LANE - 4}" text-anchor="end" font-size="11" '
            f'fill="#344054">{escape(label)}</text>'
            f'<rect x="{LEFT}" y="{y}" width="{plot_w}" height="{LANE}" fill="#f8f9fb"/>'
        )
    spans: Sequence[Mapping[str, Any]] = figures.get("timeline") or []
    for span in spans:
        kind = _display_kind(span, labelled, threshold)
        lane = _lane_of(kind)
        if lane not in row_of:
            continue
        start, end = float(span["start"]), float(span["end"])
        y = TOP + row_of[lane] * (LANE + GAP)
        # interruptions: a thin band over the overtalk lane's top third
        height_ = LANE // 3 if kind.endswith("_interruption") else LANE
        text = f"{names[kind]} {_clock(start)}–{_clock(end)} ({end - start:.1f} s)"
        body.append(
            _rect(kind, LEFT + plot_w * start / duration, y, plot_w * (end - start) / duration,
                  height_, text)
        )  # fmt: skip
    body += _axis(duration, TOP + len(lanes) * (LANE + GAP), plot_w)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" class="timeline" '
        f'role="img" aria-labelledby="timeline-title timeline-desc">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<desc id="timeline-desc">{escape(_describe(counts, duration, labelled))}</desc>',
        *body,
        "</svg>",
    ]
    return Markup("".join(parts))


def legend(figures: Mapping[str, Any]) -> list[tuple[str, str, Markup]]:
    """(kind, name, swatch SVG) for each kind the picture can show for this call."""
    labelled = figures.get("talk_ratio") is not None
    kinds = (
        [*SIDES, "overtalk", "agent_interruption", "customer_interruption"]
        if labelled
        else ["speech"]
    )
    kinds += ["silence", "long_silence", "hold"]
    names = kind_names()
    return [
        (
            k,
            names[k],
            Markup(
                '<svg class="swatch" width="14" height="10" aria-hidden="true">'
                f'<rect width="14" height="10" fill="{COLOURS[k]}"/></svg>'
            ),
        )
        for k in kinds
    ]


__all__ = ["kind_names", "legend", "timeline_counts", "timeline_svg"]
