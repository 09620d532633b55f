"""The soak: a district's kiosks syncing for N minutes against two server processes.

`kiosks` simulated kiosks, each a real kiosk store (SQLite) with its real sync loop
(`SyncLoop`, every 5 s, woken at once by an alarm as the wristband recorder wakes it), are
split between two `linli server` processes on one PostgreSQL database. Their wristbands'
traffic arrives at the documented rates as the recorder would write it: one vitals sample
per band per minute (docs/WRISTBAND.md), and an alarm every `alarm_every` seconds
somewhere in the district. The radio itself is not simulated here (`linli bench ble`
measures that side); this is about the server, the database and sync.

An admin's console event stream on the second process times every alarm from the moment
its kiosk wrote it to the moment the console has it. At the end the generators stop, every
kiosk drains its outbox, and the server's tables are compared with what the kiosks wrote:
lost = written but not on the server; duplicated = stored more than once.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from linli.scratch_db import scratch_database
from linli.server_process import ServerProcess
from linli.stats import percentile

SYNC_INTERVAL_S = 5.0
SAMPLE_EVERY_S = 60.0
TARGETS = {"lost": 0, "duplicated": 0, "alert_p99_ms": 1000.0, "rss_growth_percent": 10.0}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class _Kiosk:
    id: uuid.UUID
    token: str
    bands: list[tuple[uuid.UUID, uuid.UUID]]  # (resident, wristband)
    store: Any = None
    loop: Any = None
    written: list[uuid.UUID] = field(default_factory=list)


def run_soak(*, minutes: float, kiosks: int, bands_per_kiosk: int, alarm_every: float,
             backend: str = "postgresql") -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="linli-soak-") as tmp, \
            scratch_database(backend, Path(tmp)) as db_url:
        fleet, password = _seed(db_url, kiosks, bands_per_kiosk)
        processes = 2 if backend == "postgresql" else 1
        servers = [ServerProcess(db_url, log_path=Path(tmp) / f"server{n}.log").start()
                   for n in range(processes)]
        try:
            return _soak(db_url, Path(tmp), servers, fleet, password, minutes, alarm_every)
        finally:
            for server in servers:
                server.stop()


def _seed(db_url: str, kiosks: int, bands: int) -> tuple[list[_Kiosk], str]:
    from server.db import create_db_engine, session_scope, upgrade
    from server.services import accounts
    from server.services.directory import create_resident, pair_wristband
    from server.services.kiosks import register_kiosk

    upgrade(db_url)
    engine = create_db_engine(db_url)
    password = secrets.token_urlsafe(12)
    fleet = []
    with session_scope(engine) as session:
        accounts.create_account(session, "soak", password, "admin", display_name="值班")
        for k in range(kiosks):
            kiosk, token = register_kiosk(session, f"soak kiosk {k}")
            pairs = []
            for b in range(bands):
                resident = create_resident(session, f"居民{k}-{b}", kiosk_id=kiosk.id)
                number = k * bands + b
                band = pair_wristband(session, name=f"Soak-{number}", resident_id=resident.id,
                                      ble_address=f"C0:4C:1B:{number >> 16 & 0xFF:02X}:"
                                                  f"{number >> 8 & 0xFF:02X}:{number & 0xFF:02X}")
                pairs.append((resident.id, band.id))
            fleet.append(_Kiosk(kiosk.id, token, pairs))
    engine.dispose()
    return fleet, password


def _watch_console(url: str, password: str, seen: dict[str, float], ready: threading.Event,
                   stop: threading.Event) -> None:
    http = requests.Session()
    page = http.get(f"{url}/login", timeout=10)
    http.post(f"{url}/login", timeout=10, allow_redirects=False, data={
        "username": "soak", "password": password,
        "csrf_token": _CSRF.search(page.text).group(1)})  # type: ignore[union-attr]
    with http.get(f"{url}/console/events", stream=True, timeout=(5, 60)) as stream:
        ready.set()
        name = None
        for line in stream.iter_lines(decode_unicode=True):
            if stop.is_set():
                return
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: ") and name == "alert":
                seen.setdefault(json.loads(line.removeprefix("data: "))["id"], time.perf_counter())


def _rss_kib(pid: int | None) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, TypeError):
        return None
    return None


def _soak(db_url: str, tmp: Path, servers: list[ServerProcess], fleet: list[_Kiosk],
          password: str, minutes: float, alarm_every: float) -> dict[str, Any]:
    from sync import LocalStore, SyncClient, Syncer, SyncLoop
    from sync.records import HelpCall, HelpSource, RecordKind, VitalsSample

    for n, kiosk in enumerate(fleet):
        kiosk.store = LocalStore.open(tmp / f"kiosk{n}.sqlite3", kiosk.id)
        client = SyncClient(servers[n % len(servers)].url, kiosk.token, read_timeout=30)
        kiosk.loop = SyncLoop(Syncer(kiosk.store, client), interval=SYNC_INTERVAL_S)
    seen: dict[str, float] = {}
    ready, stop_console = threading.Event(), threading.Event()
    watcher = threading.Thread(target=_watch_console, daemon=True,
                               args=(servers[-1].url, password, seen, ready, stop_console))
    watcher.start()
    ready.wait(30)
    for n, kiosk in enumerate(fleet):  # staggered over one interval, as kiosks boot
        kiosk.loop.start()
        time.sleep(SYNC_INTERVAL_S / len(fleet))
    time.sleep(SYNC_INTERVAL_S)  # every kiosk has had its first cycle: the baseline
    rss_start = [_rss_kib(server.pid) for server in servers]

    alarms: dict[uuid.UUID, float] = {}
    bands = [(kiosk, resident, band) for kiosk in fleet for resident, band in kiosk.bands]
    next_sample = {i: time.monotonic() + SAMPLE_EVERY_S * i / len(bands) for i in range(len(bands))}
    began = time.monotonic()
    next_alarm = began + alarm_every
    rotation = 0
    while time.monotonic() - began < minutes * 60:
        now = time.monotonic()
        for i, due in next_sample.items():
            if due <= now:
                kiosk, resident, band = bands[i]
                sample = VitalsSample(resident_id=resident, wristband_id=band, heart_rate=60 + i % 40,
                                      battery_percent=80, measured_at=datetime.now(UTC))
                kiosk.written.append(kiosk.store.create_record(RecordKind.VITALS_SAMPLE, sample))
                next_sample[i] = due + SAMPLE_EVERY_S
        if now >= next_alarm:
            kiosk = fleet[rotation % len(fleet)]
            rotation += 1
            call = HelpCall(resident_id=kiosk.bands[0][0], source=HelpSource.WRISTBAND_SOS)
            written_at = time.perf_counter()
            record_id = kiosk.store.create_record(RecordKind.HELP_CALL, call)
            alarms[record_id] = written_at
            kiosk.written.append(record_id)
            kiosk.loop.wake()  # what the recorder's on_urgent does
            next_alarm += alarm_every
        time.sleep(0.05)

    drained = _drain(fleet)
    rss_end = [_rss_kib(server.pid) for server in servers]
    time.sleep(1)  # the last alarms' events
    stop_console.set()
    for kiosk in fleet:
        kiosk.loop.stop()
        kiosk.store.close()
    return _summary(db_url, fleet, alarms, seen, rss_start, rss_end, minutes, drained)


def _drain(fleet: list[_Kiosk], bound_s: float = 180.0) -> bool:
    deadline = time.monotonic() + bound_s
    for kiosk in fleet:
        kiosk.loop.wake()
    while time.monotonic() < deadline:
        if all(kiosk.store.outbox_status().pending == 0 for kiosk in fleet):
            return True
        time.sleep(0.5)
    return False


def _summary(db_url: str, fleet: list[_Kiosk], alarms: dict[uuid.UUID, float],
             seen: dict[str, float], rss_start: list[int | None], rss_end: list[int | None],
             minutes: float, drained: bool) -> dict[str, Any]:
    from sqlalchemy import func, select

    from server.db import create_db_engine
    from server.models import ReceivedRecord, VitalsSample

    written = {record for kiosk in fleet for record in kiosk.written}
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        stored = set(conn.execute(select(ReceivedRecord.record_id)).scalars())
        vitals_rows = conn.execute(select(func.count()).select_from(VitalsSample)).scalar_one()
        vitals_ids = conn.execute(
            select(func.count(func.distinct(VitalsSample.record_id)))).scalar_one()
    engine.dispose()
    latencies = [(seen[f"alert-help_call-{record}"] - at) * 1000
                 for record, at in alarms.items() if f"alert-help_call-{record}" in seen]
    growth = [round((end - start) / start * 100, 1) for start, end in zip(rss_start, rss_end)
              if start and end]
    p99 = percentile(latencies, 99)
    result = {
        "minutes": minutes,
        "kiosks": len(fleet),
        "bands": sum(len(kiosk.bands) for kiosk in fleet),
        "records_written": len(written),
        "records_stored": len(written & stored),
        "lost": len(written - stored),
        "duplicated": vitals_rows - vitals_ids,
        "drained": drained,
        "alarms": len(alarms),
        "alarms_on_console": len(latencies),
        "alert_ms_p50": _round(percentile(latencies, 50)),
        "alert_ms_p99": _round(p99),
        "server_rss_mib_start": [None if v is None else round(v / 1024, 1) for v in rss_start],
        "server_rss_mib_end": [None if v is None else round(v / 1024, 1) for v in rss_end],
        "server_rss_growth_percent": growth,
        "targets": TARGETS,
    }
    result["meets_target"] = (result["lost"] == 0 and result["duplicated"] == 0 and drained
                              and len(latencies) == len(alarms) and p99 is not None
                              and p99 <= TARGETS["alert_p99_ms"]
                              and all(g <= TARGETS["rss_growth_percent"] for g in growth))
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
