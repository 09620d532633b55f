"""How the kiosk's frames are made: the screen's background is the window's clear colour,
and a screen switch is finished by the touch itself (no frame with two screens)."""

from __future__ import annotations

from typing import Any

from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels

from kiosk.theme import current


def pixel(x: int, y: int) -> tuple[int, ...]:
    """The drawn window's pixel at window coordinates (x, y), as 0-255 RGB."""
    return tuple(glReadPixels(x, y, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE)[:3])


def rgb(colour: tuple[float, ...]) -> tuple[int, ...]:
    return tuple(round(channel * 255) for channel in colour[:3])


def test_the_screens_background_is_painted_and_follows_the_screen(kiosk: Any) -> None:
    palette = current().palette
    kiosk.frames(2)
    # A corner inside the screen's padding: nothing but the screen's own background there.
    assert pixel(3, 3) == rgb(palette.background)
    kiosk.tap("help")
    assert kiosk.root.current == "help_countdown"
    kiosk.frames(2)
    assert pixel(3, 3) == rgb(palette.help) != rgb(palette.background)
    kiosk.tap("cancel")
    kiosk.frames(2)
    assert pixel(3, 3) == rgb(palette.background)


def test_a_tap_leaves_only_the_new_screen_before_the_next_frame(kiosk: Any) -> None:
    from kivy.tests.common import UnitTestTouch

    kiosk.frames(2)
    target = kiosk.find("groceries")
    touch = UnitTestTouch(*target.to_window(*target.center))
    touch.touch_down()
    touch.touch_up()
    # No clock tick and no frame yet: the old screen is already gone, so the next frame
    # shows the groceries alone.
    assert [screen.name for screen in kiosk.root.children] == ["groceries"]
