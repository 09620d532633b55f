"""What every kiosk screen shares: the controller, its background colour, the words."""

from __future__ import annotations

from typing import Any

from kivy.properties import ColorProperty, ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.i18n import BASE, Lang, second_language
from kiosk.theme import current


class KioskScreen(Screen):
    """A screen holds view logic only; every action goes to `controller`.

    Screens do not speak on entering: the controller speaks every state change itself, so
    a change made by voice or by a wristband is spoken the same way as a tap.
    """

    controller = ObjectProperty(None)
    bg_color = ColorProperty(current().palette.background)

    def tr(self, key: str, lang: str, **values: Any) -> str:
        """Text in `lang`. kv passes `root.controller.lang` so the text follows a switch."""
        return self.controller.translator.text(key, Lang(lang), **values)

    def tr_other(self, key: str, lang: str, **values: Any) -> str:
        """The same text in the other language shown on screen (Chinese, or English)."""
        chosen = Lang(lang)
        other = second_language(chosen) if chosen is BASE else BASE
        return self.controller.translator.text(key, other, **values)
