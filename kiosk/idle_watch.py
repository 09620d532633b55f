"""A kiosk left alone goes home: a spoken warning with "More time", then home.

A resident who walks away from the groceries screen must not leave their half-chosen
order, or their name, to the next person. After `idle_seconds` without a touch on any
screen but home, the kiosk says and shows "are you still using it?" with a big
"More time / 还要用" button; after `IDLE_GRACE_S` more without a touch it goes home and
forgets who was using it. Never during an alarm: an alarm screen stays until it is done.
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.properties import NumericProperty

from kiosk.alarm import Phase

log = logging.getLogger(__name__)

DEFAULT_IDLE_S = 60.0
IDLE_GRACE_S = 15.0
WARNING_SCREEN = "still_there"
# Not watched: home is where idling ends; the warning counts its own seconds.
UNWATCHED = frozenset({"home", WARNING_SCREEN})


class IdleWatch:
    """Mixed into the Controller. Needs its _now, flow, screen, _show, say, say_screen,
    forget_resident and (for the listening screen) voice_waiting."""

    idle_seconds = NumericProperty(DEFAULT_IDLE_S)
    idle_left = NumericProperty(0)  # whole seconds until home, shown on the warning

    _last_touch: float | None = None
    _warned_at: float | None = None
    _idle_back_to: str | None = None

    def idle_touched(self) -> None:
        """Any touch (and any screen change) restarts the count."""
        self._last_touch = self._now()

    def idle_more_time(self) -> None:
        """"还要用": back to the screen the resident was on, as it was."""
        back, self._idle_back_to = self._idle_back_to or "home", None
        self._warned_at = None
        self.idle_touched()
        if self.flow.phase is Phase.IDLE:
            self.screen = back
            self.say_screen()

    def on_screen(self, _controller: Any, name: str) -> None:
        if name != WARNING_SCREEN:
            self.idle_touched()

    def idle_tick(self, now: float) -> None:
        if self._last_touch is None or self.flow.phase is not Phase.IDLE:
            self._last_touch = now  # an alarm is never interrupted; count from its end
            return
        if self.screen == WARNING_SCREEN:
            assert self._warned_at is not None
            left = IDLE_GRACE_S - (now - self._warned_at)
            if left <= 0:
                self._idle_home()
            elif int(left + 0.999) != self.idle_left:
                self.idle_left = int(left + 0.999)
            return
        if self.screen in UNWATCHED or self.voice_waiting:
            return
        if now - self._last_touch >= self.idle_seconds:
            log.info("no touch for %.0f s on %s: asking whether still in use",
                     now - self._last_touch, self.screen)
            self._idle_back_to = self.screen
            self._warned_at = now
            self.idle_left = int(IDLE_GRACE_S)
            self.screen = WARNING_SCREEN
            self.say("idle.say", seconds=int(IDLE_GRACE_S))

    def _idle_home(self) -> None:
        log.info("kiosk left alone: back home, resident choice forgotten")
        self._idle_back_to = self._warned_at = None
        self.forget_resident()
        if not self.grocery.saving:
            from kiosk.screens.groceries import GroceryOrder

            self.grocery = GroceryOrder()  # a half-chosen order is not the next person's
        self.idle_gone_home()
        self._show("home", spoken="idle.say_home")

    def idle_gone_home(self) -> None:
        """Hook for what else a walked-away resident leaves behind (the voice dialogue)."""
