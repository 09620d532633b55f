"""The sync benchmark: records/s from a kiosk's outbox to committed rows on a real server."""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from linli.scratch_db import scratch_database
from linli.server_process import ServerProcess
from linli.stats import percentile
from sync import LocalStore, NewRecord, SyncClient, Syncer, SyncOutcome
from sync.records import (
    GroceryDetails,
    GroceryItem,
    HelpCall,
    HelpSource,
    RecordKind,
    ServiceRequest,
    VitalsSample,
)

TARGET_RECORDS_PER_S = 5_000


class _TimedClient(SyncClient):
    """The real client, remembering how long each push took."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.push_seconds: list[float] = []

    def push(self, envelopes: Sequence[str]) -> Any:
        started = time.perf_counter()
        try:
            return super().push(envelopes)
        finally:
            self.push_seconds.append(time.perf_counter() - started)


def bench_records(count: int, residents: int = 50) -> list[NewRecord]:
    """A realistic mix: mostly vitals, some requests, a few alarms."""
    resident_ids = [uuid.uuid4() for _ in range(residents)]
    band_ids = [uuid.uuid4() for _ in range(residents)]
    now = datetime.now(UTC)
    records: list[NewRecord] = []
    for n in range(count):
        who = n % residents
        if n % 20 == 0:
            payload: Any = HelpCall(resident_id=resident_ids[who], source=HelpSource.WRISTBAND_SOS)
            kind = RecordKind.HELP_CALL
        elif n % 5 == 0:
            items = [GroceryItem(name="鸡蛋", quantity=2, unit="斤"), GroceryItem(name="大米", quantity=1, unit="袋")]
            payload = ServiceRequest(resident_id=resident_ids[who], details=GroceryDetails(items=items))
            kind = RecordKind.SERVICE_REQUEST
        else:
            payload = VitalsSample(
                resident_id=resident_ids[who],
                wristband_id=band_ids[who],
                measured_at=now,
                heart_rate=60 + n % 40,
                battery_percent=80,
            )
            kind = RecordKind.VITALS_SAMPLE
        records.append(NewRecord(kind, payload))
    return records


def run_sync_benchmark(backends: Sequence[str], *, records: int, batch_size: int) -> dict[str, Any]:
    from linli.bench_kiosk_store import measure as measure_kiosk_store

    results = {backend: _bench_backend(backend, records, batch_size) for backend in backends}
    with tempfile.TemporaryDirectory(prefix="linli-bench-store-") as tmp:
        kiosk_store = measure_kiosk_store(Path(tmp))
    return {
        "benchmark": "sync",
        "records": records,
        "batch_size": batch_size,
        "target_records_per_s": TARGET_RECORDS_PER_S,
        "results": results,
        "kiosk_store": kiosk_store,
        "meets_target": all(r["records_per_s"] >= TARGET_RECORDS_PER_S for r in results.values()),
    }


def _bench_backend(backend: str, count: int, batch_size: int) -> dict[str, Any]:
    from server.db import create_db_engine, session_scope, upgrade
    from server.models import ReceivedRecord
    from server.services.kiosks import register_kiosk

    with tempfile.TemporaryDirectory(prefix="linli-bench-") as tmp, scratch_database(backend, Path(tmp)) as url:
        upgrade(url)
        engine = create_db_engine(url)
        with session_scope(engine) as session:
            kiosk, token = register_kiosk(session, "bench kiosk")
            kiosk_id = kiosk.id
        store = LocalStore.open(Path(tmp) / "kiosk.sqlite3", kiosk_id)
        new_records = bench_records(count)
        for start in range(0, count, 1000):
            store.create_records(new_records[start : start + 1000])

        # The rate limit is per kiosk; one kiosk pushing flat out is not what it guards against.
        env = {"LINLI_RATE_LIMIT_PER_SECOND": "100000", "LINLI_RATE_LIMIT_BURST": "100000"}
        with ServerProcess(url, env=env, log_path=Path(tmp) / "server.log") as server:
            client = _TimedClient(server.url, token)
            syncer = Syncer(store, client, batch_size=batch_size)
            started = time.perf_counter()
            report = syncer.sync_once()
            elapsed = time.perf_counter() - started
        with engine.connect() as conn:
            committed = conn.execute(select(func.count()).select_from(ReceivedRecord)).scalar_one()
        server_batch_ms = _server_batch_ms(engine, store, kiosk_id, batch_size)
        store.close()
        engine.dispose()

    if report.outcome is not SyncOutcome.SYNCED or committed != count:
        raise RuntimeError(f"{backend}: sync ended {report.outcome} with {committed}/{count} committed: {report.message}")
    latencies = client.push_seconds
    return {
        "records_per_s": round(count / elapsed),
        "seconds": round(elapsed, 3),
        "pushes": len(latencies),
        "push_p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "push_p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "server_batch_ms_median": round(server_batch_ms, 1),
    }


def _server_batch_ms(engine: Any, store: LocalStore, kiosk_id: uuid.UUID, batch_size: int, rounds: int = 7) -> float:
    """The server's own share of a push (parse, validate, store, commit), without HTTP."""
    from server.db import session_factory
    from server.services.ingest import push_batch

    sessions = session_factory(engine)
    times = []
    for _ in range(rounds):
        store.create_records(bench_records(batch_size))
        items = store.due_batch(batch_size)
        body = ('{"records":[' + ",".join(item.envelope for item in items) + "]}").encode()
        store.mark_sent([item.record_id for item in items])
        with sessions() as session:
            started = time.perf_counter()
            push_batch(session, kiosk_id, body, max_batch=max(batch_size, 1000))
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[1:])  # the first batch warms caches
