"""Server-side SVG charts and their CSV tables: no JavaScript, no CDN, CSP-clean.

Colours are SVG presentation attributes (fill=, stroke=), not style attributes, so the strict
Content-Security-Policy (style-src 'self') holds and a saved SVG looks the same.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

from ..services.dashboard import Overview

W, H = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 14, 42
COLOURS = {"IQS": "#2855d8", "AQS": "#b7791f"}
BAR = "#2855d8"
WEAK = "#c53030"


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _frame(title: str, body: list[str], height: int = H) -> Markup:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" '
        f'class="chart" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        *body,
        "</svg>",
    ]
    return Markup("".join(parts))


def _nice(value: float) -> float:
    """The smallest of 4, 8, 20, 40, 80, 200, ... at or above `value` (ticks at quarters)."""
    power = 1.0
    while True:
        for m in (4, 8, 20):
            if m * power >= value:
                return m * power
        power *= 10


def _grid(height: int, top: float = 100) -> list[str]:
    out = []
    plot_h = height - TOP - BOTTOM
    for v in (0, 25, 50, 75, 100):
        y = TOP + plot_h * (1 - v / top)
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{_num(y)}" y2="{_num(y)}" stroke="#e4e7ec"/>'
            f'<text x="{LEFT - 6}" y="{_num(y + 4)}" text-anchor="end" font-size="11" '
            f'fill="#667085">{_num(v * top / 100)}</text>'
        )
    return out


def line_chart(
    title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]]
) -> Markup:
    """Lines on a 0-100 scale, one per series; gaps where a week has no value."""
    pad = 28  # keeps the first and last week labels inside the frame
    plot_w, plot_h = W - LEFT - RIGHT - 2 * pad, H - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)
    body = _grid(H)
    for i, label in enumerate(labels):
        x = LEFT + pad + i * step
        body.append(
            f'<text x="{_num(x)}" y="{H - BOTTOM + 16}" text-anchor="middle" font-size="10" '
            f'fill="#667085">{escape(label[-3:] if len(labels) > 8 else label)}</text>'
        )
    for n, (name, values) in enumerate(series.items()):
        colour = COLOURS.get(name, "#138a55")
        run: list[str] = []
        runs: list[list[str]] = []
        for i, v in enumerate(values):
            if v is None:
                if run:
                    runs.append(run)
                run = []
                continue
            x, y = LEFT + pad + i * step, TOP + plot_h * (1 - max(0.0, min(v, 100.0)) / 100)
            run.append(f"{_num(x)},{_num(y)}")
            body.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{colour}">'
                f"<title>{escape(name)} {escape(labels[i])}: {_num(v)}</title></circle>"
            )
        if run:
            runs.append(run)
        for r in runs:
            if len(r) > 1:
                body.append(
                    f'<polyline points="{" ".join(r)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"/>'
                )
        lx = LEFT + 10 + n * 90
        body.append(
            f'<rect x="{lx}" y="{H - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="{H - 5}" font-size="11" fill="#1d2433">{escape(name)}</text>'
        )
    return _frame(title, body)


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    top: float | None = None,
    threshold: float | None = None,
    unit: str = "",
) -> Markup:
    """Vertical bars; bars below `threshold` are red; `top` fixes the scale (default: max)."""
    scale = top or _nice(max([v for v in values if v is not None] or [1]) or 1)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    body = _grid(H, scale)
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + i * slot + slot * 0.15
        if v is not None:
            bh = plot_h * max(0.0, min(v, scale)) / scale
            colour = WEAK if threshold is not None and v < threshold else BAR
            body.append(
                f'<rect x="{_num(x)}" y="{_num(TOP + plot_h - bh)}" width="{_num(slot * 0.7)}" '
                f'height="{_num(bh)}" fill="{colour}"><title>{escape(label)}: {_num(v)}{unit}'
                f"</title></rect>"
            )
        short = label if len(label) <= 14 else label[:13] + "…"
        body.append(
            f'<text x="{_num(x + slot * 0.35)}" y="{H - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="10" fill="#667085">{escape(short)}</text>'
        )
    if threshold is not None and top:
        y = TOP + plot_h * (1 - threshold / scale)
        body.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{_num(y)}" y2="{_num(y)}" stroke="{WEAK}" '
            f'stroke-dasharray="4 3"/>'
        )
    return _frame(title, body)


# --- the dashboard's charts: one table each, drawn as SVG and downloadable as CSV --------------

CHARTS = ("weekly", "criteria", "distribution", "agents", "sla", "kpis")


def table(name: str, o: Overview) -> tuple[list[str], list[list[object]]]:
    """Header and rows of one chart's data (the CSV download)."""
    if name == "weekly":
        return ["week", "interactions", "reviews", "iqs", "aqs"], [
            [w.week, w.interactions, w.reviews, w.iqs, w.aqs] for w in o.weeks
        ]
    if name == "criteria":
        return ["criterion", "answers", "score", "ci95", "autoqa_key", "aqs"], [
            [c.name, c.answers, c.score, c.ci, c.autoqa_key, c.aqs] for c in o.criteria
        ]
    if name == "distribution":
        return ["score_bin", "reviews"], [[b.label, b.reviews] for b in o.distribution]
    if name == "agents":
        return [
            "agent",
            "interactions",
            "reviews",
            "iqs",
            "iqs_ci95",
            "aqs",
            "trend_delta",
        ], [
            [a.agent.name, a.interactions, a.reviews, a.iqs, a.ci, a.aqs, a.delta] for a in o.agents
        ]
    if name == "sla":
        return ["channel", "threshold_seconds", "measured", "met", "compliance_pct"], [
            [s.channel, s.threshold_seconds, s.measured, s.met, s.compliance] for s in o.kpis.sla
        ]
    if name == "kpis":
        k = o.kpis
        return ["kpi", "value", "base"], [
            ["interactions", k.interactions, ""],
            ["csat_pct", k.csat, k.rated],
            ["first_contact_resolution_pct", k.fcr, k.fcr_known],
            ["average_handle_time_seconds", k.aht_seconds, k.interactions],
            ["first_response_time_seconds", k.frt_seconds, ""],
            ["escalation_rate_pct", k.escalation_rate, k.interactions],
            ["disputes_open", o.open_disputes, ""],
            ["disputes_decided", o.decided_disputes, ""],
        ]
    raise KeyError(name)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run as a formula


def csv_cell(value: object) -> object:
    """One CSV cell: None empty, text a spreadsheet would run as a formula prefixed with a quote
    ("-3" as text too); numbers stay numbers, negative ones included."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text (every export and chart table); cells go through csv_cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def svgs(o: Overview, threshold: float) -> dict[str, Markup]:
    """All dashboard charts for an overview."""
    weeks = [w.week for w in o.weeks]
    return {
        "weekly": line_chart(
            "IQS and AQS by week",
            weeks,
            {"IQS": [w.iqs for w in o.weeks], "AQS": [w.aqs for w in o.weeks]},
        ),
        "criteria": bar_chart(
            "Average score per criterion, weakest first",
            [c.name for c in o.criteria],
            [c.score for c in o.criteria],
            top=100,
            threshold=threshold,
        ),
        "distribution": bar_chart(
            "Distribution of review scores",
            [b.label for b in o.distribution],
            [b.reviews for b in o.distribution],
        ),
        "sla": bar_chart(
            "SLA compliance per channel (%)",
            [s.channel for s in o.kpis.sla],
            [s.compliance for s in o.kpis.sla],
            top=100,
            unit="%",
        ),
    }
