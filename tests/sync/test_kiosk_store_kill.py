"""A kiosk killed mid-write (power cut, OOM kill) loses nothing it reported as stored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

from sync import LocalStore
from sync.records import ENVELOPE_ADAPTER

_CHILD = textwrap.dedent(
    """
    import sys, uuid
    from sync import LocalStore
    from sync.records import HelpCall, RecordKind, VitalsSample
    from datetime import UTC, datetime

    store = LocalStore.open(sys.argv[1], uuid.UUID(sys.argv[2]))
    n = 0
    while True:  # until killed: alarms and vitals, each committed on its own
        if n % 5 == 0:
            rid = store.create_record(RecordKind.HELP_CALL, HelpCall(source="fall"))
        else:
            rid = store.create_record(RecordKind.VITALS_SAMPLE, VitalsSample(
                resident_id=uuid.uuid4(), wristband_id=uuid.uuid4(),
                measured_at=datetime.now(UTC), heart_rate=60 + n % 50))
        print(rid, flush=True)
        n += 1
    """
)


def test_sigkill_before_sync_leaves_every_record_pending_and_intact(
    store_path: Path, kiosk_id: uuid.UUID
) -> None:
    repo = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(store_path), str(kiosk_id)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
    )
    assert child.stdout is not None
    reported: list[uuid.UUID] = []
    deadline = time.monotonic() + 30
    while len(reported) < 60 and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        reported.append(uuid.UUID(line.strip()))
    # Killed mid-loop: most likely in the middle of a transaction or an fsync.
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    rest = child.stdout.read().split()
    reported += [uuid.UUID(line) for line in rest if len(line) == 36]  # not a cut-off line
    assert len(reported) >= 60, "the child did not get going"

    store = LocalStore.open(store_path, kiosk_id)
    due = {item.record_id: item for item in store.due_batch(10_000)}
    # Everything reported as stored survived; at most the one in flight may also be there.
    assert set(reported) <= set(due)
    assert len(due) - len(reported) <= 1
    status = store.outbox_status()
    assert status.pending == len(due) and status.sent == status.dead_count == 0
    for record_id, item in due.items():
        envelope = ENVELOPE_ADAPTER.validate_json(item.envelope)
        assert envelope.id == record_id and envelope.kiosk_id == kiosk_id
    with store.engine.connect() as conn:
        orphans = conn.exec_driver_sql(
            "SELECT count(*) FROM records LEFT JOIN outbox ON outbox.record_id = records.id "
            "WHERE outbox.seq IS NULL"
        ).scalar()
        stored_payloads = dict(conn.exec_driver_sql("SELECT id, payload FROM records").all())
        integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
    assert orphans == 0  # no record without its outbox item
    assert integrity == "ok"
    for record_id, item in due.items():
        assert json.loads(stored_payloads[record_id.hex]) == json.loads(item.envelope)["payload"]
    store.close()
