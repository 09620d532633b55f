"""Building the controller from `linli kiosk` options: store, sync loop, wristbands."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.controller import Controller

if TYPE_CHECKING:
    from devices.service import WristbandService
    from sync import LocalStore

log = logging.getLogger(__name__)


class KioskConfigError(Exception):
    """The options cannot make a working kiosk; the message says what to change."""


def build_controller(*, store_path: Path | None, server: str | None, token: str | None,
                     lang: str, simulate_wristbands: int = 0,
                     wristbands: bool = True) -> Controller:
    from sync import (
        InvalidTokenError,
        LocalStore,
        StoreKioskMismatchError,
        SyncClient,
        Syncer,
        SyncLoop,
        kiosk_id_from_token,
    )
    from sync.cli import TOKEN_ENV, default_store_path

    path = store_path or default_store_path()
    token = token or os.environ.get(TOKEN_ENV)
    if server and not token:
        raise KioskConfigError(f"--server needs the kiosk's token: pass --kiosk-token or set "
                               f"${TOKEN_ENV} (`linli admin` prints it when registering)")
    try:
        if token:
            store = LocalStore.open(path, kiosk_id_from_token(token))
        elif path.is_file():
            # Set up before and now run without the server: keep the kiosk id it has.
            existing = LocalStore.open_existing(path)
            kiosk_id = existing.kiosk_id
            existing.close()
            if kiosk_id is None:
                raise KioskConfigError(f"the store {path} has no kiosk id; pass --kiosk-token")
            store = LocalStore.open(path, kiosk_id)
        else:
            raise KioskConfigError(f"no kiosk store at {path} and no token: pass --kiosk-token "
                                   f"(or set ${TOKEN_ENV}) so records carry this kiosk's id")
    except (InvalidTokenError, StoreKioskMismatchError) as exc:
        raise KioskConfigError(str(exc)) from exc
    loop = None
    if server:
        assert token is not None
        loop = SyncLoop(Syncer(store, SyncClient(server, token)), interval=5.0)
    factory = None
    if simulate_wristbands > 0:
        factory = simulated_wristbands(simulate_wristbands)
    elif wristbands:
        factory = bluetooth_wristbands
    from kiosk.speech import default_speech

    return Controller(store, sync_loop=loop, wristbands=factory, lang=lang, speech=default_speech())


@asynccontextmanager
async def bluetooth_wristbands(store: LocalStore,
                               on_urgent: Callable[[], None]) -> AsyncIterator[WristbandService]:
    """The real thing: bleak on the platform's Bluetooth stack (BlueZ on a kiosk)."""
    from devices.manager import WristbandManager
    from devices.service import WristbandService

    service = WristbandService(store, WristbandManager(), on_urgent=on_urgent)
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


def simulated_wristbands(count: int) -> Callable[..., object]:
    """N virtual bands on the simulated radio, paired to made-up residents in this store.

    Only for demos: production code paths never import devices.sim.
    """

    @asynccontextmanager
    async def factory(store: LocalStore,
                      on_urgent: Callable[[], None]) -> AsyncIterator[WristbandService]:
        from devices.manager import BleakBackend, WristbandManager
        from devices.service import WristbandService
        from devices.sim.backend import BumbleClient, BumbleScanner
        from devices.sim.fleet import WristbandFleet
        from devices.sim.kiosk import pair_locally
        from devices.sim.radio import VirtualRadio

        async with VirtualRadio() as radio:
            fleet = WristbandFleet(radio, count)
            await fleet.power_on()
            known = {band.ble_address.upper() for band in store.wristbands()}
            pair_locally(store, [a for a in fleet.addresses if a.upper() not in known])
            manager = WristbandManager(
                backend=BleakBackend(BumbleScanner, BumbleClient, {"radio": radio}))
            service = WristbandService(store, manager, on_urgent=on_urgent)
            service.fleet = fleet  # type: ignore[attr-defined]  # for demos to press buttons
            await service.start()
            try:
                yield service
            finally:
                await service.stop()
                await fleet.power_off()

    return factory
