"""Applying pulled changes to the kiosk's directory tables, one handler per change kind."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, delete, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import DataError, IntegrityError

from sync.records import (
    Activity,
    Change,
    ChangeKind,
    HelpCallStatus,
    KioskInfo,
    PointsEntry,
    RecordKind,
    RequestCreated,
    RequestStatusChange,
    Resident,
    ResidentRemoved,
    Reward,
    WristbandPairing,
    validate_change,
)
from sync.store_models import (
    ActivityRow,
    HelpCallStatusRow,
    KioskInfoRow,
    LocalRecord,
    PointsBalanceRow,
    PointsLedgerRow,
    ResidentRow,
    RewardRow,
    WristbandRow,
)

log = logging.getLogger(__name__)

# Each handler must be idempotent: a page can be fetched again after a crash before commit.
Handler = Callable[[Connection, Change, Any, datetime], None]


def _upsert(conn: Connection, table: Any, key: str, values: dict[str, Any]) -> None:
    stmt = insert(table).values(**values)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[key],
            set_={name: stmt.excluded[name] for name in values if name != key},
        )
    )


def _kiosk_info(conn: Connection, change: Change, info: KioskInfo, now: datetime) -> None:
    _upsert(
        conn,
        KioskInfoRow.__table__,
        "kiosk_id",
        {
            "kiosk_id": info.kiosk_id,
            "name": info.name,
            "location": info.location,
            "community_phone": info.community_phone,
            "updated_at": now,
        },
    )


def _resident(conn: Connection, change: Change, resident: Resident, now: datetime) -> None:
    _upsert(
        conn,
        ResidentRow.__table__,
        "resident_id",
        {
            "resident_id": resident.resident_id,
            "display_name": resident.display_name,
            "language": resident.language.value,
            "caregivers": list(resident.caregivers),
            "updated_at": now,
        },
    )


def _resident_removed(
    conn: Connection, change: Change, removed: ResidentRemoved, now: datetime
) -> None:
    # Their records stay: they are this kiosk's history and may still be in the outbox.
    table = ResidentRow.__table__
    conn.execute(delete(table).where(table.c.resident_id == removed.resident_id))


def _wristband(conn: Connection, change: Change, pairing: WristbandPairing, now: datetime) -> None:
    _upsert(
        conn,
        WristbandRow.__table__,
        "wristband_id",
        {
            "wristband_id": pairing.wristband_id,
            "ble_address": pairing.ble_address,
            "name": pairing.name,
            "resident_id": pairing.resident_id,
            "updated_at": now,
        },
    )


def _request_status(
    conn: Connection, change: Change, status: RequestStatusChange, now: datetime
) -> None:
    result = conn.execute(
        update(LocalRecord.__table__)
        .where(LocalRecord.id == status.request_id)
        .values(
            status=status.status.value,
            status_detail={"handled_by": status.handled_by, "note": status.note},
            updated_at=now,
        )
    )
    if result.rowcount == 0:
        # Only happens if this kiosk's store was replaced; nothing to show it on.
        log.info("request_status seq %d is for request %s unknown here; skipped",
                 change.seq, status.request_id)


def _request_created(
    conn: Connection, change: Change, created: RequestCreated, now: datetime
) -> None:
    # Stored like a request made here, with the payload a kiosk would have pushed, so "my
    # requests", feedback and later `request_status` changes treat it the same. It has no
    # outbox item: the server already has it, and nothing here ever pushes it back.
    stmt = insert(LocalRecord.__table__).values(
        id=created.request_id,
        kind=RecordKind.SERVICE_REQUEST.value,
        resident_id=created.resident_id,
        created_at=created.created_at,
        payload={"resident_id": str(created.resident_id),
                 "details": created.details.model_dump(mode="json")},
        status="received",
        status_detail={"handled_by": None, "note": None, "channel": created.channel.value,
                       "entered_by": created.entered_by},
        updated_at=now,
    )
    # Idempotent: a page fetched again must not reset a status applied after it.
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))


def _help_call_status(
    conn: Connection, change: Change, status: HelpCallStatus, now: datetime
) -> None:
    _upsert(
        conn,
        HelpCallStatusRow.__table__,
        "help_call_id",
        {
            "help_call_id": status.help_call_id,
            "state": status.state.value,
            "acknowledged_by": status.acknowledged_by,
            "note": status.note,
            "changed_at": change.changed_at if change.changed_at.tzinfo else now,
        },
    )


def _points_entry(conn: Connection, change: Change, entry: PointsEntry, now: datetime) -> None:
    ledger = insert(PointsLedgerRow.__table__).values(
        entry_id=entry.entry_id,
        resident_id=entry.resident_id,
        delta=entry.delta,
        reason=entry.reason,
        balance_after=entry.balance_after,
        changed_at=change.changed_at if change.changed_at.tzinfo else now,
        seq=change.seq,
    )
    conn.execute(ledger.on_conflict_do_nothing(index_elements=["entry_id"]))
    # The feed is applied in order, so the latest entry's balance is the balance.
    _upsert(
        conn,
        PointsBalanceRow.__table__,
        "resident_id",
        {"resident_id": entry.resident_id, "balance": entry.balance_after, "updated_at": now},
    )


def _activity(conn: Connection, change: Change, activity: Activity, now: datetime) -> None:
    # The whole item every time (retired ones too): an upsert is all a change needs.
    _upsert(
        conn,
        ActivityRow.__table__,
        "activity_id",
        {
            "activity_id": activity.activity_id,
            "name": activity.name.model_dump(mode="json"),
            "starts_at": activity.starts_at,
            "place": activity.place.model_dump(mode="json"),
            "capacity": activity.capacity,
            "active": activity.active,
            "updated_at": now,
        },
    )


def _reward(conn: Connection, change: Change, reward: Reward, now: datetime) -> None:
    _upsert(
        conn,
        RewardRow.__table__,
        "reward_id",
        {
            "reward_id": reward.reward_id,
            "name": reward.name.model_dump(mode="json"),
            "points": reward.points,
            "active": reward.active,
            "updated_at": now,
        },
    )


HANDLERS: dict[ChangeKind, Handler] = {
    ChangeKind.KIOSK_INFO: _kiosk_info,
    ChangeKind.RESIDENT: _resident,
    ChangeKind.RESIDENT_REMOVED: _resident_removed,
    ChangeKind.WRISTBAND_PAIRING: _wristband,
    ChangeKind.REQUEST_STATUS: _request_status,
    ChangeKind.HELP_CALL_STATUS: _help_call_status,
    ChangeKind.POINTS_ENTRY: _points_entry,
    ChangeKind.ACTIVITY: _activity,
    ChangeKind.REWARD: _reward,
    ChangeKind.REQUEST_CREATED: _request_created,
}


def apply_change(conn: Connection, raw: Change | Mapping[str, Any], now: datetime) -> bool:
    """Apply one pulled change inside the caller's transaction; False if it was skipped.

    A change of an unknown kind, with an invalid payload, or that breaks a constraint is
    logged and skipped: one bad line from a newer server must not stop the kiosk from
    learning everything else.
    """
    try:
        change = raw if isinstance(raw, Change) else Change.model_validate(raw)
    except ValidationError as exc:
        seq = raw.get("seq") if isinstance(raw, Mapping) else None
        log.warning("pulled change seq %s is not understood (%s); skipped",
                    seq, exc.errors(include_url=False, include_input=False))
        return False
    try:
        model = validate_change(change.kind, change.payload)
    except ValidationError as exc:
        log.warning("pulled %s change seq %d has an invalid payload (%s); skipped",
                    change.kind, change.seq, exc.errors(include_url=False, include_input=False))
        return False
    try:
        # A savepoint per change, so a change that breaks a constraint is undone alone.
        with conn.begin_nested():
            HANDLERS[change.kind](conn, change, model, now)
    except (IntegrityError, DataError) as exc:
        log.warning("pulled %s change seq %d could not be applied (%s); skipped",
                    change.kind, change.seq, exc.orig)
        return False
    return True
