"""Horizontal bar charts as standalone SVG: the same text goes into the web page and the PDF.

Styling is in presentation attributes, not CSS classes, so the PDF renderer (fpdf2 reads
SVG itself) draws exactly what the browser draws; the text is escaped, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"
INK, MUTED, GRID = "#111111", "#4a4a4a", "#c8c8c8"
CALM, WARN, ALARM, OK = "#0b4f8a", "#8a3b00", "#a40000", "#0a5a1e"

# Narrow enough that a phone shows the text at a readable size (scaled ~0.8 at 360 px).
WIDTH = 400
ROW, TOP, BOTTOM = 34, 10, 28
LABEL_W, VALUE_W = 100, 100


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str  # what is written after the bar, e.g. "3.2 ★ (5)"
    color: str = CALM


@dataclass(frozen=True, slots=True)
class Marker:
    """A vertical line across the plot, e.g. a target."""

    value: float
    label: str
    color: str = OK


def bar_chart(bars: list[Bar], *, scale_max: float, ticks: list[float],
              markers: list[Marker] = (), title: str = "") -> str:  # type: ignore[assignment]
    """One row per bar, longest value drawn across the plot's full width at `scale_max`."""
    top_pad = TOP + (18 if markers else 0)  # markers are labelled above the bars
    height = top_pad + ROW * max(1, len(bars)) + BOTTOM
    plot_x, plot_w = LABEL_W, WIDTH - LABEL_W - VALUE_W

    def x(value: float) -> float:
        return round(plot_x + plot_w * max(0.0, min(value, scale_max)) / scale_max, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-label={quoteattr(title)} font-family={quoteattr(FONT)}>'
    ]
    bottom = height - BOTTOM
    for tick in ticks:
        parts.append(f'<line x1="{x(tick)}" y1="{top_pad}" x2="{x(tick)}" y2="{bottom}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{x(tick)}" y="{bottom + 16}" font-size="13" fill="{MUTED}" '
                     f'text-anchor="middle">{_number(tick)}</text>')
    for index, bar in enumerate(bars):
        top = top_pad + index * ROW
        middle = top + ROW / 2 + 5
        parts.append(f'<text x="{plot_x - 8}" y="{middle}" font-size="16" fill="{INK}" '
                     f'text-anchor="end">{escape(_clip(bar.label))}</text>')
        width = round(x(bar.value) - plot_x, 1)
        parts.append(f'<rect x="{plot_x}" y="{top + 5}" width="{width}" height="{ROW - 10}" '
                     f'fill="{bar.color}"/>')
        parts.append(f'<text x="{plot_x + width + 6}" y="{middle}" font-size="15" '
                     f'fill="{INK}">{escape(bar.text)}</text>')
    for marker in markers:
        parts.append(f'<line x1="{x(marker.value)}" y1="{top_pad - 4}" x2="{x(marker.value)}" '
                     f'y2="{bottom}" stroke="{marker.color}" stroke-width="2" stroke-dasharray="5,3"/>')
        parts.append(f'<text x="{x(marker.value)}" y="{top_pad - 8}" font-size="13" '
                     f'fill="{marker.color}" text-anchor="end">{escape(marker.label)}</text>')
    if not bars:
        parts.append(f'<text x="{plot_x}" y="{top_pad + 20}" font-size="14" fill="{MUTED}">—</text>')
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _clip(label: str, limit: int = 12) -> str:
    """At most `limit` half-width units (a CJK character counts two): what fits the label column."""
    used = 0
    for index, char in enumerate(label):
        used += 2 if ord(char) >= 0x2E80 else 1
        if used > limit:
            return label[: max(index - 1, 1)] + "…"
    return label
