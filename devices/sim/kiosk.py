"""A kiosk's wristband side on the virtual radio: bands, manager, rules and a real local store.

Used by the tests, `linli sim wristbands` and `linli bench ble`; production code builds the
same `WristbandService` with bleak's own backend instead.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devices.band_events import BandEvent, BandState
from devices.manager import BleakBackend, WristbandManager
from devices.rules import AlertEngine, AlertThresholds
from devices.service import WristbandService
from devices.sim.backend import BumbleClient, BumbleScanner
from devices.sim.fleet import WristbandFleet
from devices.sim.radio import VirtualRadio
from sync.records import ChangeKind
from sync.store import LocalStore


@dataclass
class SimulatedKiosk:
    radio: VirtualRadio
    fleet: WristbandFleet
    store: LocalStore
    manager: WristbandManager
    service: WristbandService
    residents: dict[str, uuid.UUID] = field(default_factory=dict)  # band address -> resident
    events: list[BandEvent] = field(default_factory=list)

    def states(self) -> dict[str, BandState]:
        return {address: snap.state for address, snap in self.manager.snapshot().items()}

    def connected(self) -> int:
        return sum(state is BandState.CONNECTED for state in self.states().values())


def pair_locally(store: LocalStore, addresses: Iterable[str]) -> dict[str, uuid.UUID]:
    """Pair bands to made-up residents the way a kiosk learns it: one pulled change each.

    For simulations without a server; a real kiosk gets its pairings from its pulls.
    """
    cursor = store.cursor()
    residents: dict[str, uuid.UUID] = {}
    changes = []
    for n, address in enumerate(addresses, 1):
        residents[address] = uuid.uuid4()
        payload = {"wristband_id": str(uuid.uuid4()), "ble_address": address,
                   "name": f"Linli-Band-{n:02d}", "resident_id": str(residents[address])}
        changes.append({"seq": cursor + n, "kind": ChangeKind.WRISTBAND_PAIRING.value,
                        "changed_at": datetime.now(UTC).isoformat(), "payload": payload})
    if changes:
        store.apply_pull(changes, next_cursor=cursor + len(changes))
    return residents


@asynccontextmanager
async def simulated_kiosk(
    store_path: Path,
    bands: int,
    *,
    max_connections: int = 7,
    connect_timeout: float = 10.0,
    thresholds: AlertThresholds | None = None,
    also_paired: Iterable[str] = (),
    tick_interval: float = 1.0,
    on_urgent: Callable[[], None] | None = None,
    unpaired: int = 0,
    resident_thresholds: Callable[[dict[str, uuid.UUID]], dict[uuid.UUID, AlertThresholds]] | None = None,
    kiosk_id: uuid.UUID | None = None,
    **band_kwargs: Any,
) -> AsyncIterator[SimulatedKiosk]:
    """Bands 1..N powered on, all but the last `unpaired` paired in a fresh store, and the
    wristband service running. `resident_thresholds` picks limits per resident from the
    address -> resident pairing it is given. `kiosk_id` opens an existing store of a
    registered kiosk (paired by its pulls; pass `unpaired=bands`)."""
    async with VirtualRadio() as radio:
        fleet = WristbandFleet(radio, bands, **band_kwargs)
        await fleet.power_on()
        store = LocalStore.open(store_path, kiosk_id or uuid.uuid4())
        try:
            residents = pair_locally(store, [*fleet.addresses[: bands - unpaired], *also_paired])
            manager = WristbandManager(
                max_connections=max_connections,
                connect_timeout=connect_timeout,
                backend=BleakBackend(BumbleScanner, BumbleClient, {"radio": radio}),
            )
            kiosk = SimulatedKiosk(radio, fleet, store, manager, None, residents)  # type: ignore[arg-type]
            manager.add_listener(kiosk.events.append)
            kiosk.service = WristbandService(
                store, manager, engine=AlertEngine(thresholds), tick_interval=tick_interval,
                on_urgent=on_urgent,
                resident_thresholds=resident_thresholds(residents) if resident_thresholds else None,
            )
            await kiosk.service.start()
            try:
                yield kiosk
            finally:
                await kiosk.service.stop()
        finally:
            await fleet.power_off()
            store.close()
