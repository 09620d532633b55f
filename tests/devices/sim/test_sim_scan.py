"""Plain BleakScanner on the virtual radio: names, addresses, HRS UUID, filtering, advertising."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest
from bleak import BleakScanner
from sim_testkit import BATTERY_SERVICE, HRS, client, radio_with_bands, run, scan

from devices.sim import BumbleScanner, VirtualRadio, band_address, band_name


def test_names_and_addresses_follow_the_band_number() -> None:
    assert band_name(1) == "Linli-Band-01"
    assert band_name(42) == "Linli-Band-42"
    assert band_address(1) == "C0:4C:1A:00:00:01"
    assert band_address(10) == "C0:4C:1A:00:00:0A"
    assert band_address(300) == "C0:4C:1A:00:01:2C"
    with pytest.raises(ValueError):
        band_address(0)


def test_scan_finds_every_band_with_name_hrs_uuid_and_rssi() -> None:
    async def body() -> None:
        async with radio_with_bands(5, start_number=8) as (radio, fleet):
            seen = await scan(radio, 0.3)
            assert set(seen) == {band_address(n) for n in range(8, 13)}
            for number in range(8, 13):
                device, adv = seen[band_address(number)]
                assert device.name == adv.local_name == f"Linli-Band-{number:02d}"
                assert adv.service_uuids == [HRS]
                assert adv.rssi == -50  # bumble's virtual controller reports a fixed RSSI
            assert seen["C0:4C:1A:00:00:0A"][1].local_name == "Linli-Band-10"

    run(body)


def test_detection_callback_sees_repeated_advertisements() -> None:
    async def body() -> None:
        async with radio_with_bands(2) as (radio, _fleet):
            heard: list[str] = []
            async with BleakScanner(
                lambda d, a: heard.append(d.address), backend=BumbleScanner, radio=radio
            ):
                await asyncio.sleep(0.3)
            # 50 ms advertising interval: several advertisements per band in 300 ms.
            assert heard.count(band_address(1)) >= 3
            assert heard.count(band_address(2)) >= 3

    run(body)


def test_service_uuid_filter_keeps_only_matching_advertisers() -> None:
    async def body() -> None:
        async with radio_with_bands(3) as (radio, _fleet):
            assert len(await scan(radio, 0.2, service_uuids=[HRS])) == 3
            assert await scan(radio, 0.2, service_uuids=[BATTERY_SERVICE]) == {}

    run(body)


def test_band_stops_advertising_while_connected_and_resumes_after() -> None:
    async def body() -> None:
        async with radio_with_bands(2) as (radio, fleet):
            band = fleet.band(1)
            async with client(radio, band.address):
                assert band.connected and not band.advertising
                assert set(await scan(radio, 0.3)) == {band_address(2)}
            await asyncio.sleep(0.05)
            assert band.advertising
            assert band_address(1) in await scan(radio, 0.3)

    run(body)


def test_scanner_refuses_a_radio_that_is_not_started() -> None:
    async def body() -> None:
        radio = VirtualRadio()
        with pytest.raises(Exception, match="not started"):
            await BleakScanner(backend=BumbleScanner, radio=radio).start()

    run(body)


def _imports(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            prefix = "devices." if node.level else ""  # relative imports inside devices/
            names.append(prefix + (node.module or ""))
    return names


def test_production_device_code_never_imports_bumble_or_the_simulator() -> None:
    devices = Path(__file__).resolve().parents[3] / "devices"
    offenders = [
        f"{path.relative_to(devices)}: {name}"
        for path in devices.rglob("*.py")
        if "sim" not in path.relative_to(devices).parts
        for name in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if name.split(".")[0] == "bumble" or name.startswith("devices.sim")
    ]
    assert offenders == []
