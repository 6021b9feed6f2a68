"""Bar charts as inline SVG, drawn on the server: the same markup on screen, in print and in the PDF.

No JavaScript and nothing fetched: a chart is a ``<svg role="img">`` with a title and a description naming its
figures, and the page shows the same figures in a table next to it. Colours are the pages' own (contrast ≥ 3:1
against white for the bars, 4.5:1 for text), and each series also differs in its legend swatch's shape of line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

from hall.pdf.render import FONT_STACK

PALETTE: Final = ("#0b4ea2", "#b35900", "#17643a", "#6b3fa0")
WIDTH: Final = 720
HEIGHT: Final = 260
MARGIN_LEFT: Final = 48
MARGIN_RIGHT: Final = 12
MARGIN_TOP: Final = 30
MARGIN_BOTTOM: Final = 52


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: Sequence[float | int | None]


def nice_step(value: float) -> float:
    """Return a round step at or above ``value`` (1, 2 or 5 × 10ⁿ), so the axis reads in whole steps."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power + 1e-12:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def axis(value: float) -> tuple[float, int]:
    """Return the top of the axis and its number of steps: 3 to 6 round steps, the lowest top reaching ``value``."""
    return min(((nice_step(value / ticks) * ticks, ticks) for ticks in (4, 5, 3, 6)), key=lambda a: a[0])


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def bar_chart(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    empty_text: str = "",
) -> Markup:
    """Return a grouped bar chart: one group per category, one bar per series, with axis, grid and legend."""
    values = [v for s in series for v in s.values if v is not None]
    top, ticks = axis(max(values, default=0.0))
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    count = max(1, len(categories))
    group_w = plot_w / count
    bar_w = max(1.5, min(28.0, group_w * 0.8 / max(1, len(series))))
    parts: list[str] = []
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    description = "; ".join(
        f"{s.label}: "
        + ", ".join(f"{c} {_number(v) if v is not None else '—'}" for c, v in zip(categories, s.values, strict=False))
        for s in series
    )
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" font-family=\'{FONT_STACK}\' font-size="11">'
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(description)}</desc>'
    )
    # grid and axis
    for step in range(ticks + 1):
        value = top * step / ticks
        y = MARGIN_TOP + plot_h - plot_h * step / ticks
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{y:.1f}" '
            f'stroke="{"#4d4d4d" if step == 0 else "#d5d9e0"}" stroke-width="1"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{_number(value)}</text>'
        )
    if unit:
        parts.append(f'<text x="{MARGIN_LEFT - 40}" y="{MARGIN_TOP - 12}" fill="#333">{escape(unit)}</text>')
    # bars
    label_every = max(1, math.ceil(count / 18))  # keep category labels from overlapping
    for index, category in enumerate(categories):
        x0 = MARGIN_LEFT + group_w * index + (group_w - bar_w * len(series)) / 2
        for position, serie in enumerate(series):
            bar = serie.values[index] if index < len(serie.values) else None
            if bar is None or bar <= 0:
                continue
            height = plot_h * float(bar) / top
            x = x0 + bar_w * position
            y = MARGIN_TOP + plot_h - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{height:.1f}" '
                f'fill="{PALETTE[position % len(PALETTE)]}"><title>{escape(serie.label)} · {escape(category)}: '
                f"{_number(float(bar))}</title></rect>"
            )
        if index % label_every == 0:
            cx = MARGIN_LEFT + group_w * (index + 0.5)
            parts.append(
                f'<text x="{cx:.1f}" y="{MARGIN_TOP + plot_h + 15}" text-anchor="middle" fill="#333">'
                f"{escape(category)}</text>"
            )
    if not values and empty_text:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{MARGIN_TOP + plot_h / 2}" text-anchor="middle" fill="#4d4d4d" font-size="14">'
            f"{escape(empty_text)}</text>"
        )
    # legend
    x = MARGIN_LEFT
    legend_y = HEIGHT - 12
    for position, serie in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{PALETTE[position % len(PALETTE)]}"/>'
            f'<text x="{x + 17}" y="{legend_y}" fill="#1a1a1a">{escape(serie.label)}</text>'
        )
        x += 30 + round(sum(11 if ord(ch) > 0x2E80 else 6.5 for ch in serie.label))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
