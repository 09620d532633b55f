"""Scenarios played at high speed on a band, observed through a plain bleak client."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from bleak import BleakClient
from sim_testkit import ALERT, BATTERY, HRM, client, radio_with_bands, run, wait_until

from devices.alert_format import AlertEvent, MalformedAlert, decode_alert
from devices.sim import SCENARIOS, VirtualWristband, run_scenario
from devices.sim.scenarios import MALFORMED_PAYLOADS

SPEED = 100.0  # 100 scenario seconds per real second


@dataclass
class Seen:
    heart_rate: list[bytes] = field(default_factory=list)
    battery: list[bytes] = field(default_factory=list)
    alerts: list[bytes] = field(default_factory=list)
    dropped: list[BleakClient] = field(default_factory=list)

    @property
    def bpm(self) -> list[int]:
        # Scenarios send well-formed uint8 values with contact and RR (and energy if exercising).
        return [p[1] for p in self.heart_rate if p and p[0] & 0x01 == 0 and len(p) >= 2]

    @property
    def events(self) -> list[tuple[AlertEvent, int]]:
        decoded = []
        for payload in self.alerts:
            try:
                alert = decode_alert(payload)
            except MalformedAlert:
                continue
            if (alert.event, alert.sequence) not in decoded:
                decoded.append((alert.event, alert.sequence))
        return decoded


async def play(name: str, duration: float, *, speed: float = SPEED, **band_kwargs: object) -> tuple[Seen, VirtualWristband]:
    band_kwargs.setdefault("measurement_interval", None)
    band_kwargs.setdefault("alert_repeat_interval", 0.05)
    async with radio_with_bands(1, **band_kwargs) as (radio, fleet):
        band = fleet.band(1)
        seen = Seen()
        c = client(radio, band.address, disconnected_callback=seen.dropped.append)
        await c.connect()
        await c.start_notify(HRM, lambda _ch, d: seen.heart_rate.append(bytes(d)))
        await c.start_notify(BATTERY, lambda _ch, d: seen.battery.append(bytes(d)))
        await c.start_notify(ALERT, lambda _ch, d: seen.alerts.append(bytes(d)))
        await run_scenario(name, band, speed=speed, duration=duration)
        await asyncio.sleep(0.05)
        await c.disconnect()
        return seen, band


def test_resting_stays_between_60_and_80_and_varies() -> None:
    seen, _ = run(lambda: play("resting", 120))
    assert len(seen.bpm) == 121  # one per scenario second, t = 0..120
    assert all(60 <= bpm <= 80 for bpm in seen.bpm)
    assert len(set(seen.bpm)) >= 5
    assert all(p[0] == 0x16 for p in seen.heart_rate)  # contact detected + one RR interval
    assert seen.alerts == []


def test_exercise_ramps_to_about_130_with_rising_energy_and_comes_back() -> None:
    seen, _ = run(lambda: play("exercise", 260))
    assert 125 <= max(seen.bpm) <= 140
    assert seen.bpm[-1] <= 85 and seen.bpm[0] <= 85
    energy = [int.from_bytes(p[2:4], "little") for p in seen.heart_rate]
    assert all(p[0] & 0x08 for p in seen.heart_rate)
    assert energy == sorted(energy) and energy[-1] > energy[0]


def test_tachycardia_is_sustained_above_130() -> None:
    seen, _ = run(lambda: play("tachycardia", 60))
    assert all(bpm > 130 for bpm in seen.bpm[10:])
    assert all(bpm <= 80 for bpm in seen.bpm[:10])


def test_bradycardia_is_sustained_below_45() -> None:
    seen, _ = run(lambda: play("bradycardia", 60))
    assert all(bpm < 45 for bpm in seen.bpm[10:])


def test_sos_presses_the_button_once() -> None:
    seen, _ = run(lambda: play("sos", 10))
    assert seen.events == [(AlertEvent.SOS_PRESSED, 1)]


def test_fall_ok_falls_then_the_wearer_cancels() -> None:
    seen, _ = run(lambda: play("fall_ok", 15))
    assert seen.events == [(AlertEvent.FALL_DETECTED, 1), (AlertEvent.FALL_CANCELLED, 2)]
    assert max(seen.bpm) > 85  # the fright after the fall


def test_fall_no_response_falls_and_nothing_follows() -> None:
    seen, _ = run(lambda: play("fall_no_response", 40))
    assert seen.events == [(AlertEvent.FALL_DETECTED, 1)]


def test_battery_drains_to_5_percent_and_stops() -> None:
    seen, band = run(lambda: play("battery_drain", 300, battery=30))
    levels = [p[0] for p in seen.battery]
    assert levels == list(range(29, 4, -1))
    assert band.battery == 5


def test_out_of_range_drops_the_link_and_comes_back() -> None:
    async def body() -> None:
        async with radio_with_bands(1, measurement_interval=None) as (radio, fleet):
            band = fleet.band(1)
            dropped: list[BleakClient] = []
            c = client(radio, band.address, disconnected_callback=dropped.append)
            await c.connect()
            stop = asyncio.Event()
            task = asyncio.create_task(run_scenario("out-of-range", band, speed=20, stop_event=stop))
            await wait_until(lambda: bool(dropped), timeout=2)  # at scenario t=10 s
            assert not band.in_range
            await wait_until(lambda: band.advertising, timeout=3)  # back at t=40 s
            async with client(radio, band.address) as again:
                got: list[bytes] = []
                await again.start_notify(HRM, lambda _ch, d: got.append(bytes(d)))
                await wait_until(lambda: len(got) >= 2)
            stop.set()
            await task

    run(body)


def test_malformed_sends_every_bad_payload_between_good_measurements() -> None:
    seen, _ = run(lambda: play("malformed", 3 * len(MALFORMED_PAYLOADS)))
    received = {(HRM, p) for p in seen.heart_rate} | {(BATTERY, p) for p in seen.battery}
    received |= {("1409b4d6-460f-476a-bcf9-e56c79c93877", p) for p in seen.alerts}
    assert set(MALFORMED_PAYLOADS) <= received
    good = [p for p in seen.heart_rate if len(p) == 4 and p[0] == 0x16]
    assert len(good) == 3 * len(MALFORMED_PAYLOADS) + 1


def test_every_registered_scenario_runs() -> None:
    async def body() -> None:
        async with radio_with_bands(1, measurement_interval=None) as (_radio, fleet):
            for name in SCENARIOS:
                await run_scenario(name, fleet.band(1), speed=1000, duration=20)
                await fleet.band(1).return_to_range()

    run(body)


def test_unknown_scenario_and_bad_speed_are_refused() -> None:
    async def body() -> None:
        async with radio_with_bands(1) as (_radio, fleet):
            with pytest.raises(ValueError, match="resting"):
                await run_scenario("jogging", fleet.band(1))
            with pytest.raises(ValueError):
                await run_scenario("resting", fleet.band(1), speed=0)

    run(body)


def test_stop_event_ends_a_scenario_promptly() -> None:
    async def body() -> None:
        async with radio_with_bands(1) as (_radio, fleet):
            stop = asyncio.Event()
            task = asyncio.create_task(run_scenario("resting", fleet.band(1), stop_event=stop))
            await asyncio.sleep(0.1)
            stop.set()
            await asyncio.wait_for(task, 0.5)

    run(body)
