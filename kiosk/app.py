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


class KioskRoot(ScreenManager):
    """Shows `controller.screen`; a screen is imported and built the first time it is needed.

    No slide animations: a resident with poor eyesight should see the new screen at once,
    not two half screens moving.
    """

    def __init__(self, controller: Controller, **kwargs: Any) -> None:
        kwargs.setdefault("transition", NoTransition())
        super().__init__(**kwargs)
        self.controller = controller
        controller.bind(screen=self._follow)
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
