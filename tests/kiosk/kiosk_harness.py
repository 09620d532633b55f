"""Helpers for the kiosk tests: a hand-moved clock and the kiosk on the offscreen window."""

from __future__ import annotations

from typing import Any


class ManualTime:
    """The controller's monotonic clock, moved by the test (countdowns without waiting)."""

    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_kiosk(store: Any, manual_time: ManualTime, **controller_kwargs: Any) -> Any:
    from kiosk.controller import Controller
    from kiosk.offscreen import OffscreenKiosk
    from kiosk.speech import RecordingSpeech

    controller_kwargs.setdefault("speech", RecordingSpeech())
    controller_kwargs.setdefault("poll_interval", 0.05)
    controller = Controller(store, now=manual_time, close_store=False, **controller_kwargs)
    return OffscreenKiosk(controller)
