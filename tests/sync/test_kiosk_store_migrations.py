"""Schema upgrades of the kiosk store keep every row, and the head schema matches the models."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from scripted_server import ScriptedServer

from sync import LocalStore, OutboxState, SyncClient, Syncer
from sync.database import create_store_engine, current_revision, head_revision, upgrade
from sync.store_models import Base


def _insert_0001_rows(engine: sa.Engine, kiosk_id: uuid.UUID, count: int) -> list[uuid.UUID]:
    """Rows as the kiosk software of revision 0001 wrote them (raw SQL, no current models)."""
    ids = [uuid.uuid4() for _ in range(count)]
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO sync_state (id, kiosk_id, cursor, not_authorised) "
                    "VALUES (1, :kiosk, 42, 0)"),
            {"kiosk": kiosk_id.hex},
        )
        for n, record_id in enumerate(ids):
            payload = {"resident_id": None, "source": "voice", "wristband_id": None, "note": None}
            envelope = json.dumps(
                {"id": str(record_id), "kind": "help_call",
                 "created_at": "2026-11-20T08:00:00.000000Z", "kiosk_id": str(kiosk_id),
                 "payload": payload}, separators=(",", ":"))
            conn.execute(
                sa.text("INSERT INTO records (id, kind, resident_id, created_at, payload, "
                        "updated_at) VALUES (:id, 'help_call', NULL, :at, :payload, :at)"),
                {"id": record_id.hex, "at": f"2026-11-20 08:00:00.{n:06d}",
                 "payload": json.dumps(payload)},
            )
            conn.execute(
                sa.text("INSERT INTO outbox (record_id, kind, envelope, priority, state, attempts, "
                        "created_at) VALUES (:id, 'help_call', :env, 0, 'pending', 2, :at)"),
                {"id": record_id.hex, "env": envelope, "at": f"2026-11-20 08:00:00.{n:06d}"},
            )
    return ids


def test_upgrade_from_0001_keeps_records_and_they_still_send(
    store_path: Path, kiosk_id: uuid.UUID, server: ScriptedServer, token: str
) -> None:
    engine = create_store_engine(store_path)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("residents")
    ids = _insert_0001_rows(engine, kiosk_id, 5)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT record_id, envelope FROM outbox")).all()
    envelopes_before = dict(rows)
    engine.dispose()

    store = LocalStore.open(store_path, kiosk_id)
    assert current_revision(store.engine) == head_revision() == "0004"
    assert store.cursor() == 42
    due = store.due_batch(100)
    assert [item.record_id for item in due] == ids
    assert {item.record_id.hex: item.envelope for item in due} == envelopes_before
    assert store.residents() == []  # the new tables exist and work
    assert store.activities() == [] and store.rewards() == []  # and those of 0003

    report = Syncer(store, SyncClient(server.url, token)).sync_once()
    assert report.sent == 5
    [push] = server.pushes()
    assert push.body == ('{"records":[' + ",".join(i.envelope for i in due) + "]}").encode()
    assert store.outbox_status().sent == 5
    assert store.help_call_status(ids[0]).delivery is OutboxState.SENT
    store.close()


def test_open_at_head_is_a_no_op(store_path: Path, kiosk_id: uuid.UUID) -> None:
    LocalStore.open(store_path, kiosk_id).close()
    engine = create_store_engine(store_path)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def _diffs(engine: sa.Engine, metadata: sa.MetaData) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_head_schema_matches_the_models(store_path: Path, kiosk_id: uuid.UUID) -> None:
    store = LocalStore.open(store_path, kiosk_id)
    assert _diffs(store.engine, Base.metadata) == []

    # The comparison does see differences: a model column the migrations lack is reported.
    changed = sa.MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["outbox"].append_column(sa.Column("extra", sa.Integer()))
    assert _diffs(store.engine, changed) != []
    store.close()
