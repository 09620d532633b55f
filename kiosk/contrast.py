"""WCAG 2.x contrast: relative luminance of sRGB colours and the ratio between two of them."""

from __future__ import annotations

from collections.abc import Sequence

Colour = Sequence[float]  # (r, g, b) or (r, g, b, a), each 0..1 as Kivy uses them

# WCAG 1.4.6 (AAA); SENIOR_UX asks for it everywhere, not only for small text.
MIN_RATIO = 7.0


def hex_colour(value: str) -> tuple[float, float, float, float]:
    """'#RRGGBB' -> Kivy rgba with alpha 1."""
    value = value.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected #RRGGBB, got {value!r}")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, 1.0)


def _linear(channel: float) -> float:
    # The sRGB transfer curve as WCAG defines it (0.03928 is WCAG's threshold; the
    # sRGB standard says 0.04045, which makes no difference for 8-bit colours).
    if channel <= 0.03928:
        return channel / 12.92
    return ((channel + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: Colour) -> float:
    r, g, b = colour[:3]
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(foreground: Colour, background: Colour) -> float:
    """(L1 + 0.05) / (L2 + 0.05) with L1 the lighter; 1.0 (same) .. 21.0 (black on white).

    Translucent colours are refused: their contrast depends on what lies beneath, and a
    check that guessed would pass things a resident cannot read.
    """
    for colour in (foreground, background):
        if len(colour) > 3 and colour[3] < 1.0:
            raise ValueError(f"contrast of a translucent colour {tuple(colour)} is undefined")
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)
