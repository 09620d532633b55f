"""Server request latency under a steady mixed load: kiosk sync and console pages together.

Per backend: a fresh database with `kiosks` kiosks (a resident and a wristband each) and a
staff account of their grid; real `linli server` processes on loopback (one on SQLite, two
on PostgreSQL with requests alternating between them, as behind a load balancer). An
open-loop generator sends `rate` requests a second for `seconds`: each request leaves at
its scheduled time whether or not earlier ones have answered, so a slow server shows as
latency, not as a lower rate. The mix, by share of requests:

- 40% kiosk push: a batch of 6 heart-rate samples (a kiosk's bands since its last push);
- 40% kiosk pull of its change feed from its cursor;
- 10% the console page (open alarms and call-backs);
- 10% a resident's page (heart-rate chart, alarms, wristband): the heaviest read.

Each request goes to a kiosk and a server process picked at random (seeded), so every
kiosk both pushes and pulls and every process serves every kind.

The measured `seconds` follow `warmup` seconds of the same load, not counted: a server
just started opens its database connections and fills its statement caches in its first
second (p99 over 300 ms there), which is not the steady state asked about. The warm-up is
in the output; `--warmup 0` measures a cold server.

Latency is from the moment a request is sent to its complete answer. `late_starts` counts
requests that left over 50 ms after their scheduled time (the generator itself fell
behind: then the rate was not really offered). The generator shares the machine with the
server, so it speaks HTTP/1.1 through `http.client` on one kept-alive connection per
thread: `requests` costs about three times as much CPU per request.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import secrets
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from linli.scratch_db import scratch_database
from linli.server_process import ServerProcess
from linli.stats import percentile

TARGET_P99_MS = 100.0
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_MIX = ("push",) * 4 + ("pull",) * 4 + ("console", "resident")


@dataclass(slots=True)
class _Kiosk:
    id: uuid.UUID
    token: str
    resident_id: uuid.UUID
    band_id: uuid.UUID
    cursor: int = 0


def run_load_benchmark(backends: list[str], *, rate: float, seconds: float, kiosks: int,
                       pg_processes: int = 2, warmup: float = 5.0) -> dict[str, Any]:
    return {
        "benchmark": "load",
        "rate_per_s": rate,
        "seconds": seconds,
        "warmup_s": warmup,
        "target_p99_ms": TARGET_P99_MS,
        "results": {backend: _bench_backend(backend, rate, seconds, warmup, kiosks,
                                            pg_processes if backend == "postgresql" else 1)
                    for backend in backends},
    }


def _seed(db_url: str, count: int) -> tuple[list[_Kiosk], str]:
    from server.db import create_db_engine, session_scope, upgrade
    from server.services import accounts
    from server.services.directory import create_resident, pair_wristband
    from server.services.kiosks import register_kiosk

    upgrade(db_url)
    engine = create_db_engine(db_url)
    password = secrets.token_urlsafe(12)
    seeded = []
    with session_scope(engine) as session:
        grid = accounts.create_grid(session, "bench grid")
        staff = accounts.create_account(session, "bench", password, "staff", display_name="网格员")
        accounts.assign_staff_grid(session, staff, grid.id)
        for n in range(count):
            kiosk, token = register_kiosk(session, f"bench kiosk {n}")
            resident = create_resident(session, f"居民{n}", kiosk_id=kiosk.id)
            accounts.place_resident(session, resident.id, grid.id)
            band = pair_wristband(session, ble_address=f"C0:4C:1A:01:{n >> 8:02X}:{n & 0xFF:02X}",
                                  name=f"Bench-{n}", resident_id=resident.id)
            seeded.append(_Kiosk(kiosk.id, token, resident.id, band.id))
    engine.dispose()
    return seeded, password


def _sign_in(url: str, password: str) -> str:
    """The console session's cookie header, got through the real login form."""
    http = requests.Session()
    page = http.get(f"{url}/login", timeout=10)
    csrf = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    answer = http.post(f"{url}/login", timeout=10, allow_redirects=False,
                       data={"username": "bench", "password": password, "csrf_token": csrf})
    answer.raise_for_status()
    return "; ".join(f"{name}={value}" for name, value in http.cookies.items())


def _vitals(kiosk: _Kiosk, start: datetime) -> dict[str, Any]:
    return {"records": [{
        "id": str(uuid.uuid4()), "kind": "vitals_sample", "kiosk_id": str(kiosk.id),
        "created_at": (start + timedelta(seconds=n)).isoformat(),
        "payload": {"resident_id": str(kiosk.resident_id), "wristband_id": str(kiosk.band_id),
                    "measured_at": (start + timedelta(seconds=n)).isoformat(),
                    "heart_rate": 62 + n, "battery_percent": 80},
    } for n in range(6)]}


