"""My health: the heart rate now, today's line, and the wristband's battery and link in words.

The reading (`kiosk.health_actions.HealthReading`) comes from the controller's background
task; this screen only draws it. Red only when the wristband rules raised a heart alert,
yellow only for a band that needs charging: colour is never alarming without a reason.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Ellipse, Line
from kivy.properties import ColorProperty, ObjectProperty
from kivy.uix.widget import Widget

from kiosk.screens.base import KioskScreen
from kiosk.theme import current

# Room above and below the day's lowest and highest beat, so the line never sits on the edge.
_MARGIN_BPM = 5


def clock_words(seconds: float) -> str:
    """Seconds since midnight -> "8:05"."""
    minutes = int(seconds // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


class TrendView(Widget):
    """Today's heart rate as one thick line, scaled to the day's own range."""

    points = ObjectProperty(())  # ((seconds since midnight, bpm), ...), oldest first
    ink = ColorProperty((1, 1, 1, 1))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self._redraw, size=self._redraw, points=self._redraw, ink=self._redraw)

    def plotted(self) -> list[tuple[float, float]]:
        """The points in window coordinates (what is drawn; the tests read it)."""
        points = list(self.points)
        if not points:
            return []
        times = [t for t, _ in points]
        rates = [bpm for _, bpm in points]
        t0, t1 = min(times), max(times)
        low, high = min(rates) - _MARGIN_BPM, max(rates) + _MARGIN_BPM
        pad = max(4.0, self.height * 0.05)
        width, height = max(1.0, self.width - 2 * pad), max(1.0, self.height - 2 * pad)
        return [(self.x + pad + (width * (t - t0) / (t1 - t0) if t1 > t0 else width / 2),
                 self.y + pad + height * (bpm - low) / (high - low))
                for t, bpm in points]

    def _redraw(self, *_args: Any) -> None:
        self.canvas.clear()
        plotted = self.plotted()
        if not plotted:
            return
        line_width = max(2.0, current().gap_px / 4)
        with self.canvas:
            Color(*self.ink)
            if len(plotted) == 1:
                x, y = plotted[0]
                Ellipse(pos=(x - line_width * 2, y - line_width * 2),
                        size=(line_width * 4, line_width * 4))
            else:
                Line(points=[value for point in plotted for value in point], width=line_width,
                     joint="round", cap="round")


class HealthScreen(KioskScreen):
    """Heart now, today's line with its lowest and highest, and the band in words."""

    def words(self, reading: Any, lang: str) -> dict[str, str]:
        return self.controller.health_words(reading, lang)

    # Methods rather than `root.controller.health.battery_low` in kv: kv re-evaluates a
    # call when its argument (the reading) changes, not a plain attribute of a plain value.
    @staticmethod
    def heart_alert(reading: Any) -> bool:
        return reading.heart_alert is not None

    @staticmethod
    def battery_low(reading: Any) -> bool:
        return reading.battery_low

    @staticmethod
    def trend(reading: Any) -> tuple[tuple[float, int], ...]:
        return reading.trend

    def span(self, reading: Any, end: bool) -> str:
        """The line's first or last time ("8:05"), or "" with too few points for a line."""
        if len(reading.trend) < 2:
            return ""
        return clock_words(reading.trend[-1 if end else 0][0])
