"""The wristband benchmark: bands held, connect time, SOS-to-outbox latency and CPU at 1 Hz."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from linli.stats import percentile

TARGET_CPU_PERCENT_30_BANDS = 10.0
TARGET_SOS_P99_MS = 100.0


def run_ble_benchmark(counts: Sequence[int], *, cpu_window_s: float, sos_presses: int) -> dict[str, Any]:
    results = {str(count): asyncio.run(_bench(count, cpu_window_s, sos_presses)) for count in counts}
    thirty = results.get("30")
    return {
        "benchmark": "ble",
        "note": "CPU is the whole process: the virtual bands and radio as well as the kiosk side",
        "targets": {"cpu_percent_of_one_core_30_bands": TARGET_CPU_PERCENT_30_BANDS,
                    "sos_to_outbox_p99_ms": TARGET_SOS_P99_MS},
        "results": results,
        "meets_target": None if thirty is None else (
            thirty["cpu_percent_of_one_core"] < TARGET_CPU_PERCENT_30_BANDS
            and all(r["sos_to_outbox_ms"]["p99"] < TARGET_SOS_P99_MS for r in results.values())
        ),
    }


async def _bench(count: int, cpu_window_s: float, sos_presses: int) -> dict[str, Any]:
    from devices.band_events import BandState, HeartRateReading, StateChanged
    from devices.sim.kiosk import simulated_kiosk

    stored = asyncio.Event()
    connecting_at: dict[str, float] = {}
    connect_ms: list[float] = []

    readings = 0

    def on_state(event: object) -> None:
        nonlocal readings
        if isinstance(event, HeartRateReading):
            readings += 1
        elif isinstance(event, StateChanged):
            if event.state is BandState.CONNECTING:
                connecting_at[event.address] = time.perf_counter()
            elif event.state is BandState.CONNECTED and event.address in connecting_at:
                connect_ms.append((time.perf_counter() - connecting_at.pop(event.address)) * 1000)

    with tempfile.TemporaryDirectory(prefix="linli-bench-ble-") as tmp:
        async with simulated_kiosk(Path(tmp) / "kiosk.sqlite3", count, max_connections=count,
                                   on_urgent=stored.set) as kiosk:
            kiosk.manager.add_listener(on_state)
            started = time.perf_counter()
            while kiosk.connected() < count:
                if time.perf_counter() - started > 60:
                    raise RuntimeError(f"only {kiosk.connected()} of {count} bands connected in 60 s")
                await asyncio.sleep(0.01)
            all_connected_s = time.perf_counter() - started
            await asyncio.sleep(2)  # let connection set-up work settle before measuring CPU

            cpu_started, wall_started, readings_before = time.process_time(), time.perf_counter(), readings
            await asyncio.sleep(cpu_window_s)
            wall = time.perf_counter() - wall_started
            cpu_percent = (time.process_time() - cpu_started) / wall * 100
            heart_rate_per_s = (readings - readings_before) / wall

            latencies = []
            for press in range(sos_presses):
                band = kiosk.fleet[press % count]
                stored.clear()
                pressed = time.perf_counter()
                await band.press_sos()
                await asyncio.wait_for(stored.wait(), timeout=5)
                latencies.append((time.perf_counter() - pressed) * 1000)
                await asyncio.sleep(0.05)
            held = kiosk.connected()
    return {
        "bands_held": held,
        "all_connected_s": round(all_connected_s, 2),
        "connect_ms_p50": round(statistics.median(connect_ms), 1),
        "heart_rate_notifications_per_s": round(heart_rate_per_s, 1),
        "cpu_percent_of_one_core": round(cpu_percent, 2),
        "sos_to_outbox_ms": {
            "p50": round(percentile(latencies, 50), 2),
            "p99": round(percentile(latencies, 99), 2),
            "presses": len(latencies),
        },
    }