class _Load:
    """Sends one request of the mix and records its latency, from any worker thread."""

    def __init__(self, urls: list[str], kiosks: list[_Kiosk], cookie: str) -> None:
        self._hosts = [urlsplit(url).netloc for url in urls]
        self._kiosks = kiosks
        self._cookie = cookie
        self._random = random.Random(7)
        self._lock = threading.Lock()
        self._local = threading.local()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_reasons: dict[str, int] = defaultdict(int)  # "HTTP 503", "TimeoutError"
        self.late_starts = 0

    def forget(self) -> None:
        """Drop what was recorded so far (the warm-up's); connections stay open."""
        with self._lock:
            self.latencies.clear()
            self.errors.clear()
            self.error_reasons.clear()
            self.late_starts = 0

    def send(self, kind: str, scheduled: float) -> None:
        with self._lock:
            host, kiosk = self._random.choice(self._hosts), self._random.choice(self._kiosks)
        started = time.perf_counter()
        ok = False
        # The server closes a kept-alive connection idle for 5 s: then one retry on a new
        # one, as any HTTP client does (the time is counted).
        for _attempt in range(2):
            try:
                failure = self._request(self._connection(host), kind, kiosk)
                ok = failure is None
                break
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self._local.connections.pop(host).close()
                failure = type(exc).__name__
        took = (time.perf_counter() - started) * 1000
        with self._lock:
            if started - scheduled > 0.05:
                self.late_starts += 1
            if ok:
                self.latencies[kind].append(took)
            else:
                self.errors[kind] += 1
                self.error_reasons[failure] += 1

    def _connection(self, host: str) -> http.client.HTTPConnection:
        connections = getattr(self._local, "connections", None)
        if connections is None:
            connections = self._local.connections = {}
        if host not in connections:
            connections[host] = http.client.HTTPConnection(host, timeout=10)
        return connections[host]

    def _request(self, connection: http.client.HTTPConnection, kind: str, kiosk: _Kiosk) -> str | None:
        """None for a good answer, else what went wrong."""
        kiosk_auth = {"Authorization": f"Bearer {kiosk.token}"}
        if kind == "push":
            body = json.dumps(_vitals(kiosk, datetime.now(UTC))).encode()
            connection.request("POST", "/api/v1/sync/push", body=body,
                               headers={**kiosk_auth, "Content-Type": "application/json"})
        elif kind == "pull":
            connection.request("GET", f"/api/v1/sync/pull?cursor={kiosk.cursor}", headers=kiosk_auth)
        else:
            page = "/console" if kind == "console" else f"/residents/{kiosk.resident_id}"
            connection.request("GET", page, headers={"Cookie": self._cookie})
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            return f"HTTP {answer.status}"
        if kind == "pull":
            kiosk.cursor = max(kiosk.cursor, json.loads(body).get("next_cursor", kiosk.cursor))
        return None


def _bench_backend(backend: str, rate: float, seconds: float, warmup: float, count: int,
                   processes: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="linli-bench-load-") as tmp, \
            scratch_database(backend, Path(tmp)) as db_url:
        kiosks, password = _seed(db_url, count)
        servers = [ServerProcess(db_url, log_path=Path(tmp) / f"server{n}.log").start()
                   for n in range(processes)]
        try:
            load = _Load([server.url for server in servers], kiosks, _sign_in(servers[0].url, password))
            # One pool for both phases: its threads keep their connections, as kiosks do.
            with ThreadPoolExecutor(max_workers=64) as pool:
                _offer(pool, load, rate, warmup)
                load.forget()
                total, offered_in = _offer(pool, load, rate, seconds)
        finally:
            for server in servers:
                server.stop()
    every = [value for values in load.latencies.values() for value in values]
    p99 = percentile(every, 99)
    return {
        "server_processes": processes,
        "kiosks": count,
        "requests": total,
        "offered_rate_per_s": round(total / offered_in, 1),
        "late_starts": load.late_starts,
        "errors": dict(load.errors),
        "error_reasons": dict(load.error_reasons),
        "p50_ms": _round(percentile(every, 50)),
        "p95_ms": _round(percentile(every, 95)),
        "p99_ms": _round(p99),
        "by_kind_p99_ms": {kind: _round(percentile(values, 99)) for kind, values in load.latencies.items()},
        "meets_target": p99 is not None and p99 <= TARGET_P99_MS and not load.errors,
    }


def _offer(pool: ThreadPoolExecutor, load: _Load, rate: float, seconds: float) -> tuple[int, float]:
    """Send `rate` requests a second for `seconds` on schedule; returns (sent, seconds taken).

    Returns once every request has been answered or has failed.
    """
    total = int(rate * seconds)
    began = time.perf_counter()
    sent = []
    for n in range(total):
        scheduled = began + n / rate
        pause = scheduled - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        sent.append(pool.submit(load.send, _MIX[n % len(_MIX)], scheduled))
    offered_in = time.perf_counter() - began
    wait(sent)
    return total, offered_in


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
