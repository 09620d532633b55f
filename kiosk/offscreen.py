"""Driving the kiosk without a person: frames pumped by hand, taps, screenshots.

Used by `linli kiosk --screenshots`, the tests and benchmarks. Call `kiosk.kivy_env.prepare()`
first (the window's size is fixed when Kivy's window module is first imported).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.graphics.opengl import glFinish
from kivy.uix.widget import Widget

from kiosk.app import KioskRoot, load_widgets
from kiosk.controller import Controller
from kiosk.kivy_env import process_age


class OffscreenKiosk:
    """The kiosk's root on Kivy's window, advanced one frame at a time by the caller."""

    def __init__(self, controller: Controller) -> None:
        EventLoop.ensure_window()
        load_widgets()
        self.controller = controller
        self.root = KioskRoot(controller)
        self.first_frame_s: float | None = None
        self._flips = 0
        Window.bind(on_flip=self._on_flip)
        Window.add_widget(self.root)
        controller.start()
        self.frames(1)

    def _on_flip(self, *_args: Any) -> None:
        # Offscreen there is no display refresh to pace the frames: without waiting for each
        # one, Mesa's software renderer queues frames and the next label texture upload
        # stalls until the whole queue is drawn (seen as taps taking a second).
        glFinish()
        self._flips += 1
        if self.first_frame_s is None:
            self.first_frame_s = process_age()

    def close(self) -> None:
        Window.unbind(on_flip=self._on_flip)
        Window.remove_widget(self.root)
        self.controller.stop()

    # --- time --------------------------------------------------------------------------------

    def frames(self, count: int = 2) -> None:
        for _ in range(count):
            EventLoop.idle()

    def until(self, condition: Callable[[], bool], timeout: float = 5.0,
              what: str = "condition") -> None:
        """Pump frames until `condition()` holds (background results arrive via the Clock)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} not reached within {timeout} s")
            EventLoop.idle()
            time.sleep(0.005)
        self.frames(2)  # let the screen draw what the condition announced

    # --- the widget tree ---------------------------------------------------------------------

    @property
    def screen(self) -> Any:
        return self.root.current_screen

    def walk(self, widget: Widget | None = None) -> Iterator[Widget]:
        yield from (widget or self.screen).walk(restrict=True)

    def find(self, action: str) -> Widget:
        """The button whose `action` is given, on the current screen."""
        for widget in self.walk():
            if getattr(widget, "action", None) == action:
                return widget
        raise LookupError(f"no button {action!r} on screen {self.root.current!r}")

    def tap(self, widget: Widget | str) -> None:
        """A real touch at the widget's centre, through Kivy's input dispatch."""
        from kivy.tests.common import UnitTestTouch

        self.frames(2)  # lay out first: a widget not yet placed sits at (0, 0)
        target = self.find(widget) if isinstance(widget, str) else widget
        touch = UnitTestTouch(*target.to_window(*target.center))
        touch.touch_down()
        self.frames(1)
        touch.touch_up()
        self.frames(2)

    def screenshot(self, path: Path) -> Path:
        """Save the window (background included) as PNG at exactly `path`."""
        self.frames(2)
        path.parent.mkdir(parents=True, exist_ok=True)
        saved = Path(Window.screenshot(name=str(path)))
        saved.replace(path)
        return path
