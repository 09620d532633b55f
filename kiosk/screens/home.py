"""Home: six big tiles, the language and text-size switches, and the status line."""

from __future__ import annotations

from kiosk.i18n import Lang
from kiosk.screens.base import KioskScreen

# The language switch shows each language in its own words, whatever is chosen.
LANGUAGE_NAMES = {Lang.ZH: "中文", Lang.EN: "English", Lang.KO: "한국어"}


class HomeScreen(KioskScreen):
    def tile_pressed(self, tile: str) -> None:
        if tile == "help":
            self.controller.call_for_help()
        elif tile == "groceries":
            self.controller.open_groceries()
        elif tile == "services":
            self.controller.open_services()
        elif tile == "health":
            self.controller.open_health()
        elif tile == "points":
            self.controller.open_points()
        elif tile == "speak":
            self.controller.open_voice()
        else:
            self.controller.not_ready(tile)
