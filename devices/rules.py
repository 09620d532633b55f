"""Alert rules: turning a band's readings and events into alert changes, per resident's thresholds.

Pure and clock-driven: every input carries its monotonic time, `tick(now)` runs the time
based rules, nothing sleeps. docs/WRISTBAND.md lists the rules and their defaults.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from devices.alert_format import AlertEvent, BandAlert
from devices.events import AlertChange, AlertKind, AlertPhase, Clock, SystemClock, wall_time
from devices.gatt import HeartRateMeasurement, SensorContact

log = logging.getLogger(__name__)

__all__ = ["AlertEngine", "AlertThresholds"]


@dataclass(slots=True, frozen=True)
class AlertThresholds:
    """One resident's alert settings. Heart rates in bpm, times in seconds, battery in %.

    A heart-rate condition must hold for `sustain_s` before it starts (so one sample never
    does) and must be gone for `clear_after_s` before it ends. Battery alerts end once the
    level is `battery_hysteresis` points above their threshold, so a level wobbling around
    20 % is one alert, not many.
    """

    hr_high: int = 120  # above this is high
    hr_low: int = 45  # below this is low
    sustain_s: float = 60.0
    clear_after_s: float = 60.0
    no_data_s: float = 120.0
    battery_low: int = 20  # below this is low
    battery_critical: int = 10  # below this is critical
    battery_hysteresis: int = 5
    fall_countdown_s: float = 30.0

    def __post_init__(self) -> None:
        if not 0 < self.hr_low < self.hr_high:
            raise ValueError(f"need 0 < hr_low ({self.hr_low}) < hr_high ({self.hr_high})")
        if not 0 < self.battery_critical < self.battery_low <= 100:
            raise ValueError(f"need 0 < battery_critical ({self.battery_critical}) < "
                             f"battery_low ({self.battery_low}) <= 100")
        if self.battery_hysteresis < 0:
            raise ValueError("battery_hysteresis must not be negative")
        # Zero would let one sample start an alert, or a countdown expire at once.
        for name in ("sustain_s", "clear_after_s", "no_data_s", "fall_countdown_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be more than 0 seconds")

    def is_abnormal(self, bpm: int) -> bool:
        """True for a heart rate outside [hr_low, hr_high]."""
        return bpm > self.hr_high or bpm < self.hr_low


@dataclass(slots=True)
class _Sustained:
    """A condition that starts after holding `sustain_s` and ends after `clear_after_s` gone.

    `since` is the first sample of the current run that disagrees with `active`. A sample
    that agrees with `active` breaks the run, and so does a gap of more than half the time
    needed: a change is seen in at least three readings, and two readings a silence apart
    never count as "held for a minute".
    """

    active: bool = False
    since: float | None = None
    last: float | None = None

    def observe(self, at: float, condition: bool, sustain_s: float,
                clear_after_s: float) -> bool | None:
        """True when the condition starts now, False when it ends now, else None."""
        needed = clear_after_s if self.active else sustain_s
        if self.last is not None and at - self.last > needed / 2:
            self.since = None
        self.last = at
        if condition == self.active:
            self.since = None
            return None
        if self.since is None:
            self.since = at
        if at - self.since < needed:
            return None
        self.active = condition
        self.since = None
        return condition


class _SequenceFilter:
    """Counts each alert sequence number once, though the band repeats its notifications.

    A repeat is the same (sequence, event) seen within `window_s`. Not an order check on
    purpose: a band that reboots starts again at 0, and the step 0xFFFF -> 0 is a wrap, so
    "lower than the last one" would drop real alarms. Only a sequence number re-used within
    the window with the same event is a repeat; 65,536 alerts in one window cannot happen.
    """

    def __init__(self, window_s: float) -> None:
        self._window = window_s
        self._seen: dict[tuple[int, AlertEvent], float] = {}

    def is_new(self, alert: BandAlert, at: float) -> bool:
        self._seen = {key: seen for key, seen in self._seen.items() if at - seen <= self._window}
        key = (alert.sequence, alert.event)
        if key in self._seen:
            return False
        self._seen[key] = at
        return True


@dataclass(slots=True)
class _Band:
    thresholds: AlertThresholds
    sequences: _SequenceFilter
    last_reading: float  # last heart rate reading (or when watching began)
    off_wrist: bool = False  # the latest measurement said "no skin contact"
    high: _Sustained = field(default_factory=_Sustained)
    low: _Sustained = field(default_factory=_Sustained)
    no_data: bool = False
    battery_low: bool = False
    battery_critical: bool = False
    fall_deadline: float | None = None
    fall_sequence: int | None = None
    forgotten: bool = False  # kept only until a running fall countdown has ended


class AlertEngine:
    """Alert rules for every band: feed readings and events in, get `AlertChange`s out.

    Every method returns the changes it decided, in order, and first runs any timer that
    expired before its `at` (so a late call never reorders a fall alarm after a cancel).
    Times are monotonic seconds from `clock.monotonic()`; `clock.wall()` only stamps
    `detected_at`. Bands are keyed by BLE address.
    """

    def __init__(self, thresholds: AlertThresholds | None = None,
                 per_band: Mapping[str, AlertThresholds] | None = None, *,
                 clock: Clock | None = None, repeat_window_s: float = 600.0) -> None:
        self._default = thresholds or AlertThresholds()
        self._per_band = dict(per_band or {})
        self._clock = clock or SystemClock()
        self._repeat_window = repeat_window_s
        self._bands: dict[str, _Band] = {}

    # --- configuration -----------------------------------------------------------------

    def thresholds_for(self, band: str) -> AlertThresholds:
        return self._per_band.get(band, self._default)

    def set_thresholds(self, band: str, thresholds: AlertThresholds) -> None:
        """Use `thresholds` for `band` from now on (the resident wearing it changed)."""
        self._per_band[band] = thresholds
        if band in self._bands:
            self._bands[band].thresholds = thresholds

    def watch(self, band: str, at: float) -> None:
        """Start the no-data clock for `band` (the manager calls it on connect)."""
        self._band(band, at)

    def forget(self, band: str) -> None:
        """Stop watching `band` (unpaired, removed): no further changes, no ended events.

        A fall countdown already running still ends in its alarm: never drop an alarm.
        """
        state = self._bands.get(band)
        if state is None:
            return
        if state.fall_deadline is None:
            del self._bands[band]
        else:
            state.forgotten = True

    def fall_deadline(self, band: str) -> float | None:
        """When `band`'s running fall countdown sends the alarm, or None."""
        state = self._bands.get(band)
        return None if state is None else state.fall_deadline

    # --- inputs --------------------------------------------------------------------------

    def on_heart_rate(self, band: str, at: float,
                      measurement: HeartRateMeasurement) -> list[AlertChange]:
        changes = self.tick(at)
        state = self._band(band, at)
        state.off_wrist = measurement.sensor_contact is SensorContact.NOT_DETECTED
        if not measurement.has_reading:
            # bpm 0 or no skin contact: not a heart rate. Neither high nor low, and it does
            # not reset the no-data clock; a band off the wrist becomes NO_DATA in time.
            return changes
        state.last_reading = at
        limits = state.thresholds
        bpm = measurement.bpm
        if state.no_data:
            state.no_data = False
            changes.append(self._change(band, AlertKind.NO_DATA, AlertPhase.ENDED, at, value=bpm))
        for kind, tracker, condition in (
            (AlertKind.HEART_RATE_HIGH, state.high, bpm > limits.hr_high),
            (AlertKind.HEART_RATE_LOW, state.low, bpm < limits.hr_low),
        ):
            decided = tracker.observe(at, condition, limits.sustain_s, limits.clear_after_s)
            if decided is not None:
                phase = AlertPhase.STARTED if decided else AlertPhase.ENDED
                changes.append(self._change(band, kind, phase, at, value=bpm))
        return changes

    def on_battery(self, band: str, at: float, percent: int) -> list[AlertChange]:
        changes = self.tick(at)
        state = self._band(band, at)
        limits = state.thresholds
        recovered = limits.battery_hysteresis
        # Ends before starts, critical before low when charging, low before critical when
        # draining: the order a person would tell it in.
        if state.battery_critical and percent >= limits.battery_critical + recovered:
            state.battery_critical = False
            changes.append(self._change(band, AlertKind.BATTERY_CRITICAL, AlertPhase.ENDED, at,
                                        value=percent))
        if state.battery_low and percent >= limits.battery_low + recovered:
            state.battery_low = False
            changes.append(self._change(band, AlertKind.BATTERY_LOW, AlertPhase.ENDED, at,
                                        value=percent))
        if not state.battery_low and percent < limits.battery_low:
            state.battery_low = True
            changes.append(self._change(band, AlertKind.BATTERY_LOW, AlertPhase.STARTED, at,
                                        value=percent))
        if not state.battery_critical and percent < limits.battery_critical:
            state.battery_critical = True
            changes.append(self._change(band, AlertKind.BATTERY_CRITICAL, AlertPhase.STARTED, at,
                                        value=percent))
        return changes

    def on_alert(self, band: str, at: float, alert: BandAlert) -> list[AlertChange]:
        """A Linli alert notification; a repeated sequence number is counted once."""
        changes = self.tick(at)
        state = self._band(band, at)
        if not state.sequences.is_new(alert, at):
            log.debug("band %s repeated alert %s #%d: already counted",
                      band, alert.event.name, alert.sequence)
            return changes
        if alert.event is AlertEvent.SOS_PRESSED:
            changes.append(self._change(band, AlertKind.SOS, AlertPhase.STARTED, at,
                                        sequence=alert.sequence))
        elif alert.event is AlertEvent.FALL_DETECTED:
            changes.extend(self._start_fall(band, state, at, alert.sequence))
        else:
            changes.extend(self._cancel_fall(band, state, at, "band"))
        return changes

    def cancel_fall(self, band: str, at: float, by: str = "kiosk") -> list[AlertChange]:
        """The resident said "I'm OK" (button or voice) for `band`'s fall.

        Within the countdown this gives a FALL_CANCELLED change and no alarm; after it,
        the alarm has gone (and is returned here if this call is what noticed it).
        """
        changes = self.tick(at)
        state = self._bands.get(band)
        if state is not None:
            changes.extend(self._cancel_fall(band, state, at, by))
        return changes

    def confirm_fall(self, band: str, at: float, by: str = "kiosk") -> list[AlertChange]:
        """The resident asked for help during `band`'s fall countdown: the alarm goes now.

        Ends the countdown, so the fall gives exactly one alarm (not a second one at the
        deadline). Without a countdown running this returns only what `tick` finds.
        """
        changes = self.tick(at)
        state = self._bands.get(band)
        if state is None or state.fall_deadline is None:
            return changes
        state.fall_deadline = None
        log.info("band %s: help asked for by %s during the fall countdown; sending the alarm",
                 band, by)
        changes.append(self._change(band, AlertKind.FALL, AlertPhase.STARTED, at,
                                    sequence=state.fall_sequence, detail=by))
        return changes

    def tick(self, now: float) -> list[AlertChange]:
        """Run the time-based rules up to `now`: fall countdowns, no data."""
        changes: list[AlertChange] = []
        for band, state in self._bands.items():
            deadline = state.fall_deadline
            if deadline is not None and now >= deadline:
                state.fall_deadline = None
                log.info("band %s: nobody cancelled the fall within %.0f s, sending the alarm",
                         band, state.thresholds.fall_countdown_s)
                # Stamped at the deadline itself, however late the tick came.
                changes.append(self._change(band, AlertKind.FALL, AlertPhase.STARTED, deadline,
                                            sequence=state.fall_sequence))
            if state.forgotten:
                continue
            silent_until = state.last_reading + state.thresholds.no_data_s
            if not state.no_data and now >= silent_until:
                state.no_data = True
                why = "off_wrist" if state.off_wrist else "no_signal"
                changes.append(self._change(band, AlertKind.NO_DATA, AlertPhase.STARTED,
                                            silent_until, detail=why))
        for band in [b for b, s in self._bands.items() if s.forgotten and s.fall_deadline is None]:
            del self._bands[band]
        return changes

    # --- internals -----------------------------------------------------------------------

    def _band(self, band: str, at: float) -> _Band:
        state = self._bands.get(band)
        if state is None:
            state = _Band(self.thresholds_for(band), _SequenceFilter(self._repeat_window), at)
            self._bands[band] = state
        state.forgotten = False  # heard from again: watched again
        return state

    def _start_fall(self, band: str, state: _Band, at: float,
                    sequence: int) -> list[AlertChange]:
        if state.fall_deadline is not None:
            # A second fall while the first is counting down: one question, one alarm.
            log.info("band %s: fall #%d while a countdown runs; keeping the first", band, sequence)
            return []
        state.fall_deadline = at + state.thresholds.fall_countdown_s
        state.fall_sequence = sequence
        log.info("band %s: fall detected (#%d), asking the resident; alarm in %.0f s",
                 band, sequence, state.thresholds.fall_countdown_s)
        return [self._change(band, AlertKind.FALL_COUNTDOWN_STARTED, AlertPhase.STARTED, at,
                             sequence=sequence, deadline=state.fall_deadline)]

    def _cancel_fall(self, band: str, state: _Band, at: float, by: str) -> list[AlertChange]:
        if state.fall_deadline is None:
            log.info("band %s: fall cancel by %s with no countdown running; nothing to cancel",
                     band, by)
            return []
        state.fall_deadline = None
        log.info("band %s: fall #%s cancelled by %s within the countdown; no alarm",
                 band, state.fall_sequence, by)
        return [self._change(band, AlertKind.FALL_CANCELLED, AlertPhase.ENDED, at,
                             sequence=state.fall_sequence, detail=by)]

    def _change(self, band: str, kind: AlertKind, phase: AlertPhase, at: float, *,
                value: float | None = None, sequence: int | None = None,
                detail: str | None = None, deadline: float | None = None) -> AlertChange:
        change = AlertChange(band, kind, phase, at, wall_time(self._clock, at), value=value,
                             sequence=sequence, detail=detail, deadline=deadline)
        if kind not in (AlertKind.FALL_COUNTDOWN_STARTED, AlertKind.FALL_CANCELLED,
                        AlertKind.FALL):
            log.info("band %s: %s %s (value %s%s)", band, kind, phase, value,
                     f", {detail}" if detail else "")
        return change
