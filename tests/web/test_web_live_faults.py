"""A server process killed during live alert fan-out: no alarm is lost from the consoles' view.

Two `linli server` processes share one PostgreSQL database; a kiosk pushes alarms through
its real sync client to process A, a staff console watches on process B. Midway, B is
killed with SIGKILL; the console reconnects to A (as a browser behind a load balancer
would) and its snapshot holds every alarm still open. Then A is killed while the kiosk is
pushing; the kiosk keeps the alarms queued and sends them when A is back. Every alarm is
seen on a console and stored exactly once.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sync import LocalStore, RetryPolicy, SyncClient, Syncer, SyncOutcome
from sync.records import HelpCall, HelpSource, RecordKind
from tests.web.test_web_live import Console, start_server

pytestmark = pytest.mark.slow

POLICY = RetryPolicy(base=0.01, cap=0.1, quick_tries=2, max_inline_wait=1.0)


def _alarm(store: LocalStore, resident_id: uuid.UUID) -> uuid.UUID:
    return store.create_record(
        RecordKind.HELP_CALL, HelpCall(resident_id=resident_id, source=HelpSource.WRISTBAND_SOS))


def _seen_until(console: Console, wanted: set[str], seen: set[str]) -> None:
    """Read events (snapshots and alerts) until every dom id in `wanted` was seen."""
    while not wanted <= seen:
        event = console.next_event()
        if event.name == "snapshot":
            seen.update(event.data["open"])
        elif event.name == "alert":
            seen.add(event.data["id"])


def test_killing_either_process_loses_no_alarm(community_db, tmp_path: Path) -> None:
    db_url, community = community_db
    if not db_url.startswith("postgresql"):
        pytest.skip("several server processes share one database only on PostgreSQL")
    a = start_server(db_url, tmp_path, "a")
    b = start_server(db_url, tmp_path, "b")
    store = LocalStore.open(tmp_path / "kiosk.sqlite3", community.kiosk_id)
    syncer = Syncer(store, SyncClient(a.url, community.token, connect_timeout=1, read_timeout=10),
                    policy=POLICY)
    consoles: list[Console] = []
    try:
        on_b = Console(b.url, "se")
        consoles.append(on_b)
        seen: set[str] = set()
        first = [_alarm(store, community.east_resident) for _ in range(5)]
        assert syncer.sync_once().outcome is SyncOutcome.SYNCED
        _seen_until(on_b, {f"alert-help_call-{i}" for i in first}, seen)

        b.kill()  # the console's process dies mid-stream
        second = [_alarm(store, community.east_resident) for _ in range(5)]
        assert syncer.sync_once().outcome is SyncOutcome.SYNCED
        on_a = Console(a.url, "se")  # the browser reconnects, now reaching A
        consoles.append(on_a)
        _seen_until(on_a, {f"alert-help_call-{i}" for i in first + second}, seen)

        a.kill()  # now the process the kiosk pushes to dies
        third = [_alarm(store, community.east_resident) for _ in range(5)]
        assert syncer.sync_once().outcome is SyncOutcome.SERVER_UNREACHABLE
        assert store.outbox_status().pending == 5
        b.start()  # fresh processes, same ports and database
        a.start()
        on_b_again = Console(b.url, "se")
        consoles.append(on_b_again)
        for _ in range(50):  # a bound, not a timing: a few cycles while A comes back
            if syncer.sync_once().outcome is SyncOutcome.SYNCED and not store.outbox_status().pending:
                break
        assert store.outbox_status().pending == 0
        every = {f"alert-help_call-{i}" for i in first + second + third}
        _seen_until(on_b_again, every, seen)
        assert every <= seen
    finally:
        for console in consoles:
            console.close()
        store.close()
        a.stop()
        b.stop()

    from server.db import create_db_engine
    from server.models import HelpCall as StoredHelpCall

    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(StoredHelpCall)).scalar_one()
    engine.dispose()
    assert stored == 15
