"""The kiosk's wristband side end to end: bleak on the bumble virtual radio, the manager, the
alert rules and a real kiosk store. Nothing is mocked; virtual bands speak real GATT."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from devices.band_events import BandState, HeartRateReading, StateChanged
from devices.rules import AlertThresholds
from devices.sim import band_address
from devices.sim.kiosk import SimulatedKiosk, simulated_kiosk

T = TypeVar("T")

FAST_RULES = AlertThresholds(hr_high=120, hr_low=45, sustain_s=2.0, clear_after_s=2.0, no_data_s=60.0,
                             fall_countdown_s=2.0)


def outbox(k: SimulatedKiosk) -> list[dict]:
    return [json.loads(item.envelope) for item in k.store.due_batch(10_000)]


def records(k: SimulatedKiosk, kind: str) -> list[dict]:
    return [envelope["payload"] for envelope in outbox(k) if envelope["kind"] == kind]


def run(body: Callable[[], Awaitable[T]], timeout: float = 60.0) -> T:
    return asyncio.run(asyncio.wait_for(body(), timeout))


async def eventually(check: Callable[[], bool], timeout: float, what: str) -> float:
    """Wait until `check()` holds; return how long it took."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.02)
    return time.monotonic() - started


def kiosk(tmp_path: Path, bands: int, *, cap: int = 7, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("thresholds", FAST_RULES)
    return simulated_kiosk(tmp_path / "kiosk.sqlite3", bands, max_connections=cap, tick_interval=0.2, **kwargs)


def connected(k: SimulatedKiosk) -> int:
    return k.connected()


def test_ten_bands_at_once_and_a_dropout_is_resubscribed_without_help(tmp_path: Path) -> None:
    async def body() -> None:
        async with kiosk(tmp_path, 10, cap=10) as k:
            await eventually(lambda: connected(k) == 10, 15, "10 bands connected")
            heard = lambda: {e.address for e in k.events if isinstance(e, HeartRateReading)}  # noqa: E731
            await eventually(lambda: len(heard()) == 10, 5, "heart rate from all 10 bands")

            band = k.fleet[2]
            await band.leave_range()
            await eventually(lambda: k.states()[band.address] is not BandState.CONNECTED, 5, "dropout seen")
            left_at = len(k.events)
            await band.return_to_range()
            await eventually(lambda: k.states()[band.address] is BandState.CONNECTED, 15, "reconnected")
            await band.set_heart_rate(88)
            await eventually(
                lambda: any(isinstance(e, HeartRateReading) and e.address == band.address
                            and e.measurement.bpm == 88 for e in k.events[left_at:]),
                5, "notifications after the reconnect (re-subscribed)",
            )
            assert connected(k) == 10

    run(body)


def test_the_cap_holds_and_the_rest_wait_without_errors(tmp_path: Path) -> None:
    async def body() -> None:
        async with kiosk(tmp_path, 10, cap=7) as k:
            await eventually(lambda: connected(k) == 7, 15, "7 connected")
            await asyncio.sleep(1.5)  # nothing more connects, nothing fails
            states = list(k.states().values())
            assert states.count(BandState.CONNECTED) == 7
            assert states.count(BandState.WAITING) == 3
            failures = [e for e in k.events if isinstance(e, StateChanged)
                        and e.state in (BandState.NOT_FOUND, BandState.RECONNECTING)]
            assert failures == []

    run(body)


def test_sos_reaches_the_outbox_within_a_second_as_an_urgent_help_call(tmp_path: Path) -> None:
    async def body() -> None:
        async with kiosk(tmp_path, 2) as k:
            await eventually(lambda: connected(k) == 2, 10, "connected")
            await k.fleet[1].press_sos()
            await eventually(lambda: records(k, "help_call"), 1.0, "SOS help call in the outbox")
            [call] = records(k, "help_call")
            assert call["source"] == "wristband_sos"
            assert k.store.due_batch(1)[0].priority == 0
            await asyncio.sleep(2.5)  # the band repeats its notification: still one call
            assert len(records(k, "help_call")) == 1

    run(body)


def test_a_fall_cancelled_on_the_band_sends_no_alarm_but_is_recorded(tmp_path: Path) -> None:
    async def body() -> None:
        async with kiosk(tmp_path, 2) as k:
            await eventually(lambda: connected(k) == 2, 10, "connected")
            await k.fleet[0].detect_fall()
            await asyncio.sleep(0.5)
            await k.fleet[0].cancel_fall()
            await asyncio.sleep(FAST_RULES.fall_countdown_s + 1)
            assert records(k, "help_call") == []
            [cancel] = records(k, "wristband_alert")
            assert (cancel["alert"], cancel["phase"]) == ("fall_cancelled", "ended")

            await k.fleet[1].detect_fall()  # and nobody answers
            await eventually(lambda: records(k, "help_call"), FAST_RULES.fall_countdown_s + 2, "fall alarm")
            assert records(k, "help_call")[0]["source"] == "fall"

    run(body)


def test_sustained_tachycardia_raises_one_alert_and_clears_when_it_ends(tmp_path: Path) -> None:
    async def body() -> None:
        async with kiosk(tmp_path, 1, measurement_interval=0.25) as k:
            band = k.fleet[0]
            await eventually(lambda: connected(k) == 1, 10, "connected")
            await band.set_heart_rate(150)
            high = lambda: [a for a in records(k, "wristband_alert") if a["alert"] == "heart_rate_high"]  # noqa: E731
            await eventually(lambda: high(), FAST_RULES.sustain_s + 2, "tachycardia alert")
            await asyncio.sleep(2)  # still racing: no second alert
            assert [a["phase"] for a in high()] == ["started"]
            await band.set_heart_rate(75)
            await eventually(lambda: len(high()) == 2, FAST_RULES.clear_after_s + 2, "alert cleared")
            assert [a["phase"] for a in high()] == ["started", "ended"]

    run(body)


def test_malformed_notifications_are_counted_and_ignored(tmp_path: Path) -> None:
    from devices.alert_format import ALERT_CHARACTERISTIC_UUID
    from devices.gatt import BATTERY_LEVEL_UUID, HEART_RATE_MEASUREMENT_UUID

    async def body() -> None:
        async with kiosk(tmp_path, 1) as k:
            band = k.fleet[0]
            await eventually(lambda: connected(k) == 1, 10, "connected")
            for characteristic, junk in [(HEART_RATE_MEASUREMENT_UUID, b"\x10\x48\x00"),
                                         (HEART_RATE_MEASUREMENT_UUID, b""),
                                         (BATTERY_LEVEL_UUID, b"\xff"),
                                         (ALERT_CHARACTERISTIC_UUID, b"\x01\x09\x00\x00"),
                                         (ALERT_CHARACTERISTIC_UUID, b"\x01\x01")]:
                await band.send_raw(characteristic, junk)
            snap = lambda: k.manager.snapshot()[band.address]  # noqa: E731
            await eventually(lambda: snap().rejected_payloads == 5, 3, "5 malformed payloads counted")
            await band.set_heart_rate(91)
            await eventually(lambda: snap().heart_rate == 91, 3, "good data still flows")
            assert snap().state is BandState.CONNECTED
            # Its advertisements' signal strength is kept (the who screen offers the nearest).
            assert isinstance(snap().rssi, int) and -127 <= snap().rssi <= 20
            assert records(k, "help_call") == []

    run(body)


def test_a_band_that_does_not_advertise_is_not_found_then_backs_off(tmp_path: Path) -> None:
    absent = band_address(42)

    async def body() -> None:
        async with kiosk(tmp_path, 1, also_paired=[absent], connect_timeout=1.0) as k:
            await eventually(lambda: k.states()[absent] is BandState.NOT_FOUND, 4, "not found")
            await asyncio.sleep(5)
            tries = [e for e in k.events if isinstance(e, StateChanged) and e.address == absent]
            assert not any(e.state is BandState.CONNECTING for e in tries)  # no blind connects
            # 1 s search, then back-offs of 1, 2, 4 s between searches: at most 3 verdicts
            assert 1 <= sum(e.state is BandState.NOT_FOUND for e in tries) <= 3
            assert k.manager.snapshot()[absent].retry_in is not None
            assert connected(k) == 1  # the present band is unaffected

    run(body)


def test_an_unpaired_band_is_let_go(tmp_path: Path) -> None:
    async def body() -> None:
        async with kiosk(tmp_path, 3) as k:
            await eventually(lambda: connected(k) == 3, 10, "connected")
            band = k.fleet[1]
            [row] = [w for w in k.store.wristbands() if w.ble_address == band.address]
            k.store.apply_pull([{"seq": 99, "kind": "wristband_pairing", "changed_at": datetime.now(UTC).isoformat(),
                                 "payload": {"wristband_id": str(row.wristband_id), "ble_address": band.address,
                                             "name": band.name, "resident_id": None}}], next_cursor=99)
            k.service.refresh_pairings()
            assert band.address not in k.states()
            await eventually(lambda: not band.connected, 5, "the band's link released")
            assert connected(k) == 2

    run(body)


def test_unpaired_bands_nearby_are_listed_for_pairing_not_connected(tmp_path: Path) -> None:
    async def body() -> None:
        async with kiosk(tmp_path, 3, unpaired=1) as k:
            await eventually(lambda: connected(k) == 2, 10, "the 2 paired bands connected")
            stranger = k.fleet[2]
            await eventually(lambda: k.manager.nearby_unpaired(), 5, "the unpaired band heard")
            [nearby] = k.manager.nearby_unpaired()
            assert (nearby.address, nearby.name) == (stranger.address, stranger.name)
            assert not stranger.connected and stranger.address not in k.states()

    run(body)


def test_alert_limits_follow_the_resident_wearing_the_band(tmp_path: Path) -> None:
    strict = dataclasses.replace(FAST_RULES, hr_high=90)

    async def body() -> None:
        first = lambda residents: {residents[band_address(1)]: strict}  # noqa: E731
        async with kiosk(tmp_path, 2, resident_thresholds=first, measurement_interval=0.25) as k:
            await eventually(lambda: connected(k) == 2, 10, "connected")
            for band in k.fleet:
                await band.set_heart_rate(100)  # above the strict limit, below the default 120
            await eventually(lambda: records(k, "wristband_alert"), FAST_RULES.sustain_s + 2, "an alert")
            await asyncio.sleep(1)
            alerts = records(k, "wristband_alert")
            assert [(a["alert"], a["resident_id"]) for a in alerts] == [
                ("heart_rate_high", str(k.residents[band_address(1)]))
            ]

    run(body)


def test_an_sos_refused_by_a_full_store_is_stored_once_space_returns(tmp_path: Path, full_disk) -> None:  # type: ignore[no-untyped-def]
    async def body() -> None:
        async with kiosk(tmp_path, 1) as k:
            await eventually(lambda: connected(k) == 1, 10, "connected")
            disk = full_disk(k.store)
            disk.fill()
            filler = len(records(k, "help_call"))

            await k.fleet[0].press_sos()
            await asyncio.sleep(1)
            assert len(records(k, "help_call")) == filler  # nothing fits: kept in memory
            assert k.service.recorder.unsaved == 1

            disk.free()  # space freed; no other record comes along
            await eventually(lambda: len(records(k, "help_call")) == filler + 1, 2, "the SOS stored on a tick")
            assert records(k, "help_call")[-1]["source"] == "wristband_sos"

    run(body)



def test_help_asked_for_during_a_fall_countdown_is_one_alarm_now(tmp_path: Path) -> None:
    async def body() -> None:
        slow_fall = dataclasses.replace(FAST_RULES, fall_countdown_s=30.0)
        async with kiosk(tmp_path, 1, thresholds=slow_fall) as k:
            heard = []
            k.service.on_alert(heard.append)
            band = k.fleet[0]
            await eventually(lambda: connected(k) == 1, 10, "connected")
            await band.detect_fall()
            await eventually(lambda: heard, 3, "the fall countdown")
            k.service.confirm_fall(band.address)
            [call] = records(k, "help_call")  # at once, not after 30 s
            assert call["source"] == "fall"
            [alarm] = [change for change in heard if change.is_alarm]
            assert alarm.record_id is not None  # the kiosk can follow its acknowledgement
            assert str(alarm.record_id) in {e["id"] for e in outbox(k)}
            k.service.cancel_fall(band.address)  # too late to cancel: nothing more happens
            await asyncio.sleep(0.5)
            assert len(records(k, "help_call")) == 1 and records(k, "wristband_alert") == []

    run(body)
