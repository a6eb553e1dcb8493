"""Server-side SVG charts and their CSV tables: no JavaScript, no CDN, CSP-clean.

Colours are SVG presentation attributes (fill=, stroke=), not style attributes, so the strict
Content-Security-Policy (style-src 'self') holds and a saved SVG looks the same.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask_babel import gettext
from markupsafe import Markup, escape

from ..i18n import enum_label
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
        y = TOP + plot_h * (1 - v / 100)  # v is the share of the scale, top its value
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


def _wrap(label: str, width: int, lines: int = 3) -> list[str]:
    """`label` in at most `lines` lines of about `width` characters, by words; the last line
    ends in an ellipsis when the label does not fit (the full label is in a <title>)."""
    out: list[str] = []
    for word in label.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = out[: lines - 1] + [" ".join(out[lines - 1 :])]
    fits = width + (3 if len(out) < lines else 0)  # one long word may overhang a little
    return [line if len(line) <= fits else line[: width - 1] + "…" for line in out] or [""]


def _label(x: float, y: float, label: str, width: int, size: int = 10) -> str:
    """A category label under an axis, wrapped, with the full text as its tooltip."""
    spans = "".join(
        f'<tspan x="{_num(x)}" dy="{0 if i == 0 else size + 2}">{escape(line)}</tspan>'
        for i, line in enumerate(_wrap(label, width))
    )
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="middle" font-size="{size}" '
        f'fill="#667085"><title>{escape(label)}</title>{spans}</text>'
    )


def _axis_title(text: str, plot_h: float) -> str:
    """The y-axis title, vertical, left of the tick values."""
    y = TOP + plot_h / 2
    return (
        f'<text x="10" y="{_num(y)}" transform="rotate(-90 10 {_num(y)})" text-anchor="middle" '
        f'font-size="11" fill="#667085" class="axis-title">{escape(text)}</text>'
    )


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    top: float | None = None,
    threshold: float | None = None,
    unit: str = "",
    y_title: str = "",
) -> Markup:
    """Vertical bars; bars below `threshold` are red; `top` fixes the scale (default: max).
    The y axis has tick values (and `y_title`); long labels wrap on up to three lines."""
    scale = top or _nice(max([v for v in values if v is not None] or [1]) or 1)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    width = max(6, int(slot / 5.2))
    extra = 12 * (max((len(_wrap(label, width)) for label in labels), default=1) - 1)
    body = _grid(H, scale)
    if y_title:
        body.append(_axis_title(y_title, plot_h))
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
        body.append(_label(x + slot * 0.35, H - BOTTOM + 16, label, width))
    if threshold is not None and top:
        y = TOP + plot_h * (1 - threshold / scale)
        body.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{_num(y)}" y2="{_num(y)}" stroke="{WEAK}" '
            f'stroke-dasharray="4 3"/>'
        )
    return _frame(title, body, H + extra)


# --- the agent x criterion heatmap ---------------------------------------------------------------

SCALE = ((0, "#c53030"), (50, "#ecc94b"), (100, "#2f855a"))  # red, amber, green
NAME_W, HEAD_H, ROW_H = 130, 44, 26


def heat_colour(v: float) -> str:
    """The colour of a 0-100 value on the red-amber-green scale (linear between the stops)."""
    v = max(0.0, min(float(v), 100.0))
    (lo, c0), (hi, c1) = (SCALE[0], SCALE[1]) if v <= 50 else (SCALE[1], SCALE[2])
    t = (v - lo) / (hi - lo)
    rgb = [round(int(c0[i : i + 2], 16) * (1 - t) + int(c1[i : i + 2], 16) * t) for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _legend(y: float) -> list[str]:
    """Five swatches of the colour scale with their values."""
    out = [
        f'<text x="{NAME_W - 8}" y="{_num(y + 11)}" text-anchor="end" font-size="11" '
        f'fill="#1d2433">Score</text>'
    ]
    for i, v in enumerate((0, 25, 50, 75, 100)):
        x = NAME_W + i * 56
        out.append(
            f'<rect x="{x}" y="{_num(y)}" width="14" height="14" fill="{heat_colour(v)}"/>'
            f'<text x="{x + 18}" y="{_num(y + 11)}" font-size="11" fill="#1d2433">{v}</text>'
        )
    out.append(
        f'<rect x="{NAME_W + 5 * 56}" y="{_num(y)}" width="14" height="14" fill="#eef0f3"/>'
        f'<text x="{NAME_W + 5 * 56 + 18}" y="{_num(y + 11)}" font-size="11" fill="#1d2433">'
        f"{escape(gettext('no answers'))}</text>"
    )
    return out


def heatmap(
    title: str,
    agents: Sequence[str],
    criteria: Sequence[str],
    cells: dict[tuple[str, str], tuple[float, int]],
) -> Markup:
    """Agents (rows) x criteria (columns): each cell coloured by its mean score, the value
    written in it, and the number of answers in its tooltip; a legend explains the colours."""
    col_w = (W - NAME_W - RIGHT) / max(len(criteria), 1)
    width = max(6, int(col_w / 5.2))
    body = [_label(NAME_W + (j + 0.5) * col_w, 12, c, width) for j, c in enumerate(criteria)]
    for i, agent in enumerate(agents):
        y = HEAD_H + i * ROW_H
        body.append(
            f'<text x="{NAME_W - 8}" y="{_num(y + ROW_H / 2 + 4)}" text-anchor="end" '
            f'font-size="11" fill="#1d2433">{escape(agent)}</text>'
        )
        for j, criterion in enumerate(criteria):
            x = NAME_W + j * col_w
            cell = cells.get((agent, criterion))
            colour = "#eef0f3" if cell is None else heat_colour(cell[0])
            tip = f"{agent} · {criterion}: " + (
                gettext("no answers") if cell is None
                else gettext("%(score)s (%(answers)s answers)", score=_num(cell[0]), answers=cell[1])
            )
            text = "–" if cell is None else f"{cell[0]:.0f}"
            ink = "#ffffff" if cell is not None and not 20 < cell[0] < 80 else "#1d2433"
            body.append(
                f'<g class="cell"><title>{escape(tip)}</title>'
                f'<rect x="{_num(x + 1)}" y="{_num(y + 1)}" width="{_num(col_w - 2)}" '
                f'height="{ROW_H - 2}" fill="{colour}"/>'
                f'<text x="{_num(x + col_w / 2)}" y="{_num(y + ROW_H / 2 + 4)}" '
                f'text-anchor="middle" font-size="11" fill="{ink}">{text}</text></g>'
            )
    legend_y = HEAD_H + len(agents) * ROW_H + 12
    body += _legend(legend_y)
    return _frame(title, body, int(legend_y + 24))


def heat_cells(
    o: Overview,
) -> tuple[list[str], list[str], dict[tuple[str, str], tuple[float, int]]]:
    """Agent names, criterion names (weakest first) and each cell's mean score and answers."""
    names = {a.agent.id: a.agent.name for a in o.agents}
    criteria = [c.name for c in o.criteria]
    cells = {
        (names[c.agent_id], c.name): (c.mean, c.n)
        for c in o.criterion_cells
        if c.n and c.agent_id in names
    }
    agents = [a.agent.name for a in o.agents if any((a.agent.name, k) in cells for k in criteria)]
    return agents, criteria, cells


