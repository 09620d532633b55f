"""Vitals downsampling: one stored sample per band per minute, plus the abnormal readings.

A band notifies its heart rate about once a second; storing every notification would fill
the kiosk and the server with 86,400 rows per resident a day. Kept instead:

- one sample per wall-clock minute: the median heart rate of the minute (the lower median,
  so it is a value the band really sent; one spike cannot move it) and the latest battery
  level of the minute, stamped with the minute's start;
- every abnormal heart rate (outside the resident's hr_low..hr_high), stamped with its own
  time, at most one per `abnormal_every_s` per band (an hour of tachycardia at 1 Hz is then
  720 rows rather than 3,600; 0 keeps every one).

Readings that are no heart rate (bpm 0, no skin contact) are not stored.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from devices.events import Clock, SystemClock, wall_time
from devices.gatt import HeartRateMeasurement
from devices.rules import AlertThresholds

log = logging.getLogger(__name__)

__all__ = ["VitalsDownsampler", "VitalsPoint"]

# sync.records.VitalsSample.heart_rate accepts 20..250 (the parser refuses above 250);
# slower readings still reach the rules (a heart-rate-low alert carries the value) but
# cannot be stored as a sample.
_MIN_STORABLE_BPM = 20


@dataclass(slots=True, frozen=True)
class VitalsPoint:
    """One sample to store (the recorder makes a VitalsSample of it)."""

    band: str
    measured_at: datetime
    heart_rate: int | None = None
    battery_percent: int | None = None
    abnormal: bool = False


@dataclass(slots=True)
class _Minute:
    start: datetime
    bpms: list[int] = field(default_factory=list)
    battery: int | None = None

    def point(self, band: str) -> VitalsPoint | None:
        bpm = statistics.median_low(self.bpms) if self.bpms else None
        if bpm is not None and bpm < _MIN_STORABLE_BPM:
            bpm = None
        if bpm is None and self.battery is None:
            return None
        return VitalsPoint(band, self.start, bpm, self.battery)


def _minute_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _default_thresholds(band: str) -> AlertThresholds:
    return AlertThresholds()


class VitalsDownsampler:
    """Feed it every reading; it returns the samples worth storing, as they become final.

    Args:
        thresholds_for: the band's wearer's thresholds (pass `AlertEngine.thresholds_for`
            so "abnormal" means the same here as in the alerts).
        clock: turns monotonic reading times into wall times.
        abnormal_every_s: least spacing of stored abnormal samples per band.
    """

    def __init__(self, thresholds_for: Callable[[str], AlertThresholds] = _default_thresholds,
                 *, clock: Clock | None = None, abnormal_every_s: float = 5.0) -> None:
        self._thresholds_for = thresholds_for
        self._clock = clock or SystemClock()
        self._abnormal_every = abnormal_every_s
        self._minutes: dict[str, _Minute] = {}
        self._last_abnormal: dict[str, float] = {}

    def add_heart_rate(self, band: str, at: float,
                       measurement: HeartRateMeasurement) -> list[VitalsPoint]:
        if not measurement.has_reading:
            return []
        moment = wall_time(self._clock, at)
        done, minute = self._minute(band, moment)
        bpm = measurement.bpm
        minute.bpms.append(bpm)
        if self._thresholds_for(band).is_abnormal(bpm) and self._abnormal_due(band, at):
            if bpm >= _MIN_STORABLE_BPM:
                done.append(VitalsPoint(band, moment, bpm, abnormal=True))
            else:
                log.debug("band %s: %d bpm is below what a vitals sample holds; alert only",
                          band, bpm)
        return done

    def add_battery(self, band: str, at: float, percent: int) -> list[VitalsPoint]:
        done, minute = self._minute(band, wall_time(self._clock, at))
        minute.battery = percent
        return done

    def flush(self, now: float | None = None) -> list[VitalsPoint]:
        """The samples of minutes over by `now` (monotonic); all open minutes if None.

        Call it from the same periodic tick as `AlertEngine.tick`, so a band that went
        quiet still gets its last minute stored; and with None at shutdown.
        """
        current = None if now is None else _minute_of(wall_time(self._clock, now))
        done: list[VitalsPoint] = []
        for band, minute in list(self._minutes.items()):
            if current is None or minute.start != current:
                del self._minutes[band]
                point = minute.point(band)
                if point is not None:
                    done.append(point)
        return done

    def _minute(self, band: str, moment: datetime) -> tuple[list[VitalsPoint], _Minute]:
        """The finished samples (if `moment` starts a new minute) and the minute it is in."""
        start = _minute_of(moment)
        done: list[VitalsPoint] = []
        minute = self._minutes.get(band)
        # Any other minute closes the open one, also an earlier one (the wall clock was set
        # back): better two samples in a minute than one minute holding a mix.
        if minute is not None and minute.start != start:
            point = minute.point(band)
            if point is not None:
                done.append(point)
            minute = None
        if minute is None:
            minute = self._minutes[band] = _Minute(start)
        return done, minute

    def _abnormal_due(self, band: str, at: float) -> bool:
        last = self._last_abnormal.get(band)
        if last is not None and at - last < self._abnormal_every:
            return False
        self._last_abnormal[band] = at
        return True
