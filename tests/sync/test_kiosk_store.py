"""The kiosk store on real SQLite files: atomic creation, outbox order and transitions, pulls."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sync_factories import alert, help_call, repair, vitals

from sync import (
    InvalidRecordError,
    LocalStore,
    NewRecord,
    OutboxState,
    StoreFullError,
    StoreKioskMismatchError,
    StoreNotFoundError,
)
from sync.records import ENVELOPE_ADAPTER, CallbackRequest, HelpCall, RecordKind


def _count(store: LocalStore, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


# --- opening -------------------------------------------------------------------------------


def test_open_sets_durable_pragmas(store: LocalStore) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_a_store_belongs_to_one_kiosk(store_path: Path, kiosk_id: uuid.UUID) -> None:
    LocalStore.open(store_path, kiosk_id).close()
    LocalStore.open(store_path, kiosk_id).close()  # same kiosk again: fine
    with pytest.raises(StoreKioskMismatchError, match="belongs to kiosk"):
        LocalStore.open(store_path, uuid.uuid4())


def test_open_existing_never_creates(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite3"
    with pytest.raises(StoreNotFoundError, match="no kiosk store"):
        LocalStore.open_existing(missing)
    assert not missing.exists()


# --- creating records ------------------------------------------------------------------------


def test_create_record_writes_record_and_frozen_envelope(
    store: LocalStore, kiosk_id: uuid.UUID
) -> None:
    resident = uuid.uuid4()
    record_id = store.create_record(RecordKind.HELP_CALL, help_call(resident))

    [item] = store.due_batch(10)
    assert item.record_id == record_id
    envelope = ENVELOPE_ADAPTER.validate_json(item.envelope)
    assert envelope.id == record_id
    assert envelope.kiosk_id == kiosk_id
    assert envelope.kind is RecordKind.HELP_CALL
    assert envelope.created_at.tzinfo is not None
    assert HelpCall.model_validate(envelope.payload).resident_id == resident
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT kind, resident_id, payload FROM records")).one()
    assert row.kind == "help_call"
    assert uuid.UUID(row.resident_id) == resident  # taken from the payload
    assert json.loads(row.payload) == envelope.payload


def test_create_record_accepts_a_dict_and_normalises_it(store: LocalStore) -> None:
    store.create_record("callback_request", {"target": "caregiver"})
    [item] = store.due_batch(1)
    payload = json.loads(item.envelope)["payload"]
    assert CallbackRequest.model_validate(payload).target == "caregiver"


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        (RecordKind.HELP_CALL, {"source": "telepathy"}),
        (RecordKind.HELP_CALL, {"source": "voice", "extra": 1}),
        (RecordKind.SERVICE_REQUEST, help_call()),  # a model of the wrong kind
        ("no_such_kind", {}),
    ],
)
def test_bad_payload_raises_before_anything_is_written(
    store: LocalStore, kind: str, payload: object
) -> None:
    with pytest.raises(InvalidRecordError):
        store.create_record(kind, payload)  # type: ignore[arg-type]
    assert _count(store, "records") == 0
    assert _count(store, "outbox") == 0


def test_record_and_outbox_item_commit_together(store: LocalStore) -> None:
    # Make the outbox insert fail inside SQLite itself: the record insert before it in the
    # same transaction must be undone, so a record without its outbox item never exists.
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox "
            "BEGIN SELECT RAISE(ABORT, 'outbox write failed'); END"
        )
    with pytest.raises(Exception, match="outbox write failed"):
        store.create_record(RecordKind.HELP_CALL, help_call())
    assert _count(store, "records") == 0
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER fail_outbox")
    store.create_record(RecordKind.HELP_CALL, help_call())
    assert (_count(store, "records"), _count(store, "outbox")) == (1, 1)


def test_create_records_is_all_or_nothing(store: LocalStore) -> None:
    with pytest.raises(InvalidRecordError):
        store.create_records(
            [NewRecord(RecordKind.VITALS_SAMPLE, vitals()), NewRecord(RecordKind.HELP_CALL, {})]
        )
    assert _count(store, "records") == 0
    ids = store.create_records([NewRecord(RecordKind.VITALS_SAMPLE, vitals()) for _ in range(3)])
    assert len(set(ids)) == 3 and _count(store, "outbox") == 3


# --- the outbox ------------------------------------------------------------------------------


def test_alarms_jump_the_queue_then_fifo(store: LocalStore) -> None:
    order = [
        ("v1", RecordKind.VITALS_SAMPLE, vitals()),
        ("s1", RecordKind.SERVICE_REQUEST, repair()),
        ("h1", RecordKind.HELP_CALL, help_call()),
        ("v2", RecordKind.VITALS_SAMPLE, vitals()),
        ("a1", RecordKind.WRISTBAND_ALERT, alert()),
        ("s2", RecordKind.SERVICE_REQUEST, repair()),
        ("h2", RecordKind.HELP_CALL, help_call()),
    ]
    names = {store.create_record(kind, payload): name for name, kind, payload in order}
    assert [names[i.record_id] for i in store.due_batch(100)] == [
        "h1", "a1", "h2", "s1", "s2", "v1", "v2"
    ]
    assert [names[i.record_id] for i in store.due_batch(2)] == ["h1", "a1"]


def test_mark_sent_dead_and_retry(store: LocalStore) -> None:
    a, b, c, d = (store.create_record(RecordKind.SERVICE_REQUEST, repair()) for _ in range(4))
    now = datetime.now(UTC)

    assert store.mark_sent([a]) == 1
    assert store.mark_dead([(b, "record_id_conflict", "different content under this id")]) == 1
    assert store.schedule_retry([c], "server unreachable", now + timedelta(seconds=30)) == 1

    assert [i.record_id for i in store.due_batch(10, now)] == [d]
    later = store.due_batch(10, now + timedelta(seconds=31))
    assert [(i.record_id, i.attempts) for i in later] == [(c, 1), (d, 0)]

    # Only pending items move: a late "accepted" cannot revive a dead one, nor re-send a sent one.
    assert store.mark_sent([b]) == 0
    assert store.mark_dead([(a, "invalid_payload", "late")]) == 0
    status = store.outbox_status()
    assert (status.pending, status.sent, status.dead_count) == (2, 1, 1)
    [dead] = status.dead
    assert (dead.record_id, dead.code, dead.reason) == (
        b, "record_id_conflict", "different content under this id"
    )
    with store.engine.connect() as conn:
        row = conn.execute(
            text("SELECT attempts, last_error FROM outbox WHERE record_id = :id"), {"id": c.hex}
        ).one()
    assert tuple(row) == (1, "server unreachable")


def test_a_retry_time_far_ahead_means_the_clock_went_back(store: LocalStore) -> None:
    item = store.create_record(RecordKind.HELP_CALL, help_call())
    now = datetime.now(UTC)
    store.schedule_retry([item], "x", now + timedelta(minutes=5))
    assert store.due_batch(10, now) == []
    # Written while the clock said next year; no back-off is ever that long.
    store.schedule_retry([item], "x", now + timedelta(days=365))
    assert [i.record_id for i in store.due_batch(10, now)] == [item]


# --- pulling ---------------------------------------------------------------------------------


def _change(seq: int, kind: str, payload: dict, at: str = "2026-11-24T08:00:00+00:00") -> dict:
    return {"seq": seq, "kind": kind, "changed_at": at, "payload": payload}


def _page(kiosk_id: uuid.UUID, resident: uuid.UUID, request_id: uuid.UUID,
          help_id: uuid.UUID) -> list[dict]:
    band = uuid.uuid4()
    return [
        _change(1, "kiosk_info", {"kiosk_id": str(kiosk_id), "name": "Building 3 lobby",
                                  "community_phone": "010-12345678"}),
        _change(2, "resident", {"resident_id": str(resident), "display_name": "王奶奶",
                                "caregivers": ["张阿姨"]}),
        _change(3, "wristband_pairing", {"wristband_id": str(band), "ble_address": "AA:BB",
                                         "name": "band 1", "resident_id": str(resident)}),
        _change(4, "request_status", {"request_id": str(request_id), "status": "assigned",
                                      "handled_by": "Li"}),
        _change(5, "help_call_status", {"help_call_id": str(help_id), "state": "acknowledged",
                                        "acknowledged_by": "张阿姨"}),
        _change(6, "points_entry", {"entry_id": str(uuid.uuid4()), "resident_id": str(resident),
                                    "delta": 10, "reason": "rated a service",
                                    "balance_after": 10}),
        _change(7, "points_entry", {"entry_id": str(uuid.uuid4()), "resident_id": str(resident),
                                    "delta": -4, "reason": "redeemed soap",
                                    "balance_after": 6}),
    ]


def test_apply_pull_fills_the_directory_and_is_idempotent(
    store: LocalStore, kiosk_id: uuid.UUID
) -> None:
    resident = uuid.uuid4()
    request_id = store.create_record(RecordKind.SERVICE_REQUEST, repair(resident))
    help_id = store.create_record(RecordKind.HELP_CALL, help_call(resident))
    page = _page(kiosk_id, resident, request_id, help_id)

    for _ in range(2):  # the same page twice (fetched again after a crash) changes nothing
        result = store.apply_pull(page, next_cursor=7)
        assert (result.applied, result.skipped) == (7, 0)
        assert store.cursor() == 7
        assert [r.display_name for r in store.residents()] == ["王奶奶"]
        assert store.residents()[0].caregivers == ["张阿姨"]
        assert store.points_balance(resident) == 6
        assert [e.delta for e in store.points_ledger(resident)] == [-4, 10]
        [request] = store.requests_of(resident)
        assert (request.id, request.status, request.handled_by) == (request_id, "assigned", "Li")
        assert request.delivery is OutboxState.PENDING
        call = store.help_call_status(help_id)
        assert call is not None
        assert (call.state, call.acknowledged_by) == ("acknowledged", "张阿姨")
        info = store.kiosk_info()
        assert info is not None and info.community_phone == "010-12345678"
        assert [w.resident_id for w in store.wristbands()] == [resident]

    store.apply_pull([_change(8, "resident_removed", {"resident_id": str(resident)})], 8)
    assert store.residents() == []


def test_apply_pull_skips_unknown_and_invalid_changes(store: LocalStore) -> None:
    good = uuid.uuid4()
    page = [
        _change(1, "weather_report", {"sunny": True}),  # a kind from a newer server
        _change(2, "resident", {"resident_id": "not-a-uuid", "display_name": "x"}),
        {"seq": "three"},
        _change(4, "resident", {"resident_id": str(good), "display_name": "李爷爷"}),
    ]
    result = store.apply_pull(page, next_cursor=4)
    assert (result.applied, result.skipped) == (1, 3)
    assert store.cursor() == 4
    assert [r.resident_id for r in store.residents()] == [good]


def test_apply_pull_is_atomic_with_the_cursor(store: LocalStore) -> None:
    # The cursor update at the end of the page fails: none of the page's changes may stay,
    # or a restart would skip them forever.
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER fail_cursor BEFORE UPDATE OF cursor ON sync_state "
            "BEGIN SELECT RAISE(ABORT, 'cursor write failed'); END"
        )
    page = [_change(1, "resident", {"resident_id": str(uuid.uuid4()), "display_name": "x"})]
    with pytest.raises(Exception, match="cursor write failed"):
        store.apply_pull(page, next_cursor=1)
    assert store.residents() == []
    assert store.cursor() == 0


# --- a full disk -----------------------------------------------------------------------------


def test_full_disk_raises_store_full_and_writes_nothing_half(
    store_path: Path, kiosk_id: uuid.UUID, full_disk: Any
) -> None:
    store = LocalStore.open(store_path, kiosk_id)
    disk = full_disk(store)
    disk.cap(headroom_pages=4)

    created = 0
    with pytest.raises(StoreFullError, match="disk is full") as caught:
        for _ in range(10_000):
            store.create_record(RecordKind.SERVICE_REQUEST, repair())
            created += 1
    assert "Free disk space" in str(caught.value)
    assert 0 < created < 10_000
    assert _count(store, "records") == _count(store, "outbox") == created

    with pytest.raises(StoreFullError):  # a bulk status update fails whole as well
        store.create_records([NewRecord(RecordKind.VITALS_SAMPLE, vitals()) for _ in range(200)])
    assert _count(store, "records") == _count(store, "outbox") == created

    disk.free()
    store.create_record(RecordKind.HELP_CALL, help_call())
    assert store.outbox_status().pending == created + 1
    store.close()


def test_prune_sent_drops_old_envelopes_and_old_vitals_only(store: LocalStore) -> None:
    old_vitals = store.create_record(RecordKind.VITALS_SAMPLE, vitals())
    resident = uuid.uuid4()
    old_request = store.create_record(RecordKind.SERVICE_REQUEST, repair(resident))
    dead = store.create_record(RecordKind.SERVICE_REQUEST, repair())
    pending = store.create_record(RecordKind.HELP_CALL, help_call())
    long_ago = datetime.now(UTC) - timedelta(days=40)
    store.mark_sent([old_vitals, old_request], now=long_ago)
    store.mark_dead([(dead, "invalid_payload", "bad")], now=long_ago)
    recent = store.create_record(RecordKind.VITALS_SAMPLE, vitals())
    store.mark_sent([recent])

    assert store.prune_sent(datetime.now(UTC) - timedelta(days=30)) == 2
    with store.engine.connect() as conn:
        outbox = {uuid.UUID(r) for (r,) in conn.exec_driver_sql("SELECT record_id FROM outbox")}
        records = {uuid.UUID(r) for (r,) in conn.exec_driver_sql("SELECT id FROM records")}
    assert outbox == {dead, pending, recent}
    assert records == {old_request, dead, pending, recent}  # history stays, old vitals go
    [request] = store.requests_of(resident)
    assert (request.id, request.delivery) == (old_request, OutboxState.SENT)
    assert store.prune_sent(datetime.now(UTC) - timedelta(days=30)) == 0
