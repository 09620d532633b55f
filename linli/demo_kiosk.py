"""The demo's kiosk: the real Kivy kiosk, in a window when there is a display, else offscreen
driven by a scripted scenario that taps like a resident and saves a screenshot of each step.

Scenarios (`linli demo --scenario NAME`):
- tour: order groceries by tapping tiles, then watch the order being claimed, bought and
  delivered by the demo volunteer;
- sos:  the first resident's virtual wristband sends SOS; the latched alarm screen shows;
  the caregiver acknowledges (the demo caregiver, or a person on the server); the kiosk
  says who is coming.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCENARIOS = ("tour", "sos")
FRAME_SECONDS = 0.05  # the offscreen kiosk is drawn at ~20 frames a second while waiting


class ScenarioFailed(RuntimeError):
    """A step of the scripted scenario did not happen in time (the message says which)."""


class DemoStopped(Exception):
    """Ctrl-C or SIGTERM: the demo stops at the next wait."""


class OffscreenDemo:
    """The kiosk on the offscreen window; `say` prints the demo's narration."""

    def __init__(self, controller: Any, shots_dir: Path, stopping: threading.Event,
                 say: Callable[[str], None]) -> None:
        from kiosk.offscreen import OffscreenKiosk

        self.controller = controller
        self.stopping = stopping
        self.kiosk = OffscreenKiosk(controller)
        self.shots_dir = shots_dir
        self._say = say
        self._shot_number = 0

    def close(self) -> None:
        self.kiosk.close()

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        try:
            self.kiosk.until(lambda: condition() or self.stopping.is_set(), timeout=timeout,
                             what=what)
        except TimeoutError as exc:
            raise ScenarioFailed(str(exc)) from exc
        if self.stopping.is_set():
            raise DemoStopped

    def idle(self, seconds: float | None) -> None:
        """Keep drawing frames (background results arrive through Kivy's clock)."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while not self.stopping.is_set() and (deadline is None or time.monotonic() < deadline):
            self.kiosk.frames(1)
            time.sleep(FRAME_SECONDS)

    def shot(self, name: str) -> Path:
        self._shot_number += 1
        path = self.kiosk.screenshot(self.shots_dir / f"{self._shot_number:02d}_{name}.png")
        self._say(f"[kiosk] screen '{self.kiosk.root.current}' saved as {path}")
        return path

    # --- scenarios ---------------------------------------------------------------------------

    def run(self, scenario: str) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; choose one of {SCENARIOS}")
        self.wait(lambda: bool(self.controller.store.residents()),
                  "the residents pulled from the server")
        self.shot("home")
        getattr(self, f"_{scenario}")()

    def _tour(self) -> None:
        controller, kiosk = self.controller, self.kiosk
        kiosk.tap("groceries")
        if kiosk.root.current == "who":  # a shared kiosk asks who is ordering
            self.shot("who_is_using")
            first = next(widget for widget in kiosk.walk()
                         if str(getattr(widget, "action", "")).startswith("resident_"))
            kiosk.tap(first)
            name = first.resident.display_name
            self._say(f"[kiosk] {name} taps their name; the order goes on their record")
        for item in ("plus_eggs", "plus_eggs", "plus_rice"):
            kiosk.tap(item)
        self.shot("groceries")
        kiosk.tap("grocery_next")
        self.shot("grocery_readback")
        kiosk.tap("grocery_yes")
        self.wait(lambda: controller.grocery.stored, "the grocery order saved")
        self._say("[kiosk] groceries ordered: 2 斤 eggs, 1 袋 rice")
        self.shot("grocery_sent")
        self.wait(lambda: _status_of(controller, controller.grocery.record_id) == "delivered",
                  "the order delivered by the demo volunteer", timeout=120)
        self.shot("grocery_delivered")
        kiosk.tap("my_requests")
        self.shot("my_requests")
        kiosk.tap("home")

    def _sos(self) -> None:
        controller = self.controller
        self.wait(lambda: controller.wristband_service is not None and
                  controller.status.bands_connected > 0, "a wristband connected")
        fleet = controller.wristband_service.fleet
        band = fleet[0]
        self._say(f"[wristband] {band.name} ({band.address}): SOS pressed")
        controller.background.submit(band.press_sos()).result(timeout=10)
        self.wait(lambda: self.kiosk.root.current == "help_alarm", "the latched alarm screen")
        self.shot("sos_alarm")
        self.wait(lambda: controller.alarm.delivered, "the help call reaching the server")
        self._say("[kiosk] help call delivered to the server; waiting for a caregiver")
        self.shot("sos_delivered")
        self.wait(lambda: controller.alarm.acknowledged, "a caregiver's acknowledgement",
                  timeout=600)
        self._say(f"[kiosk] the screen says help is coming: {controller.alarm.acknowledged_by}")
        self.shot("sos_acknowledged")


def _status_of(controller: Any, record_id: Any) -> str | None:
    for view in controller.requests:
        if view.id == record_id and view.status is not None:
            return str(getattr(view.status, "value", view.status))
    return None
