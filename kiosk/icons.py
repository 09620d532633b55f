"""Icons drawn with Kivy's vector instructions or taken from the kiosk font: no image files.

An icon is never alone on a button (SENIOR_UX: icon + text, colour never the only cue);
the font has ♥ ★ ✔ ✖ but no microphone, basket or house, so those are drawn.
"""

from __future__ import annotations

from kivy.graphics import Color, Ellipse, Line, Rectangle
from kivy.properties import ColorProperty, StringProperty
from kivy.uix.label import Label

from kiosk.fonts import FONT_NAME
from kiosk.theme import current

# Icons that are a character of the kiosk font (checked for tofu by the tests).
GLYPHS = {
    "heart": "♥",
    "star": "★",
    "check": "✔",
    "cross": "✖",
    "sos": "SOS",
}
DRAWN = frozenset({"mic", "basket", "house", "sos"})
ICON_NAMES = frozenset(GLYPHS) | DRAWN


class IconView(Label):
    """A square icon: the glyph as text, plus lines for the drawn ones."""

    name = StringProperty("")
    ink = ColorProperty((1, 1, 1, 1))

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("font_name", FONT_NAME)
        super().__init__(**kwargs)
        self.bind(pos=self._redraw, size=self._redraw, name=self._redraw, ink=self._redraw)
        self._redraw()

    @property
    def symbol(self) -> str:
        """What the icon shows (a glyph, or the name of a drawn shape), for the checks."""
        return GLYPHS.get(self.name, self.name if self.name in DRAWN else "")

    def _redraw(self, *_args: object) -> None:
        # Capped: on a big button a huge symbol would crowd out the words it goes with.
        side = min(self.width, self.height, current().target_px * 2)
        self.text = GLYPHS.get(self.name, "")
        # Sized by the box, not by the font scale: the tile's words grow with the text-size
        # switch and the icon takes what room is left (a "SOS" must fit inside its ring).
        self.font_size = max(1.0, side * (0.3 if self.name == "sos" else 0.8))
        self.color = self.ink
        self.canvas.after.clear()
        if self.name not in DRAWN:
            return
        x0 = self.center_x - side / 2
        y0 = self.center_y - side / 2
        width = max(2.0, side / 16)
        with self.canvas.after:
            Color(*self.ink)
            getattr(self, f"_draw_{self.name}")(x0, y0, side, width)

    @staticmethod
    def _draw_sos(x0: float, y0: float, s: float, w: float) -> None:
        Line(circle=(x0 + s / 2, y0 + s / 2, s / 2 - w), width=w)

    @staticmethod
    def _draw_mic(x0: float, y0: float, s: float, w: float) -> None:
        # Capsule, cradle, stem and foot.
        Line(rounded_rectangle=(x0 + s * 0.36, y0 + s * 0.40, s * 0.28, s * 0.52, s * 0.14),
             width=w)
        Line(ellipse=(x0 + s * 0.24, y0 + s * 0.22, s * 0.52, s * 0.52, 90, 270), width=w)
        Line(points=[x0 + s * 0.5, y0 + s * 0.22, x0 + s * 0.5, y0 + s * 0.08], width=w)
        Line(points=[x0 + s * 0.32, y0 + s * 0.08, x0 + s * 0.68, y0 + s * 0.08], width=w)

    @staticmethod
    def _draw_basket(x0: float, y0: float, s: float, w: float) -> None:
        # Handle, rim and a trapezoid body.
        Line(ellipse=(x0 + s * 0.25, y0 + s * 0.35, s * 0.5, s * 0.55, -90, 90), width=w)
        Line(points=[x0 + s * 0.08, y0 + s * 0.6, x0 + s * 0.92, y0 + s * 0.6], width=w * 1.4)
        Line(points=[x0 + s * 0.14, y0 + s * 0.6, x0 + s * 0.26, y0 + s * 0.1,
                     x0 + s * 0.74, y0 + s * 0.1, x0 + s * 0.86, y0 + s * 0.6], width=w)
        for fraction in (0.4, 0.5, 0.6):
            Line(points=[x0 + s * fraction, y0 + s * 0.52, x0 + s * fraction, y0 + s * 0.18],
                 width=w * 0.7)

    @staticmethod
    def _draw_house(x0: float, y0: float, s: float, w: float) -> None:
        Line(points=[x0 + s * 0.08, y0 + s * 0.52, x0 + s * 0.5, y0 + s * 0.92,
                     x0 + s * 0.92, y0 + s * 0.52], width=w)
        Line(rectangle=(x0 + s * 0.2, y0 + s * 0.08, s * 0.6, s * 0.5), width=w)
        Rectangle(pos=(x0 + s * 0.42, y0 + s * 0.08), size=(s * 0.16, s * 0.28))
        Ellipse(pos=(x0 + s * 0.62, y0 + s * 0.36), size=(s * 0.08, s * 0.08))
