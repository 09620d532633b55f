"""Plain BleakClient against one virtual band: discovery, reads, writes, notifications."""

from __future__ import annotations

import asyncio
import time

import pytest
from bleak.exc import BleakError, BleakGATTProtocolError
from sim_testkit import (
    ALERT,
    ALERT_SERVICE,
    BATTERY,
    BATTERY_SERVICE,
    BODY_SENSOR_LOCATION,
    CCCD,
    DIS,
    FIRMWARE,
    HR_CONTROL_POINT,
    HRM,
    HRS,
    MANUFACTURER,
    MODEL,
    SERIAL,
    client,
    radio_with_bands,
    run,
    wait_until,
)


def test_discovery_fills_services_with_properties_descriptors_and_handles() -> None:
    async def body() -> None:
        async with radio_with_bands(1) as (radio, fleet), client(radio, fleet.band(1).address) as c:
            services = {s.uuid: s for s in c.services}
            # BlueZ hides GAP and GATT (0x1800/0x1801); so does the simulator.
            assert set(services) == {HRS, BATTERY_SERVICE, DIS, ALERT_SERVICE}
            props = {ch.uuid: ch.properties for ch in c.services.characteristics.values()}
            assert props == {
                HRM: ["notify"],
                BODY_SENSOR_LOCATION: ["read"],
                HR_CONTROL_POINT: ["write"],
                BATTERY: ["read", "notify"],
                MANUFACTURER: ["read"],
                MODEL: ["read"],
                SERIAL: ["read"],
                FIRMWARE: ["read"],
                ALERT: ["read", "notify"],
            }
            for uuid in (HRM, BATTERY, ALERT):
                char = c.services.get_characteristic(uuid)
                assert [d.uuid for d in char.descriptors] == [CCCD]
                assert char.service_uuid in services
            handles = [*c.services.services, *c.services.characteristics, *c.services.descriptors]
            assert len(handles) == len(set(handles))
            assert c.mtu_size == 247
            assert c.name == "Linli-Band-01"
            assert c.services.get_characteristic(HRM).max_write_without_response_size == 244

    run(body)


def test_reads_battery_body_location_and_device_information() -> None:
    async def body() -> None:
        async with radio_with_bands(1, battery=67, firmware="2.3.4") as (radio, fleet):
            async with client(radio, fleet.band(1).address) as c:
                assert await c.read_gatt_char(BATTERY) == bytearray([67])
                assert await c.read_gatt_char(BODY_SENSOR_LOCATION) == bytearray([0x02])  # wrist
                assert await c.read_gatt_char(MANUFACTURER) == b"Linli"
                assert await c.read_gatt_char(MODEL) == b"LB-1"
                assert await c.read_gatt_char(SERIAL) == b"LB1-000001"
                assert await c.read_gatt_char(FIRMWARE) == b"2.3.4"
                await fleet.band(1).set_battery(12)
                assert await c.read_gatt_char(BATTERY) == bytearray([12])

    run(body)


def test_heart_rate_notifications_arrive_once_a_second_with_the_right_bytes() -> None:
    async def body() -> None:
        async with radio_with_bands(1, heart_rate=64) as (radio, fleet), client(radio, fleet.band(1).address) as c:
            got: list[tuple[float, bytes]] = []
            await c.start_notify(HRM, lambda _ch, data: got.append((time.monotonic(), bytes(data))))
            assert HRM in fleet.band(1).subscribed_characteristics
            await asyncio.sleep(3.3)
            assert [payload for _, payload in got] == [bytes([0x06, 64])] * 3  # contact detected
            gaps = [b[0] - a[0] for a, b in zip(got, got[1:])]
            assert all(0.9 < gap < 1.1 for gap in gaps), gaps

    run(body)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # uint16 value, contact not detected, energy 513 kJ, RR 1.0 s and 0.5 s
        (dict(bpm=300, contact=False, energy=513, rr_intervals=(1.0, 0.5)),
         bytes([0x1D, 0x2C, 0x01, 0x01, 0x02, 0x00, 0x04, 0x00, 0x02])),
        # uint8, no contact sensor, nothing else
        (dict(bpm=58, contact=None), bytes([0x00, 58])),
        # uint16 forced for a small value
        (dict(bpm=72, uint16=True), bytes([0x07, 72, 0x00])),
        # 9 RR intervals do not fit 20 bytes with energy: the newest 8 are sent
        (dict(bpm=80, energy=1, rr_intervals=tuple(i / 1024 for i in range(1, 10))),
         bytes([0x1E, 80, 0x01, 0x00]) + b"".join(i.to_bytes(2, "little") for i in range(2, 10))),
    ],
)
def test_every_heart_rate_flag_is_encoded(kwargs: dict, expected: bytes) -> None:
    async def body() -> None:
        async with radio_with_bands(1, measurement_interval=None) as (radio, fleet):
            async with client(radio, fleet.band(1).address) as c:
                got: list[bytes] = []
                await c.start_notify(HRM, lambda _ch, data: got.append(bytes(data)))
                await fleet.band(1).set_heart_rate(**kwargs)
                await wait_until(lambda: bool(got))
                assert got == [expected]

    run(body)


