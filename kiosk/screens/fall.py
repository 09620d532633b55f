"""After a wristband fall: "are you OK?" with a countdown, "I'm OK" and "Call for help"."""

from __future__ import annotations

from kiosk.screens.base import KioskScreen


class FallScreen(KioskScreen):
    def ok(self) -> None:
        self.controller.fall_ok()

    def call_for_help(self) -> None:
        self.controller.fall_call_for_help()
