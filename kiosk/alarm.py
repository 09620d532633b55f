"""The help flow as a plain state machine: SOS countdown, fall question, latched alarm.

No Kivy, no store, no threads: the controller feeds it events and the time, and carries
out what it returns. That keeps the rules that matter most (a cancel inside the countdown
sends nothing; an alarm stays latched until a person acknowledges it) testable alone.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from enum import StrEnum

SOS_COUNTDOWN_S = 5.0  # SENIOR_UX: "one tap opens a full-screen countdown (e.g. 5 s)"
FALL_COUNTDOWN_S = 30.0  # SENIOR_UX: the fall question waits 30 s


class Phase(StrEnum):
    IDLE = "idle"
    COUNTDOWN = "countdown"  # SOS tapped; Cancel still possible
    FALL_CHECK = "fall_check"  # "are you OK?" after a wristband fall
    LATCHED = "latched"  # help called; waiting for a person to acknowledge
    ACKNOWLEDGED = "acknowledged"  # someone is coming; the resident may go home


class Origin(StrEnum):
    KIOSK = "kiosk"  # the red button (help call made by the kiosk)
    FALL_KIOSK = "fall_kiosk"  # "call for help" on the fall screen (made by the kiosk)
    WRISTBAND = "wristband"  # the wristband service recorded the alarm itself


@dataclass(frozen=True, slots=True)
class Countdown:
    """A deadline on a monotonic clock and how many whole seconds to show."""

    started_at: float
    seconds: float

    @property
    def deadline(self) -> float:
        return self.started_at + self.seconds

    def remaining(self, now: float) -> float:
        return max(0.0, self.deadline - now)

    def shown(self, now: float) -> int:
        # 4.2 s left shows "5": the number never reaches 0 before the call goes.
        return math.ceil(self.remaining(now))

    def expired(self, now: float) -> bool:
        return now >= self.deadline


@dataclass(frozen=True, slots=True)
class AlarmState:
    phase: Phase = Phase.IDLE
    countdown: Countdown | None = None
    origin: Origin | None = None
    band: str | None = None  # the wristband's BLE address (falls and wristband alarms)
    help_call_id: uuid.UUID | None = None  # known when the kiosk made the record
    saved: bool = False  # the help call is in the local store (the outbox has it)
    save_failed: bool = False  # the store refused it; retrying, and the screen says so
    delivered: bool = False  # the server has it
    acknowledged_by: str | None = None
    acknowledged: bool = False


class Action(StrEnum):
    """What the controller must do after an event."""

    NOTHING = "nothing"
    SEND_HELP = "send_help"  # create the help call record now


class AlarmFlow:
    """Holds the current `AlarmState`; every method returns the action to carry out."""

    def __init__(self, sos_seconds: float = SOS_COUNTDOWN_S,
                 fall_seconds: float = FALL_COUNTDOWN_S) -> None:
        self.sos_seconds = sos_seconds
        self.fall_seconds = fall_seconds
        self.state = AlarmState()

    @property
    def phase(self) -> Phase:
        return self.state.phase

    def call_for_help(self, now: float) -> Action:
        """The red button. While an alarm is latched this only shows it again."""
        if self.phase in (Phase.IDLE, Phase.ACKNOWLEDGED):
            self.state = AlarmState(Phase.COUNTDOWN, Countdown(now, self.sos_seconds),
                                    Origin.KIOSK)
        return Action.NOTHING

    def cancel(self) -> bool:
        """Cancel inside the countdown: nothing is sent. False when it is too late."""
        if self.phase is not Phase.COUNTDOWN:
            return False
        self.state = AlarmState()
        return True

    def fall_detected(self, band: str, now: float, seconds: float | None = None) -> Action:
        """The wristband's fall countdown started; ask "are you OK?".

        A fall during a latched alarm changes nothing on screen: help is already called.
        """
        if self.phase in (Phase.LATCHED, Phase.COUNTDOWN):
            return Action.NOTHING
        self.state = AlarmState(Phase.FALL_CHECK, Countdown(now, seconds or self.fall_seconds),
                                band=band)
        return Action.NOTHING

    def fall_ok(self) -> str | None:
        """"I'm OK": the band whose fall countdown the wristband service must cancel."""
        if self.phase is not Phase.FALL_CHECK:
            return None
        band = self.state.band
        self.state = AlarmState()
        return band

    def fall_cancelled_by_band(self, band: str) -> None:
        if self.phase is Phase.FALL_CHECK and self.state.band == band:
            self.state = AlarmState()

    def fall_call_for_help(self) -> Action:
        """"Call for help" on the fall screen: do not wait for the countdown."""
        if self.phase is not Phase.FALL_CHECK:
            return Action.NOTHING
        self.state = AlarmState(Phase.LATCHED, origin=Origin.FALL_KIOSK, band=self.state.band)
        return Action.SEND_HELP

    def wristband_alarm(self, band: str) -> None:
        """An SOS press or an unanswered fall, already recorded by the wristband service."""
        if self.phase is Phase.LATCHED:
            return  # one latched alarm on screen; every record is in the store anyway
        self.state = AlarmState(Phase.LATCHED, origin=Origin.WRISTBAND, band=band, saved=True)

    def tick(self, now: float) -> Action:
        state = self.state
        if state.phase is Phase.COUNTDOWN and state.countdown and state.countdown.expired(now):
            self.state = AlarmState(Phase.LATCHED, origin=Origin.KIOSK)
            return Action.SEND_HELP
        if state.phase is Phase.FALL_CHECK and state.countdown and state.countdown.expired(now):
            # The wristband service raises the alarm at its own deadline and records it;
            # the screen latches now rather than wait for that event.
            self.state = AlarmState(Phase.LATCHED, origin=Origin.WRISTBAND, band=state.band,
                                    saved=True)
        return Action.NOTHING

    def help_saved(self, help_call_id: uuid.UUID) -> None:
        if self.phase in (Phase.LATCHED, Phase.ACKNOWLEDGED):
            self.state = replace(self.state, help_call_id=help_call_id, saved=True,
                                 save_failed=False)

    def help_save_failed(self) -> None:
        if self.phase is Phase.LATCHED:
            self.state = replace(self.state, save_failed=True)

    def help_status(self, help_call_id: uuid.UUID, delivered: bool, acknowledged: bool,
                    acknowledged_by: str | None) -> None:
        """What the store knows about the call (sync push and pull moved it on)."""
        if self.state.help_call_id != help_call_id:
            return
        state = replace(self.state, delivered=delivered or acknowledged)
        if acknowledged:
            state = replace(state, phase=Phase.ACKNOWLEDGED, acknowledged=True,
                            acknowledged_by=acknowledged_by)
        self.state = state

    def dismiss(self) -> bool:
        """Back home after an acknowledgement; a latched alarm cannot be dismissed."""
        if self.phase is not Phase.ACKNOWLEDGED:
            return False
        self.state = AlarmState()
        return True
