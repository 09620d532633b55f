"""The SOS countdown: seconds left and a huge Cancel; at zero the controller calls for help."""

from __future__ import annotations

from kiosk.screens.base import KioskScreen
from kiosk.theme import current


class HelpCountdownScreen(KioskScreen):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("bg_color", current().palette.help)
        super().__init__(**kwargs)

    def cancel(self) -> None:
        self.controller.cancel_help()