# --- the dashboard's charts: one table each, drawn as SVG and downloadable as CSV --------------

CHARTS = ("weekly", "criteria", "distribution", "agents", "sla", "kpis", "heatmap")


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
    if name == "heatmap":
        agents, criteria, cells = heat_cells(o)
        return ["agent", "criterion", "answers", "score"], [
            [a, c, cells[a, c][1], round(cells[a, c][0], 1)]
            for a in agents
            for c in criteria
            if (a, c) in cells
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
            gettext("IQS and AQS by week"),
            weeks,
            {"IQS": [w.iqs for w in o.weeks], "AQS": [w.aqs for w in o.weeks]},
        ),
        "criteria": bar_chart(
            gettext("Average score per criterion, weakest first"),
            [c.name for c in o.criteria],
            [c.score for c in o.criteria],
            top=100,
            threshold=threshold,
            y_title=gettext("Score (0-100)"),
        ),
        "distribution": bar_chart(
            gettext("Distribution of review scores"),
            [b.label for b in o.distribution],
            [b.reviews for b in o.distribution],
            y_title=gettext("Reviews"),
        ),
        "sla": bar_chart(
            gettext("SLA compliance per channel (%)"),
            [enum_label(s.channel) for s in o.kpis.sla],  # "appel", not "call", in French
            [s.compliance for s in o.kpis.sla],
            top=100,
            unit="%",
            y_title=gettext("Met (%)"),
        ),
        "heatmap": heatmap(gettext("Score per agent and criterion"), *heat_cells(o)),
    }
