"""End to end: staff add and retire catalogue items with `linli admin`, a real `linli server`
process serves them, and the kiosk's store learns them by its real pull."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from linli.server_process import ServerProcess, free_port
from sync import LocalStore, RetryPolicy, SyncClient, Syncer, SyncOutcome
from sync.records import PointsRedemption, RecordKind

pytestmark = pytest.mark.slow

TEST_POLICY = RetryPolicy(base=0.01, cap=0.1, quick_tries=2, max_inline_wait=1.0)


def admin(db_url: str, *argv: str) -> str:
    """`linli admin ...` as staff run it: a separate process; its printed output."""
    done = subprocess.run([sys.executable, "-m", "linli", "admin", *argv, "--db", db_url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[tuple[str, LocalStore, Syncer, uuid.UUID]]:
    out = admin(db_url, "register-kiosk", "--name", "e2e kiosk")
    kiosk_id = uuid.UUID(out.split("kiosk id:")[1].split()[0])
    token = out.split("token:")[1].split()[0]
    resident_id = uuid.UUID(admin(db_url, "add-resident", "--name", "王秀英", "--kiosk", str(kiosk_id)))
    server = ServerProcess(db_url, free_port(), log_path=tmp_path / "server.log")
    server.start()
    store = LocalStore.open(tmp_path / "kiosk.sqlite3", kiosk_id)
    client = SyncClient(server.url, token, connect_timeout=1, read_timeout=20)
    try:
        yield db_url, store, Syncer(store, client, policy=TEST_POLICY), resident_id
    finally:
        client.close()
        store.close()
        server.stop()


def test_an_activity_and_a_reward_added_by_staff_reach_the_kiosk_and_retiring_takes_them_off(
        served: tuple[str, LocalStore, Syncer, uuid.UUID]) -> None:
    db_url, store, syncer, resident_id = served
    starts = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    activity_id = admin(db_url, "add-activity", "--name", "太极拳", "--name-en", "Tai chi",
                        "--starts", starts.isoformat(), "--place", "社区活动室")
    reward_id = admin(db_url, "add-reward", "--name", "一袋大米", "--points", "100")

    assert syncer.sync_once().outcome is SyncOutcome.SYNCED
    [taichi] = store.activities()
    assert str(taichi.activity_id) == activity_id
    assert (taichi.name("zh"), taichi.name("en")) == ("太极拳", "Tai chi")
    assert taichi.starts_at == starts and taichi.place("zh") == "社区活动室"
    [rice] = store.rewards()
    assert (str(rice.reward_id), rice.points) == (reward_id, 100)

    # The resident has no points: the redemption is refused and the kiosk is told so.
    record_id = store.create_record(RecordKind.POINTS_REDEMPTION, PointsRedemption(
        resident_id=resident_id, catalogue_item_id=reward_id, catalogue_item_name="一袋大米",
        points=100))
    assert store.uncounted_redemption_points(resident_id) == 100
    admin(db_url, "retire-activity", activity_id)
    assert syncer.sync_once().outcome is SyncOutcome.SYNCED
    assert syncer.sync_once().outcome is SyncOutcome.SYNCED  # the answer to the push
    assert store.activities() == []
    assert store.points_balance(resident_id) == 0
    assert store.uncounted_redemption_points(resident_id) == 0
    assert store.outbox_status().dead_count == 0  # refused by the rules, not lost: answered
    with store.engine.connect() as conn:
        status, detail = conn.execute(text("SELECT status, status_detail FROM records WHERE id = :id"),
                                      {"id": record_id.hex}).one()
    assert status == "cancelled" and "insufficient_points" in detail
