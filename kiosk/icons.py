"""Icons drawn with Kivy's vector instructions or taken from the kiosk font: no image files.

An icon is never alone on a button (SENIOR_UX: icon + text, colour never the only cue);
the font has ♥ ★ ✔ ✖ but no microphone, basket or house, so those are drawn.
"""

from __future__ import annotations

import math

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
    "next": "→",
    "back": "←",
    "repeat": "↺",
    "more": "＋",
}
DRAWN = frozenset({"mic", "basket", "house", "sos", "list",
                   # grocery items (kiosk.screens.groceries)
                   "egg", "sack", "leaf", "carton", "bowl", "apple", "cube", "bottle",
                   "loaf", "fish",
                   # services (kiosk.screens.services) and the clinic's times
                   "wrench", "document", "clinic", "people", "talk", "phone", "drop", "bolt",
                   "flame", "door", "window", "tv", "radiator", "dots", "person", "coin",
                   "card", "pill", "tooth", "eye", "walker", "building", "sun", "sunset"})
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

    @staticmethod
    def _draw_list(x0: float, y0: float, s: float, w: float) -> None:
        # A sheet with three lines: "my requests".
        Line(rectangle=(x0 + s * 0.18, y0 + s * 0.06, s * 0.64, s * 0.88), width=w * 0.7)
        for fraction in (0.72, 0.5, 0.28):
            Line(points=[x0 + s * 0.32, y0 + s * fraction, x0 + s * 0.68, y0 + s * fraction],
                 width=w * 0.5)

    @staticmethod
    def _draw_egg(x0: float, y0: float, s: float, w: float) -> None:
        Line(ellipse=(x0 + s * 0.22, y0 + s * 0.06, s * 0.56, s * 0.8), width=w)

    @staticmethod
    def _draw_sack(x0: float, y0: float, s: float, w: float) -> None:
        # A bag tied at the top.
        Line(points=[x0 + s * 0.38, y0 + s * 0.78, x0 + s * 0.2, y0 + s * 0.55,
                     x0 + s * 0.18, y0 + s * 0.08, x0 + s * 0.82, y0 + s * 0.08,
                     x0 + s * 0.8, y0 + s * 0.55, x0 + s * 0.62, y0 + s * 0.78], width=w)
        Line(points=[x0 + s * 0.32, y0 + s * 0.92, x0 + s * 0.5, y0 + s * 0.78,
                     x0 + s * 0.68, y0 + s * 0.92], width=w)

    @staticmethod
    def _draw_leaf(x0: float, y0: float, s: float, w: float) -> None:
        Line(bezier=[x0 + s * 0.2, y0 + s * 0.1, x0 + s * 0.1, y0 + s * 0.8,
                     x0 + s * 0.7, y0 + s * 0.95, x0 + s * 0.88, y0 + s * 0.9], width=w)
        Line(bezier=[x0 + s * 0.2, y0 + s * 0.1, x0 + s * 0.8, y0 + s * 0.2,
                     x0 + s * 0.95, y0 + s * 0.6, x0 + s * 0.88, y0 + s * 0.9], width=w)
        Line(points=[x0 + s * 0.12, y0 + s * 0.02, x0 + s * 0.7, y0 + s * 0.7], width=w)

    @staticmethod
    def _draw_carton(x0: float, y0: float, s: float, w: float) -> None:
        Line(rectangle=(x0 + s * 0.25, y0 + s * 0.06, s * 0.5, s * 0.6), width=w)
        Line(points=[x0 + s * 0.25, y0 + s * 0.66, x0 + s * 0.38, y0 + s * 0.86,
                     x0 + s * 0.62, y0 + s * 0.86, x0 + s * 0.75, y0 + s * 0.66], width=w)
        Line(rectangle=(x0 + s * 0.42, y0 + s * 0.86, s * 0.16, s * 0.08), width=w)

    @staticmethod
    def _draw_bowl(x0: float, y0: float, s: float, w: float) -> None:
        # A bowl with wavy noodles (and chopsticks).
        Line(ellipse=(x0 + s * 0.08, y0 + s * 0.05, s * 0.84, s * 0.8, 90, 270), width=w)
        Line(points=[x0 + s * 0.08, y0 + s * 0.45, x0 + s * 0.92, y0 + s * 0.45], width=w)
        for fraction in (0.3, 0.5, 0.7):
            Line(bezier=[x0 + s * fraction, y0 + s * 0.45, x0 + s * (fraction - 0.08),
                         y0 + s * 0.6, x0 + s * (fraction + 0.08), y0 + s * 0.7,
                         x0 + s * fraction, y0 + s * 0.8], width=w * 0.7)
        Line(points=[x0 + s * 0.6, y0 + s * 0.5, x0 + s * 0.95, y0 + s * 0.95], width=w * 0.7)

    @staticmethod
    def _draw_apple(x0: float, y0: float, s: float, w: float) -> None:
        Line(circle=(x0 + s * 0.5, y0 + s * 0.42, s * 0.36), width=w)
        Line(points=[x0 + s * 0.5, y0 + s * 0.78, x0 + s * 0.55, y0 + s * 0.95], width=w)
        Ellipse(pos=(x0 + s * 0.56, y0 + s * 0.8), size=(s * 0.2, s * 0.1))

    @staticmethod
    def _draw_cube(x0: float, y0: float, s: float, w: float) -> None:
        Line(rectangle=(x0 + s * 0.12, y0 + s * 0.12, s * 0.56, s * 0.56), width=w)
        Line(points=[x0 + s * 0.12, y0 + s * 0.68, x0 + s * 0.32, y0 + s * 0.88,
                     x0 + s * 0.88, y0 + s * 0.88, x0 + s * 0.88, y0 + s * 0.32,
                     x0 + s * 0.68, y0 + s * 0.12], width=w)
        Line(points=[x0 + s * 0.68, y0 + s * 0.68, x0 + s * 0.88, y0 + s * 0.88], width=w)

    @staticmethod
    def _draw_bottle(x0: float, y0: float, s: float, w: float) -> None:
        Line(points=[x0 + s * 0.42, y0 + s * 0.94, x0 + s * 0.42, y0 + s * 0.74,
                     x0 + s * 0.28, y0 + s * 0.6, x0 + s * 0.28, y0 + s * 0.06,
                     x0 + s * 0.72, y0 + s * 0.06, x0 + s * 0.72, y0 + s * 0.6,
                     x0 + s * 0.58, y0 + s * 0.74, x0 + s * 0.58, y0 + s * 0.94],
             width=w, close=True)
        Line(rectangle=(x0 + s * 0.34, y0 + s * 0.22, s * 0.32, s * 0.24), width=w * 0.7)

    @staticmethod
    def _draw_loaf(x0: float, y0: float, s: float, w: float) -> None:
        Line(rounded_rectangle=(x0 + s * 0.06, y0 + s * 0.22, s * 0.88, s * 0.5, s * 0.2),
             width=w)
        for fraction in (0.3, 0.5, 0.7):
            Line(points=[x0 + s * (fraction - 0.06), y0 + s * 0.4,
                         x0 + s * (fraction + 0.06), y0 + s * 0.58], width=w * 0.7)

    @staticmethod
    def _draw_fish(x0: float, y0: float, s: float, w: float) -> None:
        Line(ellipse=(x0 + s * 0.06, y0 + s * 0.3, s * 0.66, s * 0.4), width=w)
        Line(points=[x0 + s * 0.72, y0 + s * 0.5, x0 + s * 0.94, y0 + s * 0.7,
                     x0 + s * 0.94, y0 + s * 0.3], width=w, close=True)
        Ellipse(pos=(x0 + s * 0.18, y0 + s * 0.5), size=(s * 0.07, s * 0.07))

    # --- services ------------------------------------------------------------------------

    @staticmethod
    def _draw_wrench(x0: float, y0: float, s: float, w: float) -> None:
        # An open-ended spanner, handle down-left to jaw up-right.
        Line(points=[x0 + s * 0.12, y0 + s * 0.12, x0 + s * 0.6, y0 + s * 0.6], width=w * 1.6)
        Line(ellipse=(x0 + s * 0.5, y0 + s * 0.5, s * 0.4, s * 0.4, 300, 510), width=w)

    @staticmethod
    def _draw_document(x0: float, y0: float, s: float, w: float) -> None:
        # A sheet with lines and a round seal: a certificate.
        Line(rectangle=(x0 + s * 0.18, y0 + s * 0.06, s * 0.64, s * 0.88), width=w * 0.7)
        for fraction in (0.78, 0.64, 0.5):
            Line(points=[x0 + s * 0.3, y0 + s * fraction, x0 + s * 0.7, y0 + s * fraction],
                 width=w * 0.5)
        Line(circle=(x0 + s * 0.6, y0 + s * 0.24, s * 0.1), width=w * 0.7)

    @staticmethod
    def _draw_clinic(x0: float, y0: float, s: float, w: float) -> None:
        # The medical cross in a ring.
        Line(circle=(x0 + s * 0.5, y0 + s * 0.5, s * 0.44), width=w)
        Rectangle(pos=(x0 + s * 0.42, y0 + s * 0.22), size=(s * 0.16, s * 0.56))
        Rectangle(pos=(x0 + s * 0.22, y0 + s * 0.42), size=(s * 0.56, s * 0.16))

    @staticmethod
    def _draw_person(x0: float, y0: float, s: float, w: float) -> None:
        Line(circle=(x0 + s * 0.5, y0 + s * 0.76, s * 0.15), width=w)
        Line(ellipse=(x0 + s * 0.2, y0 - s * 0.26, s * 0.6, s * 0.8, -90, 90), width=w)

    @staticmethod
    def _draw_people(x0: float, y0: float, s: float, w: float) -> None:
        for cx in (0.3, 0.7):
            Line(circle=(x0 + s * cx, y0 + s * 0.74, s * 0.12), width=w)
            Line(ellipse=(x0 + s * (cx - 0.2), y0 + s * 0.0, s * 0.4, s * 0.5, -90, 90),
                 width=w)

    @staticmethod
    def _draw_talk(x0: float, y0: float, s: float, w: float) -> None:
        # Two speech bubbles facing each other.
        Line(rounded_rectangle=(x0 + s * 0.04, y0 + s * 0.5, s * 0.52, s * 0.36, s * 0.1),
             width=w)
        Line(points=[x0 + s * 0.16, y0 + s * 0.5, x0 + s * 0.12, y0 + s * 0.38,
                     x0 + s * 0.28, y0 + s * 0.5], width=w)
        Line(rounded_rectangle=(x0 + s * 0.44, y0 + s * 0.12, s * 0.52, s * 0.32, s * 0.1),
             width=w)
        Line(points=[x0 + s * 0.84, y0 + s * 0.12, x0 + s * 0.88, y0 + s * 0.02,
                     x0 + s * 0.72, y0 + s * 0.12], width=w)

    @staticmethod
    def _draw_phone(x0: float, y0: float, s: float, w: float) -> None:
        # An old handset: a thick arch with the ear and mouth pieces at its feet.
        Line(ellipse=(x0 + s * 0.1, y0 + s * 0.0, s * 0.8, s * 0.8, -75, 75), width=w * 1.6)
        Line(rounded_rectangle=(x0 + s * 0.02, y0 + s * 0.26, s * 0.3, s * 0.2, s * 0.08),
             width=w)
        Line(rounded_rectangle=(x0 + s * 0.68, y0 + s * 0.26, s * 0.3, s * 0.2, s * 0.08),
             width=w)

    @staticmethod
    def _draw_drop(x0: float, y0: float, s: float, w: float) -> None:
        Line(ellipse=(x0 + s * 0.24, y0 + s * 0.06, s * 0.52, s * 0.52, 30, 330), width=w)
        Line(points=[x0 + s * 0.27, y0 + s * 0.45, x0 + s * 0.5, y0 + s * 0.94,
                     x0 + s * 0.73, y0 + s * 0.45], width=w)

    @staticmethod
    def _draw_bolt(x0: float, y0: float, s: float, w: float) -> None:
        Line(points=[x0 + s * 0.6, y0 + s * 0.94, x0 + s * 0.26, y0 + s * 0.46,
                     x0 + s * 0.52, y0 + s * 0.46, x0 + s * 0.38, y0 + s * 0.06,
                     x0 + s * 0.76, y0 + s * 0.56, x0 + s * 0.5, y0 + s * 0.56],
             width=w, close=True)

    @staticmethod
    def _draw_flame(x0: float, y0: float, s: float, w: float) -> None:
        Line(bezier=[x0 + s * 0.5, y0 + s * 0.06, x0 + s * 0.0, y0 + s * 0.3,
                     x0 + s * 0.4, y0 + s * 0.7, x0 + s * 0.5, y0 + s * 0.94], width=w)
        Line(bezier=[x0 + s * 0.5, y0 + s * 0.06, x0 + s * 1.0, y0 + s * 0.3,
                     x0 + s * 0.6, y0 + s * 0.7, x0 + s * 0.5, y0 + s * 0.94], width=w)
        Line(ellipse=(x0 + s * 0.4, y0 + s * 0.12, s * 0.2, s * 0.3), width=w * 0.7)

    @staticmethod
    def _draw_door(x0: float, y0: float, s: float, w: float) -> None:
        Line(rectangle=(x0 + s * 0.26, y0 + s * 0.04, s * 0.48, s * 0.9), width=w)
        Ellipse(pos=(x0 + s * 0.6, y0 + s * 0.44), size=(s * 0.08, s * 0.08))

    @staticmethod
    def _draw_window(x0: float, y0: float, s: float, w: float) -> None:
        Line(rectangle=(x0 + s * 0.12, y0 + s * 0.12, s * 0.76, s * 0.76), width=w)
        Line(points=[x0 + s * 0.5, y0 + s * 0.12, x0 + s * 0.5, y0 + s * 0.88], width=w)
        Line(points=[x0 + s * 0.12, y0 + s * 0.5, x0 + s * 0.88, y0 + s * 0.5], width=w)

    @staticmethod
    def _draw_tv(x0: float, y0: float, s: float, w: float) -> None:
        Line(rounded_rectangle=(x0 + s * 0.06, y0 + s * 0.2, s * 0.88, s * 0.58, s * 0.06),
             width=w)
        Line(points=[x0 + s * 0.36, y0 + s * 0.92, x0 + s * 0.5, y0 + s * 0.78,
                     x0 + s * 0.64, y0 + s * 0.92], width=w)
        Line(points=[x0 + s * 0.3, y0 + s * 0.08, x0 + s * 0.7, y0 + s * 0.08], width=w)

    @staticmethod
    def _draw_radiator(x0: float, y0: float, s: float, w: float) -> None:
        for fraction in (0.18, 0.34, 0.5, 0.66, 0.82):
            Line(rounded_rectangle=(x0 + s * (fraction - 0.06), y0 + s * 0.16, s * 0.12,
                                    s * 0.68, s * 0.05), width=w * 0.7)
        Line(points=[x0 + s * 0.06, y0 + s * 0.3, x0 + s * 0.94, y0 + s * 0.3], width=w * 0.7)

    @staticmethod
    def _draw_dots(x0: float, y0: float, s: float, w: float) -> None:
        # "Something else": three dots.
        for fraction in (0.2, 0.5, 0.8):
            Ellipse(pos=(x0 + s * (fraction - 0.08), y0 + s * 0.42), size=(s * 0.16, s * 0.16))

    @staticmethod
    def _draw_coin(x0: float, y0: float, s: float, w: float) -> None:
        # A coin with the yuan sign drawn in lines (the font's ¥ is not relied on).
        Line(circle=(x0 + s * 0.5, y0 + s * 0.5, s * 0.42), width=w)
        Line(points=[x0 + s * 0.34, y0 + s * 0.74, x0 + s * 0.5, y0 + s * 0.52,
                     x0 + s * 0.66, y0 + s * 0.74], width=w * 0.8)
        Line(points=[x0 + s * 0.5, y0 + s * 0.52, x0 + s * 0.5, y0 + s * 0.22], width=w * 0.8)
        for fraction in (0.48, 0.36):
            Line(points=[x0 + s * 0.36, y0 + s * fraction, x0 + s * 0.64, y0 + s * fraction],
                 width=w * 0.6)

    @staticmethod
    def _draw_card(x0: float, y0: float, s: float, w: float) -> None:
        Line(rounded_rectangle=(x0 + s * 0.06, y0 + s * 0.2, s * 0.88, s * 0.6, s * 0.06),
             width=w)
        Line(circle=(x0 + s * 0.3, y0 + s * 0.55, s * 0.1), width=w * 0.7)
        for fraction in (0.58, 0.42):
            Line(points=[x0 + s * 0.5, y0 + s * fraction, x0 + s * 0.82, y0 + s * fraction],
                 width=w * 0.5)

    @staticmethod
    def _draw_pill(x0: float, y0: float, s: float, w: float) -> None:
        Line(rounded_rectangle=(x0 + s * 0.08, y0 + s * 0.34, s * 0.84, s * 0.32, s * 0.15),
             width=w)
        Line(points=[x0 + s * 0.5, y0 + s * 0.34, x0 + s * 0.5, y0 + s * 0.66], width=w)

    @staticmethod
    def _draw_tooth(x0: float, y0: float, s: float, w: float) -> None:
        Line(points=[x0 + s * 0.2, y0 + s * 0.8, x0 + s * 0.24, y0 + s * 0.4,
                     x0 + s * 0.34, y0 + s * 0.06, x0 + s * 0.44, y0 + s * 0.36,
                     x0 + s * 0.56, y0 + s * 0.36, x0 + s * 0.66, y0 + s * 0.06,
                     x0 + s * 0.76, y0 + s * 0.4, x0 + s * 0.8, y0 + s * 0.8], width=w)
        Line(bezier=[x0 + s * 0.2, y0 + s * 0.8, x0 + s * 0.35, y0 + s * 0.98,
                     x0 + s * 0.65, y0 + s * 0.98, x0 + s * 0.8, y0 + s * 0.8], width=w)

    @staticmethod
    def _draw_eye(x0: float, y0: float, s: float, w: float) -> None:
        Line(bezier=[x0 + s * 0.04, y0 + s * 0.5, x0 + s * 0.5, y0 + s * 0.95,
                     x0 + s * 0.96, y0 + s * 0.5], width=w)
        Line(bezier=[x0 + s * 0.04, y0 + s * 0.5, x0 + s * 0.5, y0 + s * 0.05,
                     x0 + s * 0.96, y0 + s * 0.5], width=w)
        Ellipse(pos=(x0 + s * 0.38, y0 + s * 0.38), size=(s * 0.24, s * 0.24))

    @staticmethod
    def _draw_walker(x0: float, y0: float, s: float, w: float) -> None:
        # A walking frame: rehabilitation.
        Line(points=[x0 + s * 0.16, y0 + s * 0.04, x0 + s * 0.24, y0 + s * 0.82,
                     x0 + s * 0.76, y0 + s * 0.82, x0 + s * 0.84, y0 + s * 0.04], width=w)
        Line(points=[x0 + s * 0.2, y0 + s * 0.46, x0 + s * 0.8, y0 + s * 0.46], width=w)

    @staticmethod
    def _draw_building(x0: float, y0: float, s: float, w: float) -> None:
        # A block of flats: the property office.
        Line(rectangle=(x0 + s * 0.22, y0 + s * 0.04, s * 0.56, s * 0.9), width=w)
        for row in (0.72, 0.5, 0.28):
            for column in (0.34, 0.56):
                Rectangle(pos=(x0 + s * column, y0 + s * row), size=(s * 0.1, s * 0.1))

    @staticmethod
    def _draw_sun(x0: float, y0: float, s: float, w: float) -> None:
        Line(circle=(x0 + s * 0.5, y0 + s * 0.5, s * 0.2), width=w)
        for step in range(8):
            angle = step * math.pi / 4
            c, d = math.cos(angle), math.sin(angle)
            Line(points=[x0 + s * (0.5 + 0.3 * c), y0 + s * (0.5 + 0.3 * d),
                         x0 + s * (0.5 + 0.44 * c), y0 + s * (0.5 + 0.44 * d)], width=w * 0.7)

    @staticmethod
    def _draw_sunset(x0: float, y0: float, s: float, w: float) -> None:
        # Half a sun on the horizon: the afternoon.
        Line(ellipse=(x0 + s * 0.26, y0 + s * 0.16, s * 0.48, s * 0.48, -90, 90), width=w)
        Line(points=[x0 + s * 0.06, y0 + s * 0.4, x0 + s * 0.94, y0 + s * 0.4], width=w)
        Line(points=[x0 + s * 0.5, y0 + s * 0.72, x0 + s * 0.5, y0 + s * 0.9], width=w * 0.7)
        Line(points=[x0 + s * 0.2, y0 + s * 0.6, x0 + s * 0.1, y0 + s * 0.7], width=w * 0.7)
        Line(points=[x0 + s * 0.8, y0 + s * 0.6, x0 + s * 0.9, y0 + s * 0.7], width=w * 0.7)
