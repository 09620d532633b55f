"""A fleet of virtual wristbands numbered from `start_number`, powered on and off together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from devices.sim.band import VirtualWristband
from devices.sim.radio import VirtualRadio
from devices.sim.scenarios import run_scenario

logger = logging.getLogger(__name__)


class WristbandFleet:
    """`count` bands Linli-Band-<start_number>.. on one radio; extra kwargs go to every band."""

    def __init__(self, radio: VirtualRadio, count: int, start_number: int = 1, **band_kwargs: Any) -> None:
        if count < 0:
            raise ValueError(f"a fleet cannot have {count} bands")
        self.radio = radio
        self.bands = [
            VirtualWristband(radio, number, **band_kwargs)
            for number in range(start_number, start_number + count)
        ]

    def __len__(self) -> int:
        return len(self.bands)

    def __iter__(self) -> Iterator[VirtualWristband]:
        return iter(self.bands)

    def __getitem__(self, index: int) -> VirtualWristband:
        return self.bands[index]

    def band(self, number: int) -> VirtualWristband:
        """The band with this number (not list index)."""
        for band in self.bands:
            if band.number == number:
                return band
        raise KeyError(f"no band number {number} in this fleet")

    @property
    def addresses(self) -> list[str]:
        return [band.address for band in self.bands]

    async def power_on(self) -> None:
        await asyncio.gather(*(band.power_on() for band in self.bands))
        logger.info("fleet of %d bands on", len(self.bands))

    async def power_off(self) -> None:
        await asyncio.gather(*(band.power_off() for band in self.bands))
        logger.info("fleet of %d bands off", len(self.bands))

    async def run_scenario(
        self,
        name: str,
        *,
        speed: float = 1.0,
        stop_event: asyncio.Event | None = None,
        duration: float | None = None,
    ) -> None:
        """Play the same scenario on every band (each with its own random variation)."""
        stop = stop_event if stop_event is not None else asyncio.Event()
        await asyncio.gather(
            *(
                run_scenario(name, band, speed=speed, stop_event=stop, duration=duration)
                for band in self.bands
            )
        )

    async def __aenter__(self) -> WristbandFleet:
        await self.power_on()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.power_off()
