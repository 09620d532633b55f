"""Who is using the kiosk: one big tile per resident (name and an initial-letter badge),
the resident whose wristband is connected and closest first."""

from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty, StringProperty

from kiosk.paging import on_page
from kiosk.resident_choice import WHO_PAGE_SIZE
from kiosk.screens.base import KioskScreen
from kiosk.widgets import BigButton


class ResidentTile(BigButton):
    """A resident's name tile (no photo: an initial-letter badge)."""

    resident = ObjectProperty(None, allownone=True)  # sync.store_views.ResidentView
    nearest = ObjectProperty(None, allownone=True)  # the resident id offered first
    nearest_text = StringProperty("")


def initial(name: str) -> str:
    """The badge letter: a Chinese surname's first character, or a Latin/Hangul initial."""
    name = name.strip()
    return name[:1].upper() if name else "?"


class WhoScreen(KioskScreen):
    def resident(self, slot: int, choices: Any, page: int) -> Any:
        return on_page(choices, page, slot, WHO_PAGE_SIZE)

    @staticmethod
    def paged(choices: Any) -> bool:
        return len(choices) > WHO_PAGE_SIZE

    def pressed(self, tile: ResidentTile) -> None:
        if tile.resident is not None:
            self.controller.choose_resident(tile.resident.resident_id)
