"""Back up, wipe, restore: kiosks resume syncing with nothing lost and nothing twice.

On SQLite and on PostgreSQL: a kiosk syncs, the database is backed up with `linli admin
backup`, the kiosk syncs more, then the database is wiped and restored with `linli admin
restore` (real processes, real pg_dump / pg_restore). The restored database lacks what came
after the backup; the kiosk notices the new incarnation on its next pull and sends what it
keeps again, so every record is on the server exactly once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from linli.bench_sync import bench_records
from tests.e2e.test_record_path import Deployment, deployment, sync_until_sent  # noqa: F401

pytestmark = pytest.mark.slow

DOMAIN_TABLES = ("received_records", "help_calls", "service_requests", "vitals_samples")


def admin(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "linli", "admin", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def wipe(db_url: str) -> None:
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def counts(deployment: Deployment) -> dict[str, int]:
    return {table: deployment.count(table) for table in DOMAIN_TABLES}


def test_restore_then_kiosks_send_again_what_the_backup_lacks(
    deployment: Deployment, tmp_path: Path,  # noqa: F811
) -> None:
    deployment.server.start()
    syncer = deployment.syncer()
    deployment.store.create_records(bench_records(40))
    sync_until_sent(syncer)
    at_backup = counts(deployment)
    assert at_backup["received_records"] == 40
    incarnation_before = deployment.store.server_incarnation()
    assert incarnation_before is not None

    backup_file = tmp_path / "linli.backup"
    made = admin("backup", "--db", deployment.db_url, "--out", str(backup_file))
    assert made.returncode == 0, made.stderr
    assert backup_file.stat().st_size > 0

    deployment.store.create_records(bench_records(25))
    sync_until_sent(syncer)
    before_loss = counts(deployment)
    assert before_loss["received_records"] == 65

    deployment.server.stop()
    deployment.engine.dispose()
    wipe(deployment.db_url)
    refused = admin("restore", str(backup_file), "--db", deployment.db_url)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    restored = admin("restore", str(backup_file), "--db", deployment.db_url, "--yes")
    assert restored.returncode == 0, restored.stderr
    assert counts(deployment) == at_backup  # the 25 after the backup are gone from the server

    deployment.server.start()
    sync_until_sent(syncer)
    assert counts(deployment) == before_loss  # sent again: none lost, none twice
    assert deployment.distinct_record_ids() == 65
    assert deployment.store.server_incarnation() not in (None, incarnation_before)

    sync_until_sent(syncer)  # the same incarnation: nothing is sent again
    assert counts(deployment) == before_loss
    assert deployment.store.outbox_status().pending == 0


def test_backup_of_a_missing_sqlite_database_says_so(tmp_path: Path) -> None:
    answer = admin("backup", "--db", f"sqlite:///{tmp_path / 'none.sqlite3'}",
                   "--out", str(tmp_path / "x.backup"))
    assert answer.returncode == 1 and "no SQLite database" in answer.stderr
    assert not (tmp_path / "x.backup").exists()
