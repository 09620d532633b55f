"""Links on the virtual radio: many bands at once, out of range, absent bands, who disconnected."""

from __future__ import annotations

import asyncio
import time

import pytest
from bleak import BleakClient
from bleak.exc import BleakDeviceNotFoundError
from sim_testkit import BATTERY, HRM, client, radio_with_bands, run, scan, wait_until


@pytest.mark.parametrize("count", [10, 30])
def test_many_bands_connected_at_once_all_notify(count: int) -> None:
    async def body() -> None:
        async with radio_with_bands(count, measurement_interval=0.2) as (radio, fleet):
            for band in fleet:
                await band.set_heart_rate(60 + band.number)
            clients = [client(radio, band.address) for band in fleet]
            for c in clients:
                await c.connect()
            got: dict[str, list[bytes]] = {c.address: [] for c in clients}
            for c in clients:
                await c.start_notify(HRM, lambda _ch, data, a=c.address: got[a].append(bytes(data)))
            assert len(radio.central.connections) == count
            await asyncio.sleep(0.7)
            for band in fleet:
                payloads = got[band.address]
                assert len(payloads) >= 2, (band.name, payloads)
                assert set(payloads) == {bytes([0x06, 60 + band.number])}
            for c in clients:
                await c.disconnect()
            assert radio.central.connections == {}

    run(body)


def test_leaving_range_calls_disconnected_callback_and_a_new_client_reconnects() -> None:
    async def body() -> None:
        async with radio_with_bands(1) as (radio, fleet):
            band = fleet.band(1)
            dropped: list[BleakClient] = []
            first = client(radio, band.address, disconnected_callback=dropped.append)
            await first.connect()
            await band.leave_range()
            await wait_until(lambda: bool(dropped))
            assert dropped == [first]
            assert not first.is_connected and not band.connected
            assert not band.advertising
            assert band.address not in await scan(radio, 0.2)
            with pytest.raises(asyncio.TimeoutError):
                await client(radio, band.address, timeout=0.3).connect()
            await band.return_to_range()
            assert band.advertising
            second = client(radio, band.address)
            await second.connect()
            assert await second.read_gatt_char(BATTERY) == bytearray([90])
            await second.disconnect()
            assert dropped == [first]

    run(body)


def test_a_disconnect_asked_by_the_app_does_not_call_the_callback() -> None:
    async def body() -> None:
        async with radio_with_bands(1) as (radio, fleet):
            dropped: list[BleakClient] = []
            async with client(radio, fleet.band(1).address, disconnected_callback=dropped.append) as c:
                await c.start_notify(HRM, lambda *_: None)
            await asyncio.sleep(0.05)
            assert dropped == []
            assert fleet.band(1).advertising

    run(body)


def test_power_off_drops_the_link_like_a_dead_band() -> None:
    async def body() -> None:
        async with radio_with_bands(1) as (radio, fleet):
            dropped: list[BleakClient] = []
            c = client(radio, fleet.band(1).address, disconnected_callback=dropped.append)
            await c.connect()
            await fleet.power_off()
            await wait_until(lambda: bool(dropped))
            assert not c.is_connected
            await fleet.power_on()
            await c.connect()  # the same client can connect again
            assert c.is_connected

    run(body)


def test_connect_to_an_absent_band_times_out_and_the_radio_still_connects_after() -> None:
    """bumble's controller ignored LE Create Connection Cancel: without the fix in
    devices.sim.radio the second connect fails with COMMAND_DISALLOWED."""

    async def body() -> None:
        async with radio_with_bands(2) as (radio, fleet):
            absent, present = fleet.band(1), fleet.band(2)
            await scan(radio, 0.2)  # the kiosk knows both, as after pairing
            await absent.power_off()
            for _ in range(2):
                started = time.monotonic()
                with pytest.raises(asyncio.TimeoutError):
                    await client(radio, absent.address, timeout=0.4).connect()
                assert time.monotonic() - started < 1.5
            async with client(radio, present.address, timeout=2.0) as c:
                assert await c.read_gatt_char(BATTERY) == bytearray([90])

    run(body)


def test_a_connect_cancelled_by_the_caller_cleans_up_too() -> None:
    async def body() -> None:
        async with radio_with_bands(2) as (radio, fleet):
            await scan(radio, 0.2)
            await fleet.band(1).power_off()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client(radio, fleet.band(1).address, timeout=30).connect(), 0.3)
            async with client(radio, fleet.band(2).address, timeout=2.0) as c:
                assert c.is_connected

    run(body)


def test_an_address_never_heard_is_not_found_after_a_scan() -> None:
    async def body() -> None:
        async with radio_with_bands(1) as (radio, _fleet):
            with pytest.raises(BleakDeviceNotFoundError) as failure:
                await client(radio, "C0:4C:1A:00:00:63", timeout=0.3).connect()
            assert failure.value.identifier == "C0:4C:1A:00:00:63"

    run(body)


def test_a_band_seen_only_now_is_found_by_the_connect_scan() -> None:
    async def body() -> None:
        async with radio_with_bands(1) as (radio, fleet):
            assert fleet.band(1).address not in radio.known_addresses
            async with client(radio, fleet.band(1).address.lower(), timeout=2.0) as c:
                assert c.is_connected

    run(body)
