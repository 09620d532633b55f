"""Alert rules on a manual clock: sustained heart rate, falls and their countdown, SOS repeats,
battery thresholds with hysteresis, no data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from devices import (
    AlertChange,
    AlertEngine,
    AlertKind,
    AlertPhase,
    AlertThresholds,
    BandAlert,
    HeartRateMeasurement,
    ManualClock,
    SensorContact,
)
from devices.alert_format import AlertEvent

BAND = "AA:BB:CC:00:00:01"
STARTED, ENDED = AlertPhase.STARTED, AlertPhase.ENDED


def hr(bpm: int, contact: SensorContact = SensorContact.DETECTED) -> HeartRateMeasurement:
    return HeartRateMeasurement(bpm, contact)


def feed(engine: AlertEngine, start: float, stop: float, bpm: int,
         contact: SensorContact = SensorContact.DETECTED, every: float = 1.0,
         band: str = BAND) -> list[AlertChange]:
    """One reading every `every` seconds from `start` up to (not including) `stop`."""
    changes: list[AlertChange] = []
    at = start
    while at < stop:
        changes += engine.on_heart_rate(band, at, hr(bpm, contact))
        at += every
    return changes


def kinds(changes: list[AlertChange]) -> list[tuple[AlertKind, AlertPhase, float]]:
    return [(change.kind, change.phase, change.at) for change in changes]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def engine(clock: ManualClock) -> AlertEngine:
    return AlertEngine(clock=clock)


# --- heart rate ----------------------------------------------------------------------------


@pytest.mark.parametrize(("bad", "kind"), [(135, AlertKind.HEART_RATE_HIGH),
                                           (38, AlertKind.HEART_RATE_LOW)])
def test_sustained_condition_gives_exactly_one_started_and_one_ended(
    engine: AlertEngine, clock: ManualClock, bad: int, kind: AlertKind
) -> None:
    changes = feed(engine, 0, 10, 72)
    changes += feed(engine, 10, 310, bad)  # five minutes of it, at 1 Hz
    changes += feed(engine, 310, 500, 72)
    assert kinds(changes) == [(kind, STARTED, 70.0), (kind, ENDED, 370.0)]
    started, ended = changes
    assert started.value == bad and ended.value == 72
    assert started.detected_at == clock.wall() + timedelta(seconds=70)


def test_a_single_high_sample_gives_nothing(engine: AlertEngine) -> None:
    changes = feed(engine, 0, 60, 72)
    changes += engine.on_heart_rate(BAND, 60, hr(190))
    changes += feed(engine, 61, 400, 72)
    assert changes == []


def test_high_for_less_than_sustain_gives_nothing(engine: AlertEngine) -> None:
    changes = feed(engine, 0, 59, 140)  # 0..58: 58 s of it
    changes += feed(engine, 59, 200, 72)
    changes += feed(engine, 200, 259, 140)
    assert changes == []


def test_clearing_needs_clear_after_s_of_normal(engine: AlertEngine) -> None:
    changes = feed(engine, 0, 61, 130)
    assert kinds(changes) == [(AlertKind.HEART_RATE_HIGH, STARTED, 60.0)]
    # Normal for 30 s, high again, normal for 30 s: never 60 s of normal, still one episode.
    changes = feed(engine, 61, 91, 80) + feed(engine, 91, 95, 130) + feed(engine, 95, 125, 80)
    assert changes == []
    assert kinds(feed(engine, 125, 200, 80)) == [(AlertKind.HEART_RATE_HIGH, ENDED, 155.0)]


def test_a_long_silence_breaks_the_run(engine: AlertEngine) -> None:
    # Readings more than sustain_s / 2 apart are not "high for a minute": nothing was seen
    # between them.
    changes: list[AlertChange] = []
    for at in (0, 31, 62, 93, 124, 155):
        changes += engine.on_heart_rate(BAND, at, hr(150))
    assert [c for c in changes if c.kind is AlertKind.HEART_RATE_HIGH] == []


def test_a_slow_band_still_gets_its_alert(engine: AlertEngine) -> None:
    # A band notifying every 30 s: three readings over a minute are enough.
    changes = feed(engine, 0, 100, 150, every=30.0)
    assert kinds(changes) == [(AlertKind.HEART_RATE_HIGH, STARTED, 60.0)]


def test_readings_without_skin_contact_are_no_heart_rate(engine: AlertEngine) -> None:
    changes = feed(engine, 0, 100, 150, SensorContact.NOT_DETECTED)
    assert [c for c in changes if c.kind is AlertKind.HEART_RATE_HIGH] == []


def test_thresholds_are_per_band(clock: ManualClock) -> None:
    athlete = AlertThresholds(hr_high=150, hr_low=38)
    engine = AlertEngine(per_band={"AA:02": athlete}, clock=clock)
    assert feed(engine, 0, 100, 130, band="AA:02") == []
    assert kinds(feed(engine, 0, 100, 130, band="AA:01")) == [
        (AlertKind.HEART_RATE_HIGH, STARTED, 60.0)]
    engine.set_thresholds("AA:01", AlertThresholds(hr_high=100))
    assert engine.thresholds_for("AA:01").hr_high == 100


@pytest.mark.parametrize("bad", [
    {"sustain_s": 0}, {"clear_after_s": -1}, {"no_data_s": 0}, {"fall_countdown_s": 0},
    {"hr_low": 130}, {"battery_critical": 25}, {"battery_hysteresis": -1},
])
def test_thresholds_that_cannot_work_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        AlertThresholds(**bad)


# --- falls ----------------------------------------------------------------------------------


def fall(sequence: int) -> BandAlert:
    return BandAlert(AlertEvent.FALL_DETECTED, sequence)


def test_fall_then_band_cancel_within_countdown_gives_no_alarm(engine: AlertEngine) -> None:
    started = engine.on_alert(BAND, 100, fall(7))
    assert kinds(started) == [(AlertKind.FALL_COUNTDOWN_STARTED, STARTED, 100.0)]
    assert started[0].deadline == 130.0 and engine.fall_deadline(BAND) == 130.0
    cancelled = engine.on_alert(BAND, 120, BandAlert(AlertEvent.FALL_CANCELLED, 8))
    assert kinds(cancelled) == [(AlertKind.FALL_CANCELLED, ENDED, 120.0)]
    assert cancelled[0].detail == "band" and cancelled[0].sequence == 7
    assert [c for c in engine.tick(1000) if c.kind is AlertKind.FALL] == []
    assert engine.fall_deadline(BAND) is None


def test_fall_then_kiosk_im_ok_gives_a_cancel_and_no_alarm(engine: AlertEngine) -> None:
    engine.on_alert(BAND, 0, fall(1))
    cancelled = engine.cancel_fall(BAND, 29.9, by="kiosk")
    assert kinds(cancelled) == [(AlertKind.FALL_CANCELLED, ENDED, 29.9)]
    assert cancelled[0].detail == "kiosk"
    assert [c for c in engine.tick(31) if c.kind is AlertKind.FALL] == []


def test_fall_and_silence_gives_the_alarm_exactly_at_expiry(
    engine: AlertEngine, clock: ManualClock
) -> None:
    engine.on_alert(BAND, 10, fall(3))
    assert engine.tick(39.999) == []
    alarm = engine.tick(40)
    assert kinds(alarm) == [(AlertKind.FALL, STARTED, 40.0)]
    assert alarm[0].is_alarm and alarm[0].sequence == 3
    assert alarm[0].detected_at == clock.wall() + timedelta(seconds=40)
    assert engine.tick(41) == []  # once
    assert engine.cancel_fall(BAND, 42) == []  # too late: nothing to cancel


def test_a_late_tick_still_stamps_the_alarm_at_the_deadline(engine: AlertEngine) -> None:
    engine.on_alert(BAND, 0, fall(3))
    assert kinds(engine.tick(47.5)) == [(AlertKind.FALL, STARTED, 30.0)]


def test_a_cancel_after_the_deadline_cannot_undo_the_alarm(engine: AlertEngine) -> None:
    engine.on_alert(BAND, 0, fall(3))
    # The tick was missed; the "I'm OK" at 31 s finds the alarm due first.
    assert kinds(engine.cancel_fall(BAND, 31)) == [(AlertKind.FALL, STARTED, 30.0)]


def test_a_second_fall_during_the_countdown_keeps_one_countdown(engine: AlertEngine) -> None:
    engine.on_alert(BAND, 0, fall(3))
    assert engine.on_alert(BAND, 10, fall(4)) == []
    assert kinds(engine.tick(30)) == [(AlertKind.FALL, STARTED, 30.0)]


def test_a_forgotten_band_still_sends_its_running_fall_alarm(engine: AlertEngine) -> None:
    engine.on_alert(BAND, 0, fall(3))
    engine.forget(BAND)
    assert kinds(engine.tick(30)) == [(AlertKind.FALL, STARTED, 30.0)]
    assert engine.tick(1000) == []  # and then it is gone: no no-data alert


# --- SOS and repeated sequence numbers -------------------------------------------------------


def sos(sequence: int) -> BandAlert:
    return BandAlert(AlertEvent.SOS_PRESSED, sequence)


def test_sos_is_an_alarm_at_once(engine: AlertEngine) -> None:
    changes = engine.on_alert(BAND, 5, sos(1))
    assert kinds(changes) == [(AlertKind.SOS, STARTED, 5.0)]
    assert changes[0].is_alarm and changes[0].sequence == 1


def test_a_repeated_sequence_counts_once(engine: AlertEngine) -> None:
    changes: list[AlertChange] = []
    for at in (0.0, 0.5, 1.0, 2.0, 4.0):  # the band repeats until the kiosk reads it
        changes += engine.on_alert(BAND, at, sos(41))
    assert kinds(changes) == [(AlertKind.SOS, STARTED, 0.0)]
    changes = engine.on_alert(BAND, 3, fall(42)) + engine.on_alert(BAND, 3.5, fall(42))
    assert [c.kind for c in changes] == [AlertKind.FALL_COUNTDOWN_STARTED]


def test_sequence_wraps_from_0xffff_to_0(engine: AlertEngine) -> None:
    changes = engine.on_alert(BAND, 0, sos(0xFFFE)) + engine.on_alert(BAND, 1, sos(0xFFFF))
    changes += engine.on_alert(BAND, 2, sos(0)) + engine.on_alert(BAND, 3, sos(1))
    changes += engine.on_alert(BAND, 4, sos(0)) + engine.on_alert(BAND, 5, sos(0xFFFF))
    assert [c.sequence for c in changes] == [0xFFFE, 0xFFFF, 0, 1]


def test_the_same_sequence_long_after_is_a_new_event(clock: ManualClock) -> None:
    # A band that rebooted counts from 0 again: an old number is not an old event for ever.
    engine = AlertEngine(clock=clock, repeat_window_s=600)
    engine.watch(BAND, 0)
    engine.tick(1300)  # the no-data alert out of the way

    def soses(at: float) -> list[AlertChange]:
        return [c for c in engine.on_alert(BAND, at, sos(0)) if c.kind is AlertKind.SOS]

    assert len(soses(0)) == 1
    assert soses(599) == []
    assert len(soses(1300)) == 1


def test_sequences_are_per_band(engine: AlertEngine) -> None:
    changes = engine.on_alert("AA:01", 0, sos(5)) + engine.on_alert("AA:02", 0, sos(5))
    assert [c.band for c in changes] == ["AA:01", "AA:02"]


# --- battery ----------------------------------------------------------------------------------


def test_battery_thresholds_fire_once_each_with_hysteresis(engine: AlertEngine) -> None:
    levels = [50, 25, 20, 19, 18, 21, 19, 24, 12, 10, 9, 8, 11, 9, 14, 15, 12, 24, 25, 30, 19]
    seen = []
    for at, level in enumerate(levels):
        for change in engine.on_battery(BAND, at, level):
            seen.append((change.kind, change.phase, change.value))
    low, critical = AlertKind.BATTERY_LOW, AlertKind.BATTERY_CRITICAL
    assert seen == [
        (low, STARTED, 19),  # below 20
        (critical, STARTED, 9),  # below 10
        (critical, ENDED, 15),  # 10 + 5 hysteresis
        (low, ENDED, 25),  # 20 + 5 hysteresis
        (low, STARTED, 19),
    ]


def test_battery_falling_fast_starts_low_then_critical(engine: AlertEngine) -> None:
    assert [(c.kind, c.phase) for c in engine.on_battery(BAND, 0, 5)] == [
        (AlertKind.BATTERY_LOW, STARTED), (AlertKind.BATTERY_CRITICAL, STARTED)]
    assert [(c.kind, c.phase) for c in engine.on_battery(BAND, 1, 100)] == [
        (AlertKind.BATTERY_CRITICAL, ENDED), (AlertKind.BATTERY_LOW, ENDED)]


# --- no data ----------------------------------------------------------------------------------


def test_no_data_after_no_data_s_then_ended_by_a_reading(engine: AlertEngine) -> None:
    engine.watch(BAND, 0)
    assert engine.tick(119.9) == []
    changes = engine.tick(120)
    assert kinds(changes) == [(AlertKind.NO_DATA, STARTED, 120.0)]
    assert changes[0].detail == "no_signal"
    assert engine.tick(500) == []  # once
    ended = engine.on_heart_rate(BAND, 510, hr(70))
    assert kinds(ended) == [(AlertKind.NO_DATA, ENDED, 510.0)]


def test_off_the_wrist_becomes_no_data(engine: AlertEngine) -> None:
    changes = feed(engine, 0, 30, 70)
    changes += feed(engine, 30, 200, 0, SensorContact.NOT_DETECTED)
    assert kinds(changes) == [(AlertKind.NO_DATA, STARTED, 149.0)]  # 120 s after 29 s
    assert changes[0].detail == "off_wrist"


def test_zero_bpm_does_not_count_as_data(engine: AlertEngine) -> None:
    changes = feed(engine, 0, 200, 0, SensorContact.DETECTED)
    assert kinds(changes) == [(AlertKind.NO_DATA, STARTED, 120.0)]
    assert [c.kind for c in changes if c.kind is AlertKind.HEART_RATE_LOW] == []


def test_steady_readings_never_give_no_data(engine: AlertEngine) -> None:
    assert feed(engine, 0, 1000, 70, every=5.0) == []
    assert engine.tick(1000) == []
