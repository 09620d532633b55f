"""Accessibility checks over a live Kivy widget tree (shared by the kiosk tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kivy.metrics import Metrics
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from kiosk.contrast import contrast_ratio
from kiosk.icons import IconView
from kiosk.theme import OTHER_TEXT_SP_FLOOR, PRIMARY_TEXT_SP_FLOOR, current

CJK = range(0x4E00, 0xA000)
HANGUL = range(0xAC00, 0xD7A4)


def visible(widget: Any) -> bool:
    """Shown to the resident: not transparent, not collapsed, on the way up to the window."""
    node = widget
    while node is not None:
        if getattr(node, "opacity", 1) == 0 or node.width <= 0 or node.height <= 0:
            return False
        # Kivy's window is its own parent: stop there.
        node = node.parent if node.parent is not node else None
    return True


def background_of(widget: Any) -> tuple[float, ...]:
    """The colour painted behind `widget`: its nearest ancestor's `bg_color`."""
    node = widget.parent
    while node is not None:
        colour = getattr(node, "bg_color", None)
        if colour is not None:
            return tuple(colour)
        node = node.parent
    raise AssertionError(f"nothing paints behind {widget!r}")


def size_in_sp(label: Label) -> float:
    # The size at font scale 1: what the theme's "NNsp" means before the resident's choice.
    return float(label.font_size) / (Metrics.density * Metrics.fontscale)


def has_chinese(text: str) -> bool:
    return any(ord(ch) in CJK for ch in text)


def has_latin_or_hangul(text: str) -> bool:
    return any(ch.isascii() and ch.isalpha() or ord(ch) in HANGUL for ch in text)


@dataclass
class Findings:
    problems: list[str]
    buttons: int
    labels: int
    primary_buttons: int


def check_screen(screen: Any) -> Findings:
    """Every rule of SENIOR_UX that can be read off the widget tree."""
    target = current().target_px
    problems: list[str] = []
    buttons = labels = primary = 0
    for widget in screen.walk(restrict=True):
        if not visible(widget):
            continue
        name = f"{screen.name}/{type(widget).__name__}({getattr(widget, 'action', '') or getattr(widget, 'text', '')[:20]!r})"
        if isinstance(widget, ButtonBehavior):
            buttons += 1
            if widget.width < target or widget.height < target:
                problems.append(f"{name}: {widget.width:.0f}x{widget.height:.0f} px < {target} px")
            if getattr(widget, "primary", False):
                primary += 1
                texts = [w.text for w in widget.walk(restrict=True)
                         if isinstance(w, Label) and not isinstance(w, IconView) and w.text]
                icons = [w for w in widget.walk(restrict=True)
                         if isinstance(w, IconView) and w.symbol]
                if not any(has_chinese(t) for t in texts):
                    problems.append(f"{name}: no Chinese label in {texts}")
                if not any(has_latin_or_hangul(t) for t in texts):
                    problems.append(f"{name}: no English/Korean label in {texts}")
                if not icons:
                    problems.append(f"{name}: no icon or symbol")
        if isinstance(widget, Label) and not isinstance(widget, IconView) and widget.text:
            labels += 1
            floor = PRIMARY_TEXT_SP_FLOOR if getattr(widget, "role", "") == "primary" \
                else OTHER_TEXT_SP_FLOOR
            if size_in_sp(widget) < floor:
                problems.append(f"{name}: {size_in_sp(widget):.0f} sp < {floor} sp")
            ratio = contrast_ratio(widget.color, background_of(widget))
            if ratio < 7.0:
                problems.append(f"{name}: contrast {ratio:.2f} < 7")
            text_w, text_h = widget.texture_size
            if text_w > widget.width + 1 or text_h > widget.height + 1:
                problems.append(f"{name}: text {text_w:.0f}x{text_h:.0f} overflows its "
                                f"{widget.width:.0f}x{widget.height:.0f} widget")
        if isinstance(widget, IconView) and widget.symbol:
            ratio = contrast_ratio(widget.color, background_of(widget))
            if ratio < 7.0:
                problems.append(f"{name}: icon contrast {ratio:.2f} < 7")
    if primary > 6:
        problems.append(f"{screen.name}: {primary} primary choices > 6")
    return Findings(problems, buttons, labels, primary)
