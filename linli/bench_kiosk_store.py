"""The kiosk store's costs: durable single writes, and the outbox work per push batch.

Part of `linli bench sync` (the "kiosk_store" object); see docs/BENCHMARKS.md.
"""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.new_records import NewRecord
from sync.records import RecordKind, VitalsSample
from sync.store import LocalStore


def _vitals() -> VitalsSample:
    return VitalsSample(resident_id=uuid.uuid4(), wristband_id=uuid.uuid4(),
                        measured_at=datetime.now(UTC), heart_rate=72)


def create_rate(directory: Path, synchronous: str, count: int = 300) -> float:
    """Records per second through create_record (one durable transaction each)."""
    with LocalStore.open(directory / f"create-{synchronous}.sqlite3", uuid.uuid4(),
                         synchronous=synchronous) as store:
        payloads = [_vitals() for _ in range(count)]
        started = time.perf_counter()
        for payload in payloads:
            store.create_record(RecordKind.VITALS_SAMPLE, payload)
        return count / (time.perf_counter() - started)


def batch_costs(directory: Path, batches: int = 20, batch_size: int = 500) -> dict[str, float]:
    """Milliseconds of kiosk-side work per push batch: due_batch, body assembly, mark_sent."""
    with LocalStore.open(directory / "batches.sqlite3", uuid.uuid4()) as store:
        for _ in range(batches):
            store.create_records([NewRecord(RecordKind.VITALS_SAMPLE, _vitals())
                                  for _ in range(batch_size)])
        due_ms, body_ms, sent_ms, total_ms = [], [], [], []
        for _ in range(batches):
            t0 = time.perf_counter()
            items = store.due_batch(batch_size)
            t1 = time.perf_counter()
            body = ('{"records":[' + ",".join(i.envelope for i in items) + "]}").encode()
            t2 = time.perf_counter()
            store.mark_sent([i.record_id for i in items])
            t3 = time.perf_counter()
            assert len(items) == batch_size and body
            due_ms.append((t1 - t0) * 1000)
            body_ms.append((t2 - t1) * 1000)
            sent_ms.append((t3 - t2) * 1000)
            total_ms.append((t3 - t0) * 1000)
        return {
            "due_batch_ms_median": statistics.median(due_ms),
            "body_ms_median": statistics.median(body_ms),
            "mark_sent_ms_median": statistics.median(sent_ms),
            "batch_total_ms_median": statistics.median(total_ms),
            "batch_total_ms_max": max(total_ms),
        }


def bulk_create_rate(directory: Path, count: int = 5000) -> float:
    """Records per second through create_records, 500 per transaction."""
    with LocalStore.open(directory / "bulk.sqlite3", uuid.uuid4()) as store:
        started = time.perf_counter()
        for _ in range(count // 500):
            store.create_records([NewRecord(RecordKind.VITALS_SAMPLE, _vitals())
                                  for _ in range(500)])
        return count / (time.perf_counter() - started)


def measure(directory: Path) -> dict[str, Any]:
    full = create_rate(directory, "FULL")
    normal = create_rate(directory, "NORMAL")
    return {
        "create_record_per_s_synchronous_full": round(full, 1),
        "create_record_per_s_synchronous_normal": round(normal, 1),
        "create_record_ms_full": round(1000 / full, 3),
        "create_records_bulk_per_s": round(bulk_create_rate(directory), 1),
        **{k: round(v, 3) for k, v in batch_costs(directory).items()},
    }

