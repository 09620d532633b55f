"""Speak: what the spoken dialogue is doing ("我在听，请说…", what was heard, the question)
and big buttons for the answers it offers; a tap and a spoken word are one event."""

from __future__ import annotations

from typing import Any

from kiosk.screens.base import KioskScreen
from kiosk.theme import current
from kiosk.voice_control import VoiceView
from kiosk.widgets import Tile

# Each answer button: its icon and colours (icon and words, never colour alone).
CHOICE_LOOK: dict[str, tuple[str, str, str]] = {
    # choice: (icon, background palette name, ink palette name)
    "yes": ("check", "safe", "text"),
    "no": ("cross", "switch", "text"),
    "repeat": ("repeat", "speak", "text"),
    "more_time": ("more", "services", "text"),
    "cancel": ("cross", "cancel", "cancel_text"),
    "home": ("house", "switch", "text"),
}
_ORDER = ("yes", "no", "repeat", "more_time", "cancel")


class ListeningScreen(KioskScreen):
    def on_kv_post(self, base_widget: Any) -> None:
        self.controller.bind(voice=self._rebuild, lang=self._rebuild)
        self._shown: tuple[tuple[str, ...], str] | None = None
        self._rebuild()

    def state_text(self, view: VoiceView, lang: str) -> str:
        if view.phase == "unavailable":
            return self.tr("voice.unavailable", lang)
        key = {"preparing": "voice.preparing",
               "listening": "voice.listening"}.get(view.phase, "voice.waiting")
        return self.tr(key, lang)

    @staticmethod
    def mic_opacity(view: VoiceView) -> float:
        return 1.0 if view.phase == "listening" else 0.0

    @staticmethod
    def state_size(view: VoiceView) -> str:
        # "I'm listening" is the headline; the longer sentences take body size to fit.
        fonts = current().fonts
        return fonts.headline if view.phase == "listening" else fonts.body

    def prompt_text(self, view: VoiceView) -> str:
        return "" if view.phase in ("unavailable", "preparing") else view.prompt

    def heard_text(self, view: VoiceView, lang: str) -> str:
        if view.heard is None:
            return ""
        if not view.heard:
            return self.tr("voice.heard_nothing", lang)
        return self.tr("voice.heard", lang, text=view.heard)

    def buttons(self, view: VoiceView) -> tuple[str, ...]:
        """The dialogue's answers in a fixed order, then Home (always there)."""
        offered = [c for c in _ORDER if c in view.choices]
        return (*offered, "home")

    def _rebuild(self, *_args: Any) -> None:
        box = self.ids.choices
        wanted = (self.buttons(self.controller.voice), self.controller.lang)
        if wanted == self._shown:
            return
        self._shown = wanted
        box.clear_widgets()
        palette = current().palette
        fonts = current().fonts
        for choice in wanted[0]:
            icon, bg, ink = CHOICE_LOOK[choice]
            tile = Tile(action=f"voice_{choice}", key=f"voice.choice.{choice}", icon=icon,
                        bg_color=getattr(palette, bg), ink=getattr(palette, ink),
                        first_size=fonts.body, second_size=fonts.status,
                        lang=self.controller.lang, translator=self.controller.translator)
            tile.bind(on_release=lambda _tile, c=choice: self._pressed(c))
            box.add_widget(tile)

    def _pressed(self, choice: str) -> None:
        if choice == "home":
            self.controller.voice_home()
        else:
            self.controller.voice_tap(choice)
