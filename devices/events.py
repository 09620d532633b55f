"""Values shared by the wristband rules, the downsampler and the recorder: clocks and alert changes."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sync.records import AlertPhase

__all__ = ["AlertChange", "AlertKind", "AlertPhase", "Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """Two clocks: monotonic seconds for every rule, wall time only to stamp records.

    Rules run on monotonic time because a kiosk without a clock battery can have its wall
    clock set back by NTP after boot; a fall countdown measured in wall time would then
    never expire.
    """

    def monotonic(self) -> float: ...

    def wall(self) -> datetime: ...


class SystemClock:
    """The real clocks: `time.monotonic()` and aware UTC now."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to (tests, simulations, replaying a log)."""

    def __init__(self, monotonic: float = 0.0, wall: datetime | None = None) -> None:
        self._monotonic = monotonic
        self._wall = wall or datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        return self._monotonic

    def wall(self) -> datetime:
        return self._wall

    def advance(self, seconds: float) -> None:
        self._monotonic += seconds
        self._wall += timedelta(seconds=seconds)

    def set_wall(self, wall: datetime) -> None:
        """Step the wall clock alone, as NTP does to a kiosk that booted with a wrong time."""
        self._wall = wall


def wall_time(clock: Clock, at: float) -> datetime:
    """The wall time of monotonic instant `at`, by the offset between the two clocks now."""
    return clock.wall() + timedelta(seconds=at - clock.monotonic())


class AlertKind(StrEnum):
    """What an `AlertChange` is about."""

    SOS = "sos"  # the band's SOS button: an alarm at once
    FALL_COUNTDOWN_STARTED = "fall_countdown_started"  # the kiosk asks "are you OK?"
    FALL_CANCELLED = "fall_cancelled"  # "I'm OK" within the countdown: no alarm
    FALL = "fall"  # the countdown ran out: an alarm
    HEART_RATE_HIGH = "heart_rate_high"
    HEART_RATE_LOW = "heart_rate_low"
    NO_DATA = "no_data"  # off the wrist, or no heart rate at all
    BATTERY_LOW = "battery_low"
    BATTERY_CRITICAL = "battery_critical"


ALARM_KINDS = frozenset({AlertKind.SOS, AlertKind.FALL})


@dataclass(slots=True, frozen=True)
class AlertChange:
    """One decision of the alert engine about one band.

    Attributes:
        band: the band's BLE address, as the manager knows it.
        kind: what happened.
        phase: STARTED or ENDED for conditions (heart rate, no data, battery); SOS, the
            fall countdown and the fall alarm are STARTED, a cancelled fall is ENDED.
        at: monotonic time the rule decided (for a fall alarm: exactly the deadline).
        detected_at: the same instant as aware UTC wall time, for records.
        value: the bpm or battery percent behind the decision, if any.
        sequence: the band's alert sequence number (SOS and falls).
        detail: who cancelled a fall ("band", "kiosk", ...); why no data ("off_wrist",
            "no_signal").
        deadline: for FALL_COUNTDOWN_STARTED, the monotonic time the alarm goes.
        record_id: the local-store record this change became, once stored (the
            WristbandService fills it in before telling its listeners), so the kiosk can
            follow a help call's acknowledgement.
    """

    band: str
    kind: AlertKind
    phase: AlertPhase
    at: float
    detected_at: datetime
    value: float | None = None
    sequence: int | None = None
    detail: str | None = None
    deadline: float | None = None
    record_id: uuid.UUID | None = None

    @property
    def is_alarm(self) -> bool:
        """True for the changes that call for help (SOS, fall after its countdown)."""
        return self.kind in ALARM_KINDS
