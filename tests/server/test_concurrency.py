"""Pushes racing each other: the same records stored once, whatever the timing."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from server.app import create_app
from server.db import session_factory
from server.models import KioskChange, ReceivedRecord
from server.services import ingest
from server.services.bulk import bulk_insert
from server.services.ingest import push_batch
from tests.server.factories import envelope, vitals_batch


@pytest.fixture
def live_server(server_settings, migrated_engine) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app served by a real uvicorn on a free port, in a thread."""
    app = create_app(server_settings)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_concurrent_identical_pushes_store_once(live_server, registered_kiosk, migrated_engine):
    rounds, size = 5, 200
    batches = [vitals_batch(registered_kiosk.id, size) + [envelope(registered_kiosk.id)] for _ in range(rounds)]
    answers: list[list[dict]] = []

    def push(batch: list[dict], barrier: threading.Barrier) -> None:
        with httpx.Client(base_url=live_server, headers=registered_kiosk.headers, timeout=60) as client:
            barrier.wait()
            response = client.post("/api/v1/sync/push", json={"records": batch})
            assert response.status_code == 200, response.text
            answers.append(response.json()["results"])

    for batch in batches:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=push, args=(batch, barrier)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(answers) == 2 * rounds
    assert all(result["code"] == "accepted" for results in answers for result in results)
    with migrated_engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(ReceivedRecord)).scalar_one()
        statuses = connection.execute(
            select(KioskChange.payload).where(KioskChange.kind == "help_call_status")).scalars().all()
    assert stored == rounds * (size + 1)
    # One "received" per help call, not one per push. (With nobody to tell, the escalation
    # worker may already have marked some "escalated" in its next tick: not counted here.)
    assert sum(status["state"] == "received" for status in statuses) == rounds


def test_insert_race_is_redone_and_answered_accepted(migrated_engine, registered_kiosk, monkeypatch):
    if migrated_engine.dialect.name == "sqlite":
        pytest.skip("SQLite write transactions start with BEGIN IMMEDIATE: this race cannot happen")
    sessions = session_factory(migrated_engine)
    records = vitals_batch(registered_kiosk.id, 50)
    body = json.dumps({"records": records}).encode()
    raced: list[bool] = []

    def other_process_wins(session, table, rows):  # type: ignore[no-untyped-def]
        if table.name == "received_records" and not raced:
            raced.append(True)
            # Another server process commits the same batch between our SELECT and INSERT.
            with sessions() as other:
                assert push_batch(other, registered_kiosk.id, body, max_batch=1000).accepted == 50
        bulk_insert(session, table, rows)

    monkeypatch.setattr(ingest, "bulk_insert", other_process_wins)
    with sessions() as session:
        response = push_batch(session, registered_kiosk.id, body, max_batch=1000)

    assert raced == [True]
    assert response.accepted == 50 and response.rejected == 0
    with migrated_engine.connect() as connection:
        ids = connection.execute(select(ReceivedRecord.record_id)).scalars().all()
    assert sorted(ids) == sorted(uuid.UUID(r["id"]) for r in records)


def test_feed_reader_never_sees_a_gap_that_fills_later(migrated_engine, registered_kiosk):
    """Writers racing on one kiosk's feed commit in seq order, as the protocol promises."""
    import random
    import time

    from server.services.feed import append_changes, read_changes
    from sync.records import ChangeKind, Resident

    writers, transactions = 6, 15
    writer_sessions = session_factory(migrated_engine)
    reader_sessions = session_factory(migrated_engine, read_only=True)
    done = threading.Event()
    failures: list[str] = []

    def write(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(transactions):
            with writer_sessions() as session:
                append_changes(session, registered_kiosk.id, [
                    (ChangeKind.RESIDENT, Resident(resident_id=uuid.uuid4(), display_name="居民"))
                    for _ in range(rng.randint(1, 3))
                ])
                time.sleep(rng.uniform(0, 0.004))  # a seq taken, not yet committed
                session.commit()

    def read() -> None:
        seen: list[int] = []
        while True:
            finished = done.is_set()  # read once more after the writers stop
            with reader_sessions() as session:
                page = read_changes(session, registered_kiosk.id, seen[-1] if seen else 0, 1000)
                below = session.execute(select(func.count()).select_from(KioskChange).where(
                    KioskChange.kiosk_id == registered_kiosk.id,
                    KioskChange.seq <= (seen[-1] if seen else 0))).scalar_one()
            if below != len(seen):
                failures.append(f"{below - len(seen)} changes appeared at or below cursor {seen[-1]}")
            seen.extend(change.seq for change in page.changes)
            if seen != list(range(1, len(seen) + 1)):
                failures.append(f"gap: read {seen[-10:]}")
                return
            if finished:
                reader_result.extend(seen)
                return

    reader_result: list[int] = []
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    reader = threading.Thread(target=read)
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join()
    assert failures == []
    with migrated_engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(KioskChange).where(
            KioskChange.kiosk_id == registered_kiosk.id)).scalar_one()
    assert reader_result == list(range(1, total + 1))
