"""Alert notifications from a virtual band: sequence numbers, repeats, delivery after reconnect."""

from __future__ import annotations

import asyncio

from sim_testkit import ALERT, client, radio_with_bands, run, wait_until

from devices.alert_format import AlertEvent, BandAlert, decode_alert

FAST_REPEATS = dict(alert_repeats=2, alert_repeat_interval=0.1, measurement_interval=None)


def test_each_event_gets_the_next_sequence_number_and_is_repeated_until_the_next() -> None:
    async def body() -> None:
        async with radio_with_bands(1, **FAST_REPEATS) as (radio, fleet), client(radio, fleet.band(1).address) as c:
            band = fleet.band(1)
            got: list[BandAlert] = []
            await c.start_notify(ALERT, lambda _ch, data: got.append(decode_alert(data)))
            assert await band.press_sos() == 1
            await asyncio.sleep(0.35)  # the event and its two repeats
            assert got == [BandAlert(AlertEvent.SOS_PRESSED, 1)] * 3
            got.clear()
            assert await band.detect_fall() == 2
            assert await band.cancel_fall() == 3  # before fall's repeats: only the latest repeats
            await asyncio.sleep(0.35)
            assert got[0] == BandAlert(AlertEvent.FALL_DETECTED, 2)
            assert got[1:] == [BandAlert(AlertEvent.FALL_CANCELLED, 3)] * 3
            assert band.alert_sequence == 3

    run(body)


def test_reading_the_alert_stops_the_repeats() -> None:
    async def body() -> None:
        async with radio_with_bands(1, **FAST_REPEATS) as (radio, fleet), client(radio, fleet.band(1).address) as c:
            got: list[bytes] = []
            await c.start_notify(ALERT, lambda _ch, data: got.append(bytes(data)))
            assert await c.read_gatt_char(ALERT) == b""  # no event yet
            await fleet.band(1).press_sos()
            await wait_until(lambda: len(got) == 1)
            assert await c.read_gatt_char(ALERT) == bytes([0x01, 0x01, 0x01, 0x00])
            await asyncio.sleep(0.35)
            assert len(got) == 1

    run(body)


def test_sequence_wraps_from_65535_to_0() -> None:
    async def body() -> None:
        async with radio_with_bands(1, **FAST_REPEATS) as (_radio, fleet):
            band = fleet.band(1)
            band._sequence = 0xFFFE  # reaching the wrap by 65534 presses would take minutes
            assert await band.press_sos() == 0xFFFF
            assert await band.press_sos() == 0

    run(body)


def test_events_raised_with_nobody_listening_are_sent_once_the_kiosk_subscribes() -> None:
    async def body() -> None:
        async with radio_with_bands(1, **FAST_REPEATS) as (radio, fleet):
            band = fleet.band(1)
            await band.leave_range()
            await band.detect_fall()
            await band.press_sos()
            await band.return_to_range()
            async with client(radio, band.address) as c:
                got: list[BandAlert] = []
                await c.start_notify(ALERT, lambda _ch, data: got.append(decode_alert(data)))
                await wait_until(lambda: len(got) >= 2)
                assert got[:2] == [BandAlert(AlertEvent.FALL_DETECTED, 1), BandAlert(AlertEvent.SOS_PRESSED, 2)]

    run(body)
