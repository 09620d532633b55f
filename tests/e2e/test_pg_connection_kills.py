"""PostgreSQL connections killed mid-transaction while kiosks push: nothing lost, nothing twice.

A real `linli server` on PostgreSQL takes a kiosk's outbox in batches while another thread
keeps terminating the server's busy backends (`pg_terminate_backend`), so pushes die inside
their transactions. The kiosk retries what was not acknowledged; every record ends on the
server exactly once and the server process itself stays up.
"""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import create_engine, make_url, text

from linli.bench_sync import bench_records
from tests.e2e.test_record_path import Deployment, deployment, sync_until_sent  # noqa: F401

pytestmark = pytest.mark.slow

RECORDS = 800


class BackendKiller(threading.Thread):
    """Terminates the test database's active backends (but its own) every `every` seconds."""

    def __init__(self, db_url: str, every: float = 0.03) -> None:
        super().__init__(daemon=True)
        self._engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
        self._database = make_url(db_url).database
        self._every = every
        self._halt = threading.Event()
        self.killed = 0

    def run(self) -> None:
        with self._engine.connect() as conn:
            while not self._halt.wait(self._every):
                self.killed += conn.execute(text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid() "
                    "AND state IN ('active', 'idle in transaction')"), {"db": self._database}).scalar_one()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)
        self._engine.dispose()


def test_killed_backends_lose_and_duplicate_nothing(deployment: Deployment) -> None:  # noqa: F811
    if not deployment.db_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    deployment.server.start()
    deployment.store.create_records(bench_records(RECORDS))
    killer = BackendKiller(deployment.db_url)
    killer.start()
    try:
        outcomes = sync_until_sent(deployment.syncer(batch_size=100), timeout=300)
    finally:
        killer.stop()
    assert killer.killed > 0, "no transaction was interrupted: the test proved nothing"
    assert deployment.count("received_records") == RECORDS
    assert deployment.distinct_record_ids() == RECORDS
    status = deployment.store.outbox_status()
    assert status.pending == 0 and status.dead_count == 0 and status.sent == RECORDS
    assert requests.get(f"{deployment.server.url}/api/v1/health", timeout=5).ok
    print(f"{killer.killed} backends killed; {len(outcomes)} sync cycles")  # shown with -s
