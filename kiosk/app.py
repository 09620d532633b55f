"""The Kivy app: a ScreenManager that follows the controller and builds screens on first use."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.controller import Controller
from kiosk.fonts import register_font
from kiosk.screens import SCREENS, build_screen

log = logging.getLogger(__name__)

_WIDGETS_KV = Path(__file__).with_name("widgets.kv")
_widgets_loaded = False


def load_widgets() -> None:
    """Register the font and the shared widget rules (once per process)."""
    global _widgets_loaded
    if _widgets_loaded:
        return
    register_font()
    # Importing registers the classes with Kivy's Factory before kv names them.
    import kiosk.icons  # noqa: F401
    import kiosk.widgets  # noqa: F401

    Builder.load_file(str(_WIDGETS_KV))
    _widgets_loaded = True


class InstantTransition(NoTransition):
    """A switch finished inside `start()`: the old screen leaves the tree at once.

    Kivy's NoTransition still runs a zero-length Animation, which ends on the next clock
    tick: a touch read in the event loop would draw one frame with both screens and a
    second with the new one alone, two whole frames of the software renderer per tap.
    """

    def start(self, manager: Any) -> None:
        super().start(manager)
        if self._anim is not None:
            self._anim.stop(self)  # dispatches on_complete: screen_out removed, on_enter


class KioskRoot(ScreenManager):
    """Shows `controller.screen`; a screen is imported and built the first time it is needed.

    No slide animations: a resident with poor eyesight should see the new screen at once,
    not two half screens moving.

    The screen's background (`bg_color`) is the window's clear colour rather than a
    rectangle in each screen: the window is cleared every frame anyway, and a full-screen
    rectangle over it costs about 10 ms a frame in a software renderer (1920x1080).
    """

    def __init__(self, controller: Controller, **kwargs: Any) -> None:
        kwargs.setdefault("transition", InstantTransition())
        self._painted: Any = None
        super().__init__(**kwargs)
        self.controller = controller
        controller.bind(screen=self._follow)
        self.bind(current_screen=self._paint_behind)
        self.show(controller.screen)

    def show(self, name: str) -> None:
        if name not in SCREENS:
            raise KeyError(f"no screen {name!r}")
        if not self.has_screen(name):
            started = time.perf_counter()
            self.add_widget(build_screen(name, self.controller))
            log.debug("screen %s built in %.0f ms", name, (time.perf_counter() - started) * 1000)
        self.current = name

    def _follow(self, _controller: Controller, name: str) -> None:
        self.show(name)

    def _paint_behind(self, _root: Any, screen: Any) -> None:
        if self._painted is not None:
            self._painted.unbind(bg_color=self._paint)
        self._painted = screen
        if screen is not None:
            screen.bind(bg_color=self._paint)
            self._paint(screen, screen.bg_color)

    @staticmethod
    def _paint(_screen: Any, colour: Any) -> None:
        # Imported here: the window opens on import, after kiosk.kivy_env.prepare().
        from kivy.core.window import Window

        Window.clearcolor = tuple(colour)
        Window.canvas.ask_update()

    def on_touch_down(self, touch: Any) -> bool:
        # Any touch interrupts speech, before the touched button acts (and maybe speaks).
        self.controller.touched()
        return bool(super().on_touch_down(touch))


class KioskApp(App):
    title = "Linli 邻里"

    def __init__(self, controller: Controller, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.controller = controller
        self.first_frame_at: float | None = None

    def build(self) -> KioskRoot:
        load_widgets()
        return KioskRoot(self.controller)

    def on_start(self) -> None:
        self.controller.start()
        self.controller.say_screen()

    def on_stop(self) -> None:
        self.controller.stop()
