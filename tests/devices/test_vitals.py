"""Vitals downsampling: one sample per band per minute plus the abnormal readings, never all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from devices import (
    AlertThresholds,
    HeartRateMeasurement,
    ManualClock,
    SensorContact,
    VitalsDownsampler,
    VitalsPoint,
)

BAND = "AA:BB:CC:00:00:01"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()  # monotonic 0.0 is 08:00:00 UTC, the start of a minute


def hr(bpm: int, contact: SensorContact = SensorContact.DETECTED) -> HeartRateMeasurement:
    return HeartRateMeasurement(bpm, contact)


def test_three_minutes_at_1_hz_are_three_samples(clock: ManualClock) -> None:
    sampler = VitalsDownsampler(clock=clock)
    kept: list[VitalsPoint] = []
    for second in range(180):
        kept += sampler.add_heart_rate(BAND, second, hr(60 + second // 60))
    kept += sampler.flush()
    start = clock.wall()
    assert kept == [
        VitalsPoint(BAND, start, 60),
        VitalsPoint(BAND, start + timedelta(minutes=1), 61),
        VitalsPoint(BAND, start + timedelta(minutes=2), 62),
    ]


def test_the_minute_is_its_median_and_a_spike_is_kept_as_abnormal(clock: ManualClock) -> None:
    sampler = VitalsDownsampler(clock=clock)
    kept: list[VitalsPoint] = []
    for second in range(60):
        kept += sampler.add_heart_rate(BAND, second, hr(180 if second == 30 else 70 + second % 3))
    kept += sampler.flush()
    assert kept == [
        VitalsPoint(BAND, clock.wall() + timedelta(seconds=30), 180, abnormal=True),
        VitalsPoint(BAND, clock.wall(), 71),
    ]


def test_abnormal_readings_are_kept_at_most_every_few_seconds(clock: ManualClock) -> None:
    sampler = VitalsDownsampler(clock=clock, abnormal_every_s=5.0)
    abnormal = [point for second in range(20)
                for point in sampler.add_heart_rate(BAND, second, hr(40)) if point.abnormal]
    assert [point.measured_at.second for point in abnormal] == [0, 5, 10, 15]
    every = VitalsDownsampler(clock=clock, abnormal_every_s=0)
    assert sum(len(every.add_heart_rate(BAND, second, hr(40))) for second in range(20)) == 20


def test_abnormal_means_the_wearers_thresholds(clock: ManualClock) -> None:
    athlete = AlertThresholds(hr_low=38)
    sampler = VitalsDownsampler(lambda band: athlete, clock=clock)
    assert sampler.add_heart_rate(BAND, 0, hr(40)) == []


def test_readings_that_are_no_heart_rate_are_not_stored(clock: ManualClock) -> None:
    sampler = VitalsDownsampler(clock=clock)
    for second in range(60):
        assert sampler.add_heart_rate(BAND, second, hr(150, SensorContact.NOT_DETECTED)) == []
        assert sampler.add_heart_rate(BAND, second, hr(0)) == []
    assert sampler.flush() == []


def test_battery_rides_with_the_minute_or_alone(clock: ManualClock) -> None:
    sampler = VitalsDownsampler(clock=clock)
    sampler.add_heart_rate(BAND, 1, hr(72))
    sampler.add_battery(BAND, 2, 81)
    sampler.add_battery(BAND, 50, 80)
    kept = sampler.add_battery(BAND, 61, 79)  # the next minute closes the first
    assert kept == [VitalsPoint(BAND, clock.wall(), 72, 80)]
    assert sampler.flush() == [VitalsPoint(BAND, clock.wall() + timedelta(minutes=1), None, 79)]


def test_flush_closes_only_minutes_that_are_over(clock: ManualClock) -> None:
    sampler = VitalsDownsampler(clock=clock)
    sampler.add_heart_rate(BAND, 10, hr(72))
    sampler.add_heart_rate("AA:02", 10, hr(64))
    assert sampler.flush(59.9) == []
    assert sampler.flush(60) == [VitalsPoint(BAND, clock.wall(), 72),
                                 VitalsPoint("AA:02", clock.wall(), 64)]
    assert sampler.flush(60) == []


def test_a_wall_clock_set_back_closes_the_minute_rather_than_mixing(clock: ManualClock) -> None:
    sampler = VitalsDownsampler(clock=clock)
    sampler.add_heart_rate(BAND, 0, hr(72))
    clock.set_wall(clock.wall() - timedelta(hours=1))  # NTP: the kiosk booted an hour ahead
    kept = sampler.add_heart_rate(BAND, 1, hr(90))
    assert kept == [VitalsPoint(BAND, clock.wall() + timedelta(hours=1), 72)]


def test_slow_beats_below_what_a_sample_holds_are_left_to_the_alerts(
    clock: ManualClock,
) -> None:
    # VitalsSample.heart_rate accepts 20..250: 15 bpm is an alert value, not a sample.
    sampler = VitalsDownsampler(clock=clock)
    assert sampler.add_heart_rate(BAND, 0, hr(15)) == []
    assert sampler.flush() == []
