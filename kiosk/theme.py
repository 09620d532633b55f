"""Senior sizes and the high-contrast palette: the numbers of SENIOR_UX.md in one place.

Nothing here imports Kivy (except `apply_font_scale`), so the numbers can be tested and
used before Kivy's window exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from kiosk.contrast import MIN_RATIO, contrast_ratio, hex_colour

MM_PER_INCH = 25.4

# SENIOR_UX.md floors; the theme's own sizes sit well above them.
MIN_TARGET_MM = 20.0
PRIMARY_TEXT_SP_FLOOR = 32
OTHER_TEXT_SP_FLOOR = 24
MAX_PRIMARY_CHOICES = 6

# The text-size switch cycles through these; 1.5 is the largest SENIOR_UX asks for.
FONT_SCALES: tuple[float, ...] = (1.0, 1.25, 1.5)


@dataclass(frozen=True, slots=True)
class ScreenSpec:
    """The physical screen the kiosk is configured for (the default: 15.6" at 1920x1080)."""

    diagonal_in: float = 15.6
    width_px: int = 1920
    height_px: int = 1080

    def __post_init__(self) -> None:
        if self.diagonal_in <= 0 or self.width_px <= 0 or self.height_px <= 0:
            raise ValueError("screen diagonal and resolution must be positive")

    @property
    def px_per_mm(self) -> float:
        return math.hypot(self.width_px, self.height_px) / (self.diagonal_in * MM_PER_INCH)

    def mm_to_px(self, mm: float) -> float:
        return mm * self.px_per_mm

    @property
    def min_target_px(self) -> int:
        """The smallest touch target allowed, in pixels (~111 px for the default screen)."""
        return math.ceil(self.mm_to_px(MIN_TARGET_MM))

    @classmethod
    def parse(cls, text: str) -> ScreenSpec:
        """'15.6:1920x1080' -> ScreenSpec (the `--screen` option)."""
        try:
            diagonal, resolution = text.split(":")
            width, height = resolution.lower().split("x")
            return cls(float(diagonal), int(width), int(height))
        except ValueError as exc:
            raise ValueError(f"screen must look like 15.6:1920x1080, got {text!r}") from exc


@dataclass(frozen=True, slots=True)
class FontSizes:
    """Font sizes as Kivy 'NNsp' strings: Kivy re-computes those when Metrics.fontscale
    changes, so the text-size switch takes effect at once (sp(40) numbers would not)."""

    headline: str = "64sp"  # "您还好吗？", "正在呼叫帮助"
    tile: str = "52sp"  # the main word on a primary button, in the chosen language
    tile_second: str = "36sp"  # the same word in the second language
    body: str = "40sp"
    switch: str = "34sp"  # language and text-size switches
    status: str = "32sp"


def sp_value(size: str) -> float:
    """'52sp' -> 52.0 (the theme's sizes are all in sp)."""
    if not size.endswith("sp"):
        raise ValueError(f"theme font sizes are in sp, got {size!r}")
    return float(size[:-2])


@dataclass(frozen=True, slots=True)
class Palette:
    """High contrast, checked by `contrast_problems()`; every pair used on screen is listed
    in `text_pairs` so the check covers exactly what the screens draw."""

    background: tuple[float, ...] = hex_colour("#0B0B0B")
    text: tuple[float, ...] = hex_colour("#FFFFFF")
    outline: tuple[float, ...] = hex_colour("#FFFFFF")
    # Second-language lines are white too, only smaller: a grey would drop the red's
    # contrast below 7:1.
    help: tuple[float, ...] = hex_colour("#A80000")  # the red of "call for help"
    groceries: tuple[float, ...] = hex_colour("#00551F")
    services: tuple[float, ...] = hex_colour("#003C8F")
    health: tuple[float, ...] = hex_colour("#6A1B9A")
    points: tuple[float, ...] = hex_colour("#6B3E00")
    speak: tuple[float, ...] = hex_colour("#004D4D")
    switch: tuple[float, ...] = hex_colour("#2B2B2B")
    switch_on: tuple[float, ...] = hex_colour("#FFD600")  # the chosen language: yellow
    switch_on_text: tuple[float, ...] = hex_colour("#000000")
    cancel: tuple[float, ...] = hex_colour("#FFFFFF")  # the huge Cancel: white on red
    cancel_text: tuple[float, ...] = hex_colour("#000000")
    safe: tuple[float, ...] = hex_colour("#00551F")  # acknowledged: help is coming
    warning: tuple[float, ...] = hex_colour("#FFD600")  # cannot reach the community
    warning_text: tuple[float, ...] = hex_colour("#000000")

    def text_pairs(self) -> dict[str, tuple[tuple[float, ...], tuple[float, ...]]]:
        light_on = ("background", "help", "groceries", "services", "health", "points",
                    "speak", "switch", "safe")
        pairs = {f"text/{name}": (self.text, getattr(self, name)) for name in light_on}
        pairs["switch_on"] = (self.switch_on_text, self.switch_on)
        pairs["cancel"] = (self.cancel_text, self.cancel)
        pairs["warning"] = (self.warning_text, self.warning)
        return pairs

    def contrast_problems(self, minimum: float = MIN_RATIO) -> dict[str, float]:
        """Pairs below `minimum` and their ratio (empty when the palette is fine)."""
        ratios = {name: contrast_ratio(fg, bg) for name, (fg, bg) in self.text_pairs().items()}
        return {name: ratio for name, ratio in ratios.items() if ratio < minimum}


@dataclass(frozen=True, slots=True)
class Theme:
    screen: ScreenSpec = field(default_factory=ScreenSpec)
    fonts: FontSizes = field(default_factory=FontSizes)
    palette: Palette = field(default_factory=Palette)

    @property
    def target_px(self) -> int:
        return self.screen.min_target_px

    @property
    def gap_px(self) -> int:
        # Room between targets so a shaky finger does not land on the neighbour (~4 mm).
        return math.ceil(self.screen.mm_to_px(4))

    @property
    def bar_px(self) -> int:
        # Top bar and status line: a touch target plus a little air.
        return self.target_px + math.ceil(self.screen.mm_to_px(3))


def next_font_scale(current: float) -> float:
    """The text-size switch: 1.0 -> 1.25 -> 1.5 -> 1.0."""
    for scale in FONT_SCALES:
        if scale > current + 1e-6:
            return scale
    return FONT_SCALES[0]


def apply_font_scale(scale: float) -> None:
    """Set Kivy's font scale; every 'NNsp' size on screen follows at once."""
    if not FONT_SCALES[0] <= scale <= FONT_SCALES[-1]:
        raise ValueError(f"font scale must be within {FONT_SCALES[0]}..{FONT_SCALES[-1]}")
    from kivy.metrics import Metrics

    Metrics.fontscale = scale


# The theme the .kv files read (`#:import T kiosk.theme.current`); set once at start-up,
# before the first screen is built, from the configured screen.
_current = Theme()


def current() -> Theme:
    return _current


def use(theme: Theme) -> None:
    global _current
    _current = theme
