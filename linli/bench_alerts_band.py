"""The whole SOS path timed: a virtual wristband's button -> the caregiver's console.

One registered kiosk runs its real wristband side on the simulated radio (bleak's
`backend=` with bumble, the alert rules, the recorder, a real kiosk store) and its real
sync loop, woken by the recorder as a kiosk's controller wakes it. The server pairs the
band to a resident; the kiosk learns the pairing by its first pull. Each press is timed
from just before the band notifies to the moment the caregiver's event stream has the
alarm: BLE notify, alert rule, outbox commit, the push over HTTP, the server's commit,
the live fan-out (LISTEN/NOTIFY across processes on PostgreSQL) and the console's read.
"""

from __future__ import annotations

import asyncio
import queue
import time
from pathlib import Path
from typing import Any

from linli.stats import percentile

BAND_NUMBER = 1


def pair_band_on_server(db_url: str, resident_id: Any) -> None:
    from devices.sim.band import band_address, band_name
    from server.db import create_db_engine, session_scope
    from server.services.directory import pair_wristband

    engine = create_db_engine(db_url)
    with session_scope(engine) as session:
        pair_wristband(session, ble_address=band_address(BAND_NUMBER), name=band_name(BAND_NUMBER),
                       resident_id=resident_id)
    engine.dispose()


def time_band_presses(
    store_path: Path, server_url: str, token: str, presses: int,
    arrivals: queue.Queue[tuple[str, float]],
) -> tuple[list[float], int]:
    """(latencies in ms, presses whose alarm never reached the console within 10 s)."""
    return asyncio.run(_presses(store_path, server_url, token, presses, arrivals))


async def _presses(
    store_path: Path, server_url: str, token: str, presses: int,
    arrivals: queue.Queue[tuple[str, float]],
) -> tuple[list[float], int]:
    from devices.band_events import BandState
    from devices.sim.kiosk import simulated_kiosk
    from sync import LocalStore, SyncClient, Syncer, SyncLoop, kiosk_id_from_token

    kiosk_id = kiosk_id_from_token(token)
    first = LocalStore.open(store_path, kiosk_id)
    try:
        Syncer(first, SyncClient(server_url, token)).sync_once()  # learns the pairing
        if not first.wristbands():
            raise RuntimeError("the kiosk's first pull brought no wristband pairing")
    finally:
        first.close()

    loop: SyncLoop | None = None

    def wake() -> None:
        if loop is not None:
            loop.wake()

    async with simulated_kiosk(store_path, 1, unpaired=1, kiosk_id=kiosk_id,
                               on_urgent=wake) as kiosk:
        loop = SyncLoop(Syncer(kiosk.store, SyncClient(server_url, token)), interval=5.0)
        loop.start()
        try:
            started = time.perf_counter()
            while kiosk.states().get(kiosk.fleet[0].address) is not BandState.CONNECTED:
                if time.perf_counter() - started > 30:
                    raise RuntimeError("the virtual band did not connect within 30 s")
                await asyncio.sleep(0.01)
            latencies: list[float] = []
            missed = 0
            for _ in range(presses):
                _drain(arrivals)
                pressed = time.perf_counter()
                await kiosk.fleet[0].press_sos()
                arrived = await asyncio.to_thread(_first_help_call, arrivals, 10.0)
                if arrived is None:
                    missed += 1
                else:
                    latencies.append((arrived - pressed) * 1000)
                await asyncio.sleep(0.2)  # presses apart, as a person presses them
        finally:
            loop.stop()
    return latencies, missed


def _drain(arrivals: queue.Queue[tuple[str, float]]) -> None:
    while not arrivals.empty():
        arrivals.get_nowait()


def _first_help_call(arrivals: queue.Queue[tuple[str, float]], timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            event_id, at = arrivals.get(timeout=left)
        except queue.Empty:
            return None
        if event_id.startswith("alert-help_call-"):
            return at
    return None


def summary(latencies_ms: list[float], missed: int) -> dict[str, Any]:
    def ms(q: float) -> float | None:
        value = percentile(latencies_ms, q)
        return None if value is None else round(value, 1)

    return {"presses": len(latencies_ms) + missed, "missed": missed,
            "p50": ms(50), "p95": ms(95), "p99": ms(99),
            "max": None if not latencies_ms else round(max(latencies_ms), 1)}
