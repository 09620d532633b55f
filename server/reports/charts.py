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

WIDTH = 640
ROW, TOP, BOTTOM = 30, 10, 26
LABEL_W, VALUE_W = 150, 110


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
    height = TOP + ROW * max(1, len(bars)) + BOTTOM
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
        parts.append(f'<line x1="{x(tick)}" y1="{TOP}" x2="{x(tick)}" y2="{bottom}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{x(tick)}" y="{bottom + 16}" font-size="12" fill="{MUTED}" '
                     f'text-anchor="middle">{_number(tick)}</text>')
    for index, bar in enumerate(bars):
        top = TOP + index * ROW
        middle = top + ROW / 2 + 5
        parts.append(f'<text x="{plot_x - 8}" y="{middle}" font-size="14" fill="{INK}" '
                     f'text-anchor="end">{escape(_clip(bar.label))}</text>')
        width = round(x(bar.value) - plot_x, 1)
        parts.append(f'<rect x="{plot_x}" y="{top + 5}" width="{width}" height="{ROW - 10}" '
                     f'fill="{bar.color}"/>')
        parts.append(f'<text x="{plot_x + width + 6}" y="{middle}" font-size="13" '
                     f'fill="{INK}">{escape(bar.text)}</text>')
    for marker in markers:
        parts.append(f'<line x1="{x(marker.value)}" y1="{TOP - 4}" x2="{x(marker.value)}" '
                     f'y2="{bottom}" stroke="{marker.color}" stroke-width="2" stroke-dasharray="5,3"/>')
        parts.append(f'<text x="{x(marker.value) - 4}" y="{bottom - 4}" font-size="11" '
                     f'fill="{marker.color}" text-anchor="end">{escape(marker.label)}</text>')
    if not bars:
        parts.append(f'<text x="{plot_x}" y="{TOP + 20}" font-size="14" fill="{MUTED}">—</text>')
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _clip(label: str, limit: int = 12) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
