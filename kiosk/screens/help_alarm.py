"""The latched alarm: help is called; stays until a person acknowledges, then says who."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty

from kiosk.alarm import Origin
from kiosk.screens.base import KioskScreen
from kiosk.theme import current


class HelpAlarmScreen(KioskScreen):
    # Copies of the alarm's fields as Kivy properties: kv cannot bind to attributes of a
    # plain dataclass (`controller.alarm.acknowledged` would never re-evaluate).
    acknowledged = BooleanProperty(False)
    from_wristband = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.controller.bind(alarm=self._follow_alarm)
        self._follow_alarm()

    def _follow_alarm(self, *_args: Any) -> None:
        alarm = self.controller.alarm
        self.acknowledged = alarm.acknowledged
        self.from_wristband = alarm.origin == Origin.WRISTBAND
        # Red while nobody has answered, green once someone is coming; the words change
        # too, so colour is never the only cue.
        palette = current().palette
        self.bg_color = palette.safe if alarm.acknowledged else palette.help

    def message(self, alarm: Any, lang: str) -> str:
        if alarm.acknowledged:
            if alarm.acknowledged_by:
                return self.tr("help.acknowledged", lang, name=alarm.acknowledged_by)
            return self.tr("help.acknowledged_anonymous", lang)
        if alarm.save_failed:
            return self.tr("help.not_saved", lang)
        return self.tr("help.waiting", lang)

    def headline(self, alarm: Any, lang: str, other: bool = False) -> str:
        key = "help.sent" if alarm.saved or alarm.acknowledged else "help.sending"
        return self.tr_other(key, lang) if other else self.tr(key, lang)

    def phone_line(self, phone: str | None, lang: str) -> str:
        if phone:
            return self.tr("help.phone", lang, phone=phone)
        return self.tr("help.phone_unknown", lang)

    def done(self) -> None:
        self.controller.dismiss_alarm()
