"""End to end: a kiosk store, the real sync client and a real `linli server` process on loopback.

Every test runs twice, on a SQLite server database and on a fresh PostgreSQL database.
Nothing here is simulated: the server is a separate process killed with real signals.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from linli.bench_sync import bench_records
from linli.server_process import ServerProcess, free_port
from sync import LocalStore, RetryPolicy, SyncClient, Syncer, SyncOutcome
from sync.records import RecordKind

pytestmark = pytest.mark.slow

# Fast retries: the tests restart servers within a second and should not wait minutes.
TEST_POLICY = RetryPolicy(base=0.01, cap=0.1, quick_tries=2, max_inline_wait=1.0)


@dataclass
class Deployment:
    db_url: str
    engine: Engine
    kiosk_id: uuid.UUID
    token: str
    resident_id: uuid.UUID
    store: LocalStore
    server: ServerProcess

    def syncer(self, batch_size: int = 500, token: str | None = None) -> Syncer:
        client = SyncClient(self.server.url, token or self.token, connect_timeout=1, read_timeout=20)
        return Syncer(self.store, client, batch_size=batch_size, policy=TEST_POLICY)

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()

    def distinct_record_ids(self) -> int:
        from server.models import ReceivedRecord

        with self.engine.connect() as conn:
            return conn.execute(select(func.count(func.distinct(ReceivedRecord.record_id)))).scalar_one()


@pytest.fixture
def deployment(db_url: str, tmp_path: Path) -> Iterator[Deployment]:
    """A migrated server database with one kiosk and one resident; the server is NOT started."""
    from server.db import create_db_engine, session_scope, upgrade
    from server.services.directory import create_resident
    from server.services.kiosks import register_kiosk

    upgrade(db_url)
    engine = create_db_engine(db_url)
    with session_scope(engine) as session:
        kiosk, token = register_kiosk(session, "e2e kiosk", community_phone="010-12345678")
        resident = create_resident(session, "王秀英", kiosk_id=kiosk.id, address="幸福路 12 号")
        kiosk_id, resident_id = kiosk.id, resident.id
    store = LocalStore.open(tmp_path / "kiosk.sqlite3", kiosk_id)
    server = ServerProcess(db_url, free_port(), log_path=tmp_path / "server.log")
    yield Deployment(db_url, engine, kiosk_id, token, resident_id, store, server)
    server.stop()
    store.close()
    engine.dispose()


def sync_until_sent(syncer: Syncer, timeout: float = 120) -> list[SyncOutcome]:
    """Run cycles until nothing is pending; return the outcomes seen on the way."""
    outcomes: list[SyncOutcome] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = syncer.sync_once()
        outcomes.append(report.outcome)
        if report.outcome is SyncOutcome.SYNCED and syncer.store.outbox_status().pending == 0:
            return outcomes
        time.sleep(report.retry_in or 0.01 if report.outcome is not SyncOutcome.SYNCED else 0)
    raise AssertionError(f"outbox not empty after {timeout} s; outcomes {outcomes[-5:]}")


def expected_per_table(count: int) -> dict[str, int]:
    kinds = [record.kind for record in bench_records(count)]
    return {
        "help_calls": kinds.count(RecordKind.HELP_CALL),
        "service_requests": kinds.count(RecordKind.SERVICE_REQUEST),
        "vitals_samples": kinds.count(RecordKind.VITALS_SAMPLE),
    }


def assert_exactly_once(deployment: Deployment, count: int) -> None:
    assert deployment.count("received_records") == count
    assert deployment.distinct_record_ids() == count
    for table, expected in expected_per_table(count).items():
        assert deployment.count(table) == expected, table
    status = deployment.store.outbox_status()
    assert (status.pending, status.sent, status.dead_count) == (0, count, 0)


def test_records_made_while_the_server_is_down_arrive_exactly_once(deployment: Deployment) -> None:
    count = 10_000
    deployment.store.create_records(bench_records(count))
    syncer = deployment.syncer()

    offline = syncer.sync_once()
    assert offline.outcome is SyncOutcome.SERVER_UNREACHABLE
    assert deployment.store.outbox_status().pending == count

    deployment.server.start()
    sync_until_sent(syncer)
    assert_exactly_once(deployment, count)


def test_server_killed_mid_push_then_restarted_loses_and_duplicates_nothing(
    deployment: Deployment,
) -> None:
    count = 10_000
    deployment.store.create_records(bench_records(count))
    deployment.server.start()
    syncer = deployment.syncer(batch_size=250)
    outcomes: list[SyncOutcome] = []
    worker = threading.Thread(target=lambda: outcomes.extend(sync_until_sent(syncer)))
    worker.start()

    deadline = time.monotonic() + 60
    while deployment.count("received_records") == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    deployment.server.kill()
    committed_at_kill = deployment.count("received_records")
    time.sleep(0.5)  # the kiosk keeps trying against a dead port meanwhile
    deployment.server.start()
    worker.join(timeout=120)

    assert 0 < committed_at_kill < count, "the kill must land in the middle of the upload"
    assert SyncOutcome.SERVER_UNREACHABLE in outcomes
    assert_exactly_once(deployment, count)


def test_a_replayed_batch_is_stored_once_and_a_changed_replay_is_refused(
    deployment: Deployment,
) -> None:
    deployment.store.create_records(bench_records(100))
    texts = [item.envelope for item in deployment.store.due_batch(100)]
    deployment.server.start()
    client = SyncClient(deployment.server.url, deployment.token)

    first = client.push(texts)
    again = client.push(texts)
    assert [r.model_dump() for r in again] == [r.model_dump() for r in first]
    assert {r.code for r in first} == {"accepted"}
    assert deployment.count("received_records") == 100

    vitals = next(t for t in texts if '"heart_rate":' in t)
    changed = vitals.replace('"heart_rate":', '"heart_rate":1', 1)  # e.g. 61 -> 161
    [conflict] = client.push([changed])
    assert (conflict.status, conflict.code) == (409, "record_id_conflict")
    with deployment.engine.connect() as conn:
        rates = conn.execute(text("SELECT heart_rate FROM vitals_samples")).scalars().all()
    assert max(rates) < 100  # bench vitals are 60..99 bpm: the stored row kept its value


def test_a_kiosk_killed_between_created_and_sent_sends_after_restart(
    deployment: Deployment, tmp_path: Path
) -> None:
    store_path = deployment.store.path
    deployment.store.close()
    child = textwrap.dedent(
        f"""
        import os, signal, uuid
        from sync import LocalStore
        from sync.records import HelpCall, RecordKind
        store = LocalStore.open({str(store_path)!r}, uuid.UUID({str(deployment.kiosk_id)!r}))
        for _ in range(25):
            record_id = store.create_record(RecordKind.HELP_CALL, HelpCall(source="kiosk_button"))
            print(record_id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    killed = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert killed.returncode == -9, killed.stderr
    created = {uuid.UUID(line) for line in killed.stdout.split()}
    assert len(created) == 25

    deployment.store = LocalStore.open(store_path, deployment.kiosk_id)
    deployment.server.start()
    sync_until_sent(deployment.syncer())

    from server.models import ReceivedRecord

    with deployment.engine.connect() as conn:
        stored = set(conn.execute(select(ReceivedRecord.record_id)).scalars())
    assert stored == created


@pytest.mark.parametrize("why", ["revoked", "wrong_secret"])
def test_a_refused_kiosk_stops_syncing_and_keeps_its_records(deployment: Deployment, why: str) -> None:
    from server.db import session_scope
    from server.services.kiosks import revoke_kiosk

    token = deployment.token
    if why == "revoked":
        with session_scope(deployment.engine) as session:
            revoke_kiosk(session, deployment.kiosk_id)
    else:
        token = token.rsplit(".", 1)[0] + ".not-the-secret"
    deployment.store.create_records(bench_records(20))
    deployment.server.start()

    report = deployment.syncer(token=token).sync_once()

    assert report.outcome is SyncOutcome.NOT_AUTHORISED
    status = deployment.store.outbox_status()
    assert status.not_authorised and status.pending == 20
    assert status.not_authorised_code == ("kiosk_revoked" if why == "revoked" else "token_invalid")
    assert deployment.count("received_records") == 0


def test_a_kiosk_offline_for_a_week_catches_up_on_its_feed(deployment: Deployment) -> None:
    from server.db import session_scope
    from server.services.points import credit_points

    with session_scope(deployment.engine) as session:
        for day in range(7):
            for task in range(400):
                credit_points(session, deployment.resident_id, 1, f"day {day} task {task}")
    deployment.server.start()

    report = deployment.syncer().sync_once()

    assert report.outcome is SyncOutcome.SYNCED
    assert deployment.store.points_balance(deployment.resident_id) == 2_800
    assert deployment.store.cursor() == deployment.count("kiosk_changes")
    assert [r.display_name for r in deployment.store.residents()] == ["王秀英"]
    assert report.requests >= 2_800 // 500  # it paged, not one giant answer


def _envelope(deployment: Deployment, **overrides: object) -> dict:
    envelope = {
        "id": str(uuid.uuid4()),
        "kind": "vitals_sample",
        "created_at": "2026-11-24T08:00:00+00:00",
        "kiosk_id": str(deployment.kiosk_id),
        "payload": {
            "resident_id": str(deployment.resident_id),
            "wristband_id": str(uuid.uuid4()),
            "measured_at": "2026-11-24T08:00:00+00:00",
            "heart_rate": 72,
        },
    }
    envelope.update(overrides)
    return envelope


def test_bad_pushes_over_real_http_get_clear_errors_and_store_nothing(deployment: Deployment) -> None:
    import json

    import requests

    deployment.server.start()
    url = f"{deployment.server.url}/api/v1/sync/push"
    auth = {"Authorization": f"Bearer {deployment.token}", "Content-Type": "application/json"}
    bad_payload = _envelope(deployment)
    bad_payload["payload"] = {**bad_payload["payload"], "heart_rate": "fast"}
    whole_request_cases = [
        ("malformed JSON", b'{"records": [', auth, 400, "malformed_json"),
        ("wrong top-level type", b'{"records": "all of them"}', auth, 422, "invalid_request"),
        ("oversized batch", json.dumps({"records": [_envelope(deployment) for _ in range(1001)]}).encode(),
         auth, 413, "batch_too_large"),
        ("body over 5 MiB", b'{"records": ["' + b"x" * (6 * 1024 * 1024) + b'"]}', auth, 413, "body_too_large"),
        ("wrong token", json.dumps({"records": [_envelope(deployment)]}).encode(),
         {**auth, "Authorization": "Bearer " + deployment.token[:-4] + "abcd"}, 401, "token_invalid"),
        ("no token", json.dumps({"records": [_envelope(deployment)]}).encode(),
         {"Content-Type": "application/json"}, 401, "token_missing"),
    ]
    for what, body, headers, status, code in whole_request_cases:
        answer = requests.post(url, data=body, headers=headers, timeout=30)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), what
        assert answer.json()["error"]["message"], what

    per_record_cases = [
        (_envelope(deployment, kind="teleport_request"), "unknown_kind"),
        (bad_payload, "invalid_payload"),
        (_envelope(deployment, created_at="2026-11-24T08:00:00"), "invalid_envelope"),
        (_envelope(deployment, kiosk_id=str(uuid.uuid4())), "kiosk_mismatch"),
        ("not an object", "invalid_envelope"),
    ]
    answer = requests.post(url, json={"records": [case for case, _ in per_record_cases]}, headers=auth, timeout=30)
    assert answer.status_code == 200
    assert [(r["status"], r["code"]) for r in answer.json()["results"]] == [
        (422, code) for _, code in per_record_cases
    ]

    for table in ("received_records", "vitals_samples", "help_calls", "service_requests"):
        assert deployment.count(table) == 0, table
