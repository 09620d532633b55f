"""A heart-rate chart as inline SVG: drawn on the server, nothing fetched by the browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 10, 28


@dataclass(frozen=True, slots=True)
class Chart:
    points: str  # the polyline's "x,y x,y ..." in view-box units
    y_ticks: list[tuple[float, int]]  # (y, bpm)
    x_labels: list[tuple[float, str]]  # (x, "HH:MM")
    low: int
    high: int
    count: int
    width: int = WIDTH
    height: int = HEIGHT


def heart_rate_chart(samples: list[tuple[datetime, int]]) -> Chart | None:
    """Samples oldest first; None when there is nothing to draw."""
    if not samples:
        return None
    times = [at.timestamp() for at, _ in samples]
    rates = [bpm for _, bpm in samples]
    # Round the scale out to tens so a flat line is not drawn across the full height.
    low = min(40, (min(rates) // 10) * 10)
    high = max(120, -(-max(rates) // 10) * 10)
    start, end = times[0], times[-1]
    span = (end - start) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at: float) -> float:
        return round(LEFT + (at - start) / span * plot_w, 1)

    def y(bpm: int) -> float:
        return round(TOP + (high - bpm) / (high - low) * plot_h, 1)

    points = " ".join(f"{x(at)},{y(bpm)}" for at, bpm in zip(times, rates, strict=True))
    step = 20 if high - low <= 120 else 40
    y_ticks = [(y(value), value) for value in range(int(low), int(high) + 1, step)]
    x_labels = [(x(times[index]), samples[index][0].strftime("%m-%d %H:%M"))
                for index in sorted({0, len(samples) // 2, len(samples) - 1})]
    return Chart(points, y_ticks, x_labels, int(low), int(high), len(samples))
