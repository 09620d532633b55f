"""What every kiosk screen shares: the controller, its background colour, the words."""

from __future__ import annotations

from typing import Any

from kivy.properties import ColorProperty, ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.i18n import Lang, other_language
from kiosk.theme import current


class KioskScreen(Screen):
    """A screen holds view logic only; every action goes to `controller`.

    Screens do not speak on entering: the controller speaks every state change itself, so
    a change made by voice or by a wristband is spoken the same way as a tap.
    """

    controller = ObjectProperty(None)
    # Painted behind the whole screen by KioskRoot (the window's clear colour).
    bg_color = ColorProperty(current().palette.background)

    def tr(self, key: str, lang: str, **values: Any) -> str:
        """Text in `lang`. kv passes `root.controller.lang` so the text follows a switch."""
        return self.controller.translator.text(key, Lang(lang), **values)

    def saving_headline(self, area: str, state: Any, lang: str) -> str:
        """A sent screen's headline: why it was not stored, "<area>.saving" while storing,
        then "<area>.saved"."""
        if state.failure:
            return self.tr(f"{area}.{state.failure}", lang)
        if state.saving or not state.stored:
            return self.tr(f"{area}.saving", lang)
        return self.tr(f"{area}.saved", lang)

    @staticmethod
    def not_sent(state: Any, requests: Any) -> bool:
        """A sent screen's yellow "not reached the community yet": `state` (an order, a
        service flow, a booking) is stored here and the server does not have it yet."""
        from kiosk.screens.requests import not_at_community

        return state.stored and not_at_community(requests, state.record_id)

    def tr_other(self, key: str, lang: str, **values: Any) -> str:
        """The same text in the other language shown on screen (Chinese, or English)."""
        return self.controller.translator.text(key, other_language(Lang(lang)), **values)
