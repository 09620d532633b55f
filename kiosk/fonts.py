"""The kiosk's font: one face that draws Simplified Chinese, Korean and Latin, and a tofu check.

Kivy's default Roboto draws CJK as empty boxes ("tofu"). Kivy opens the first face of a
.ttc and cannot pick another, so the file must have a Simplified Chinese face first: the
Noto CJK collection opens on its Japanese face, while wqy-microhei.ttc's face 0 is
"WenQuanYi Micro Hei", which also covers Hangul.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

FONT_NAME = "LinliSans"
FONT_ENV = "LINLI_KIOSK_FONT"
CANDIDATES = (
    Path(__file__).resolve().parent.parent / "assets" / "fonts" / "wqy-microhei.ttc",
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)

# Code points no font draws (a noncharacter-adjacent private-use point and an unassigned
# one): what a font renders for them is its "missing glyph" box.
_MISSING_PROBES = ("\U0010fffd", "\u0378")


class FontMissingError(RuntimeError):
    pass


def find_font() -> Path:
    """$LINLI_KIOSK_FONT, else a bundled copy, else Debian's fonts-wqy-microhei."""
    override = os.environ.get(FONT_ENV)
    paths = [Path(override)] if override else list(CANDIDATES)
    for path in paths:
        if path.is_file():
            return path
    raise FontMissingError(
        f"no Chinese font found (looked at {', '.join(map(str, paths))}); install the Debian "
        f"package fonts-wqy-microhei (`make deps` does) or set {FONT_ENV} to a single-face "
        "Simplified Chinese font file"
    )


def register_font() -> Path:
    """Register the kiosk font with Kivy under FONT_NAME; labels name it explicitly."""
    from kivy.core.text import LabelBase

    path = find_font()
    LabelBase.register(name=FONT_NAME, fn_regular=str(path))
    log.info("kiosk font: %s", path)
    return path


def _render(char: str, font: str, size: int) -> tuple[tuple[int, int], bytes]:
    from kivy.core.text import Label as CoreLabel

    label = CoreLabel(text=char, font_name=font, font_size=size)
    label.refresh()
    texture = label.texture
    return tuple(texture.size), bytes(texture.pixels)  # type: ignore[return-value]


def tofu_characters(text: str, font: str = FONT_NAME, size: int = 40) -> list[str]:
    """The characters of `text` the font draws as its missing-glyph box (or not at all).

    Each character is rendered alone and compared, pixel for pixel, with what the font
    draws for code points that exist in no font; a visible character that draws nothing
    counts too. Call it after Kivy's window exists: SDL2's text provider crashes without one.
    """
    boxes = {_render(probe, font, size) for probe in _MISSING_PROBES}
    bad = []
    for char in dict.fromkeys(text):
        if char.isspace():
            continue
        rendered = _render(char, font, size)
        if rendered in boxes or not any(rendered[1][3::4]):
            bad.append(char)
    return bad
