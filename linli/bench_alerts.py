"""The live-alert benchmark: from a kiosk's push (and from a virtual wristband's SOS button)
to the alarm on a caregiver's console.

Per backend: a fresh database, a kiosk, a resident, a caregiver account; real `linli
server` processes on loopback (on PostgreSQL two, and the console listens on the one the
kiosk does not push to, so LISTEN/NOTIFY is on the path); the console's event stream is
read by a thread. Alarms are pushed one at a time over HTTP with the kiosk's token; each
latency is from just before the push request to the moment its event is read. Then the
same console times the whole path from a virtual band's SOS press (linli/bench_alerts_band.py).
"""

from __future__ import annotations

import json
import queue
import re
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from linli.scratch_db import scratch_database
from linli.server_process import ServerProcess
from linli.stats import percentile

TARGET_MS = 1000.0
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def run_alerts_benchmark(backends: Sequence[str], *, alarms: int, band_presses: int = 50) -> dict[str, Any]:
    return {backend: _bench_backend(backend, alarms, band_presses) for backend in backends}


def _seed(db_url: str) -> tuple[str, uuid.UUID, uuid.UUID, str]:
    from server.db import create_db_engine, session_scope, upgrade
    from server.services import accounts
    from server.services.directory import create_resident
    from server.services.kiosks import register_kiosk

    upgrade(db_url)
    engine = create_db_engine(db_url)
    password = secrets.token_urlsafe(12)
    with session_scope(engine) as session:
        kiosk, token = register_kiosk(session, "bench kiosk")
        resident = create_resident(session, "王秀英", kiosk_id=kiosk.id)
        caregiver = accounts.create_account(session, "bench", password, "caregiver", display_name="张阿姨")
        accounts.link_caregiver(session, caregiver, resident.id)
        ids = (token, kiosk.id, resident.id)
    engine.dispose()
    return ids[0], ids[1], ids[2], password


def _read_stream(response: requests.Response, arrivals: queue.Queue[tuple[str, float]]) -> None:
    name = None
    try:
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: ") and name == "alert":
                arrivals.put((json.loads(line.removeprefix("data: "))["id"], time.perf_counter()))
    except (requests.RequestException, AttributeError):
        return  # the stream was closed at the end of the run


def _bench_backend(backend: str, alarms: int, band_presses: int) -> dict[str, Any]:
    from linli.bench_alerts_band import pair_band_on_server, summary, time_band_presses

    with tempfile.TemporaryDirectory(prefix="linli-bench-alerts-") as tmp, \
            scratch_database(backend, Path(tmp)) as db_url:
        token, kiosk_id, resident_id, password = _seed(db_url)
        pair_band_on_server(db_url, resident_id)
        processes = 2 if backend == "postgresql" else 1
        # One kiosk pushing alarms back to back would hit its rate limit (20/s); the limit
        # is not what is measured here.
        unlimited = {"LINLI_RATE_LIMIT_PER_SECOND": "100000", "LINLI_RATE_LIMIT_BURST": "100000"}
        servers = [ServerProcess(db_url, log_path=Path(tmp) / f"server{n}.log", env=unlimited).start()
                   for n in range(processes)]
        push_to, console_on = servers[0], servers[-1]
        http = requests.Session()
        stream = None
        try:
            page = http.get(f"{console_on.url}/login", timeout=10)
            csrf = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]
            http.post(f"{console_on.url}/login", timeout=10, allow_redirects=False,
                      data={"username": "bench", "password": password, "csrf_token": csrf})
            stream = http.get(f"{console_on.url}/console/events", stream=True, timeout=(5, 60))
            arrivals: queue.Queue[tuple[str, float]] = queue.Queue()
            reader = threading.Thread(target=_read_stream, args=(stream, arrivals), daemon=True)
            reader.start()
            kiosk = requests.Session()
            kiosk.headers["Authorization"] = f"Bearer {token}"
            latencies_ms: list[float] = []
            missed = 0
            for _ in range(alarms):
                record_id = uuid.uuid4()
                body = {"records": [{
                    "id": str(record_id), "kind": "help_call", "kiosk_id": str(kiosk_id),
                    "created_at": datetime.now(UTC).isoformat(),
                    "payload": {"resident_id": str(resident_id), "source": "wristband_sos"},
                }]}
                sent = time.perf_counter()
                kiosk.post(f"{push_to.url}/api/v1/sync/push", json=body, timeout=10).raise_for_status()
                wanted = f"alert-help_call-{record_id}"
                while True:
                    try:
                        seen_id, at = arrivals.get(timeout=10)
                    except queue.Empty:
                        missed += 1
                        break
                    if seen_id == wanted:
                        latencies_ms.append((at - sent) * 1000)
                        break
            band = summary(*time_band_presses(Path(tmp) / "kiosk.sqlite3", push_to.url, token,
                                              band_presses, arrivals)) if band_presses else None
        finally:
            if stream is not None:
                stream.close()
            http.close()
            for server in servers:
                server.stop()
    return {
        "server_processes": processes,
        "alarms": alarms,
        "missed": missed,
        "push_to_console_ms_p50": _round(percentile(latencies_ms, 50)),
        "push_to_console_ms_p95": _round(percentile(latencies_ms, 95)),
        "push_to_console_ms_max": _round(max(latencies_ms, default=None)),
        "within_1s": sum(1 for value in latencies_ms if value <= TARGET_MS),
        "band_sos_to_console_ms": band,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
