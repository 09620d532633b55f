"""Helpers for the simulator tests: a radio with bands, bleak clients on it, a time limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice

from devices.sim import BumbleClient, BumbleScanner, VirtualRadio, WristbandFleet

T = TypeVar("T")

HRS = "0000180d-0000-1000-8000-00805f9b34fb"
HRM = "00002a37-0000-1000-8000-00805f9b34fb"
BODY_SENSOR_LOCATION = "00002a38-0000-1000-8000-00805f9b34fb"
HR_CONTROL_POINT = "00002a39-0000-1000-8000-00805f9b34fb"
BATTERY_SERVICE = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY = "00002a19-0000-1000-8000-00805f9b34fb"
DIS = "0000180a-0000-1000-8000-00805f9b34fb"
MANUFACTURER = "00002a29-0000-1000-8000-00805f9b34fb"
MODEL = "00002a24-0000-1000-8000-00805f9b34fb"
SERIAL = "00002a25-0000-1000-8000-00805f9b34fb"
FIRMWARE = "00002a26-0000-1000-8000-00805f9b34fb"
CCCD = "00002902-0000-1000-8000-00805f9b34fb"
ALERT_SERVICE = "52b0871d-8812-4d39-b2bf-86af6ce98556"
ALERT = "1409b4d6-460f-476a-bcf9-e56c79c93877"


def run(body: Callable[[], Awaitable[T]], timeout: float = 30.0) -> T:
    """Run one async test body in a fresh event loop, with a hard time limit."""

    async def limited() -> T:
        return await asyncio.wait_for(body(), timeout)

    return asyncio.run(limited())


@asynccontextmanager
async def radio_with_bands(count: int, start_number: int = 1, **band_kwargs: Any) -> AsyncIterator[
    tuple[VirtualRadio, WristbandFleet]
]:
    async with VirtualRadio() as radio:
        fleet = WristbandFleet(radio, count, start_number, **band_kwargs)
        await fleet.power_on()
        try:
            yield radio, fleet
        finally:
            await fleet.power_off()


def client(radio: VirtualRadio, target: str | BLEDevice, **kwargs: Any) -> BleakClient:
    """A plain bleak client on the virtual radio."""
    kwargs.setdefault("timeout", 5.0)
    return BleakClient(target, backend=BumbleClient, radio=radio, **kwargs)


async def scan(radio: VirtualRadio, seconds: float, **kwargs: Any) -> dict[str, Any]:
    """address -> (BLEDevice, AdvertisementData) seen by a plain BleakScanner."""
    return await BleakScanner.discover(seconds, return_adv=True, backend=BumbleScanner, radio=radio, **kwargs)


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0, step: float = 0.01) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(step)