def test_battery_notifies_on_change_and_stop_notify_writes_the_cccd_back() -> None:
    async def body() -> None:
        async with radio_with_bands(1) as (radio, fleet), client(radio, fleet.band(1).address) as c:
            band = fleet.band(1)
            got: list[bytes] = []
            await c.start_notify(BATTERY, lambda _ch, data: got.append(bytes(data)))
            cccd = c.services.get_characteristic(BATTERY).descriptors[0]
            assert await c.read_gatt_descriptor(cccd.handle) == b"\x01\x00"
            await band.set_battery(40)
            await band.set_battery(40)  # unchanged: no notification
            await band.set_battery(39)
            await wait_until(lambda: len(got) == 2)
            assert got == [b"\x28", b"\x27"]
            await c.stop_notify(BATTERY)
            assert await c.read_gatt_descriptor(cccd.handle) == b"\x00\x00"
            assert BATTERY not in band.subscribed_characteristics
            await band.set_battery(30)
            await asyncio.sleep(0.05)
            assert len(got) == 2

    run(body)


def test_writes_reach_the_band_and_att_errors_become_bleak_errors() -> None:
    async def body() -> None:
        async with radio_with_bands(1, measurement_interval=0.05) as (radio, fleet):
            band = fleet.band(1)
            async with client(radio, band.address) as c:
                got: list[bytes] = []
                await c.start_notify(HRM, lambda _ch, data: got.append(bytes(data)))
                await band.set_heart_rate(90, energy=700)
                await wait_until(lambda: bytes([0x0E, 90, 0xBC, 0x02]) in got)
                # Heart Rate Control Point 0x01: reset energy expended.
                await c.write_gatt_char(HR_CONTROL_POINT, b"\x01", response=True)
                assert band.energy_expended == 0
                await wait_until(lambda: got[-1] == bytes([0x0E, 90, 0x00, 0x00]))
                with pytest.raises(BleakGATTProtocolError) as failure:
                    await c.write_gatt_char(HR_CONTROL_POINT, b"\x07", response=True)
                assert failure.value.code == 0x80  # HRS: control point value not supported
                with pytest.raises(BleakGATTProtocolError) as failure:
                    await c.write_gatt_char(MANUFACTURER, b"Evil", response=True)
                assert failure.value.code == 0x03  # write not permitted
                assert await c.read_gatt_char(MANUFACTURER) == b"Linli"
                with pytest.raises(BleakGATTProtocolError) as failure:
                    await c.read_gatt_char(HR_CONTROL_POINT)
                assert failure.value.code == 0x02  # read not permitted
                with pytest.raises(ValueError, match="CCCD"):
                    await c.write_gatt_descriptor(c.services.get_characteristic(HRM).descriptors[0].handle, b"\x01\x00")

    run(body)


def test_raw_payloads_are_delivered_byte_for_byte() -> None:
    async def body() -> None:
        async with radio_with_bands(1, measurement_interval=None) as (radio, fleet):
            async with client(radio, fleet.band(1).address) as c:
                got: list[tuple[str, bytes]] = []
                for uuid in (HRM, BATTERY, ALERT):
                    await c.start_notify(uuid, lambda ch, data: got.append((ch.uuid, bytes(data))))
                await fleet.band(1).send_raw(HRM, b"\x01\x48")
                await fleet.band(1).send_raw("2a19", b"\x65\x00")
                await fleet.band(1).send_raw(ALERT, b"\x09")
                await wait_until(lambda: len(got) == 3)
                assert got == [(HRM, b"\x01\x48"), (BATTERY, b"\x65\x00"), (ALERT, b"\x09")]
                with pytest.raises(ValueError):
                    await fleet.band(1).send_raw("2a00", b"x")

    run(body)


def test_io_on_a_closed_client_raises_bleak_error() -> None:
    async def body() -> None:
        async with radio_with_bands(1) as (radio, fleet):
            c = client(radio, fleet.band(1).address)
            await c.connect()
            with pytest.raises(BleakError, match="already connected"):
                await c.connect()
            await c.disconnect()
            assert not c.is_connected
            with pytest.raises(BleakError):
                await c.read_gatt_char(BATTERY)
            await c.disconnect()  # twice is harmless, as with bleak's own backends

    run(body)
