"""What the kiosk store hands out (plain values for the engine and UI), and the reads behind it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from sync.records import HelpCallState, RecordKind, RequestStatus
from sync.store_models import (
    HelpCallStatusRow,
    KioskInfoRow,
    LocalRecord,
    OutboxItem,
    OutboxState,
    PointsBalanceRow,
    PointsLedgerRow,
    ResidentRow,
    SyncStateRow,
    WristbandRow,
)

# Kinds a resident sees as "my requests" with a status that the server moves on.
REQUEST_KINDS = (RecordKind.SERVICE_REQUEST, RecordKind.CALLBACK_REQUEST)

# The status view lists at most this many dead items; the count is always exact.
DEAD_ITEMS_SHOWN = 100


@dataclass(slots=True, frozen=True)
class PendingItem:
    """An outbox item due to be pushed: its id and the exact envelope text to send."""

    record_id: uuid.UUID
    kind: RecordKind
    envelope: str
    priority: int
    attempts: int


@dataclass(slots=True, frozen=True)
class DeadItem:
    """A record the server will never take, and why (for staff to read on the status view)."""

    record_id: uuid.UUID
    kind: str
    created_at: datetime
    dead_at: datetime | None
    code: str | None
    reason: str | None


@dataclass(slots=True, frozen=True)
class OutboxStatus:
    pending: int
    urgent_pending: int
    sent: int
    dead_count: int
    dead: list[DeadItem]
    oldest_pending_at: datetime | None
    next_attempt_at: datetime | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    not_authorised: bool
    not_authorised_code: str | None
    cursor: int
    kiosk_id: uuid.UUID | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for `linli sync status --json`."""

        def iso(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "kiosk_id": None if self.kiosk_id is None else str(self.kiosk_id),
            "pending": self.pending,
            "urgent_pending": self.urgent_pending,
            "sent": self.sent,
            "dead_count": self.dead_count,
            "dead": [
                {
                    "id": str(item.record_id),
                    "kind": item.kind,
                    "created_at": iso(item.created_at),
                    "dead_at": iso(item.dead_at),
                    "code": item.code,
                    "reason": item.reason,
                }
                for item in self.dead
            ],
            "oldest_pending_at": iso(self.oldest_pending_at),
            "next_attempt_at": iso(self.next_attempt_at),
            "last_success_at": iso(self.last_success_at),
            "last_attempt_at": iso(self.last_attempt_at),
            "last_error": self.last_error,
            "not_authorised": self.not_authorised,
            "not_authorised_code": self.not_authorised_code,
            "cursor": self.cursor,
        }


@dataclass(slots=True, frozen=True)
class ResidentView:
    resident_id: uuid.UUID
    display_name: str
    language: str
    caregivers: list[str] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class RequestView:
    """A service or call-back request as the resident should see it."""

    id: uuid.UUID
    kind: RecordKind
    created_at: datetime
    payload: dict[str, Any]
    status: RequestStatus | None  # None: the server has not reported on it yet
    handled_by: str | None
    note: str | None
    status_updated_at: datetime | None
    delivery: OutboxState  # pending = still on this kiosk only


@dataclass(slots=True, frozen=True)
class HelpCallView:
    help_call_id: uuid.UUID
    delivery: OutboxState  # pending = the server has not got the call yet
    state: HelpCallState | None  # None: no word from the server yet
    acknowledged_by: str | None
    note: str | None
    changed_at: datetime | None


@dataclass(slots=True, frozen=True)
class KioskInfoView:
    kiosk_id: uuid.UUID
    name: str
    location: str | None
    community_phone: str | None


@dataclass(slots=True, frozen=True)
class WristbandView:
    wristband_id: uuid.UUID
    ble_address: str
    name: str
    resident_id: uuid.UUID | None


@dataclass(slots=True, frozen=True)
class PointsEntryView:
    entry_id: uuid.UUID
    delta: int
    reason: str
    balance_after: int
    changed_at: datetime


# --- queries ---------------------------------------------------------------------------


def outbox_status(conn: Connection) -> OutboxStatus:
    counts = dict(
        conn.execute(select(OutboxItem.state, func.count()).group_by(OutboxItem.state)).all()
    )
    pending_filter = OutboxItem.state == OutboxState.PENDING
    urgent = conn.execute(
        select(func.count()).where(pending_filter, OutboxItem.priority == 0)
    ).scalar_one()
    # min() keeps its argument's type, so these come back as aware datetimes.
    oldest, next_attempt = conn.execute(
        select(func.min(OutboxItem.created_at), func.min(OutboxItem.next_attempt_at)).where(
            pending_filter
        )
    ).one()
    dead_rows = conn.execute(
        select(
            OutboxItem.record_id,
            OutboxItem.kind,
            OutboxItem.created_at,
            OutboxItem.dead_at,
            OutboxItem.dead_code,
            OutboxItem.dead_reason,
        )
        .where(OutboxItem.state == OutboxState.DEAD)
        .order_by(OutboxItem.seq.desc())
        .limit(DEAD_ITEMS_SHOWN)
    ).all()
    state = conn.execute(select(SyncStateRow.__table__).where(SyncStateRow.id == 1)).first()
    row: dict[str, Any] = dict(state._mapping) if state is not None else {}
    return OutboxStatus(
        pending=counts.get(OutboxState.PENDING, 0),
        urgent_pending=urgent,
        sent=counts.get(OutboxState.SENT, 0),
        dead_count=counts.get(OutboxState.DEAD, 0),
        dead=[DeadItem(*dead) for dead in dead_rows],
        oldest_pending_at=oldest,
        next_attempt_at=next_attempt,
        last_success_at=row.get("last_success_at"),
        last_attempt_at=row.get("last_attempt_at"),
        last_error=row.get("last_error"),
        not_authorised=bool(row.get("not_authorised", False)),
        not_authorised_code=row.get("not_authorised_code"),
        cursor=row.get("cursor", 0),
        kiosk_id=row.get("kiosk_id"),
    )


def residents(conn: Connection) -> list[ResidentView]:
    rows = conn.execute(
        select(
            ResidentRow.resident_id,
            ResidentRow.display_name,
            ResidentRow.language,
            ResidentRow.caregivers,
        ).order_by(ResidentRow.display_name)
    ).all()
    return [ResidentView(rid, name, lang, list(carers or [])) for rid, name, lang, carers in rows]


def requests_of(conn: Connection, resident_id: uuid.UUID) -> list[RequestView]:
    rows = conn.execute(
        select(
            LocalRecord.id,
            LocalRecord.kind,
            LocalRecord.created_at,
            LocalRecord.payload,
            LocalRecord.status,
            LocalRecord.status_detail,
            LocalRecord.updated_at,
            OutboxItem.state,
        )
        # Outer join: a sent item's outbox row may have been pruned; the request stays.
        .outerjoin(OutboxItem, OutboxItem.record_id == LocalRecord.id)
        .where(
            LocalRecord.resident_id == resident_id,
            LocalRecord.kind.in_([kind.value for kind in REQUEST_KINDS]),
        )
        .order_by(LocalRecord.created_at.desc(), OutboxItem.seq.desc())
    ).all()
    views = []
    for rid, kind, created_at, payload, status, detail, updated_at, delivery in rows:
        detail = detail or {}
        views.append(
            RequestView(
                id=rid,
                kind=RecordKind(kind),
                created_at=created_at,
                payload=payload,
                status=None if status is None else RequestStatus(status),
                handled_by=detail.get("handled_by"),
                note=detail.get("note"),
                status_updated_at=None if status is None else updated_at,
                delivery=OutboxState(delivery) if delivery else OutboxState.SENT,
            )
        )
    return views


def help_call_status(conn: Connection, help_call_id: uuid.UUID) -> HelpCallView | None:
    delivery = conn.execute(
        select(OutboxItem.state).where(OutboxItem.record_id == help_call_id)
    ).scalar_one_or_none()
    status = conn.execute(
        select(
            HelpCallStatusRow.state,
            HelpCallStatusRow.acknowledged_by,
            HelpCallStatusRow.note,
            HelpCallStatusRow.changed_at,
        ).where(HelpCallStatusRow.help_call_id == help_call_id)
    ).first()
    if delivery is None and status is None:
        return None
    # A status for a call this kiosk no longer has (store replaced) still counts as delivered.
    delivered = OutboxState(delivery) if delivery is not None else OutboxState.SENT
    if status is None:
        return HelpCallView(help_call_id, delivered, None, None, None, None)
    state, by, note, changed_at = status
    return HelpCallView(help_call_id, delivered, HelpCallState(state), by, note, changed_at)


def points_balance(conn: Connection, resident_id: uuid.UUID) -> int:
    balance = conn.execute(
        select(PointsBalanceRow.balance).where(PointsBalanceRow.resident_id == resident_id)
    ).scalar_one_or_none()
    return balance or 0


def points_ledger(
    conn: Connection, resident_id: uuid.UUID, limit: int = 50
) -> list[PointsEntryView]:
    rows = conn.execute(
        select(
            PointsLedgerRow.entry_id,
            PointsLedgerRow.delta,
            PointsLedgerRow.reason,
            PointsLedgerRow.balance_after,
            PointsLedgerRow.changed_at,
        )
        .where(PointsLedgerRow.resident_id == resident_id)
        .order_by(PointsLedgerRow.seq.desc())
        .limit(limit)
    ).all()
    return [PointsEntryView(*row) for row in rows]


def kiosk_info(conn: Connection) -> KioskInfoView | None:
    row = conn.execute(
        select(
            KioskInfoRow.kiosk_id,
            KioskInfoRow.name,
            KioskInfoRow.location,
            KioskInfoRow.community_phone,
        ).order_by(KioskInfoRow.updated_at.desc())
    ).first()
    return None if row is None else KioskInfoView(*row)


def wristbands(conn: Connection) -> list[WristbandView]:
    rows = conn.execute(
        select(
            WristbandRow.wristband_id,
            WristbandRow.ble_address,
            WristbandRow.name,
            WristbandRow.resident_id,
        ).order_by(WristbandRow.name)
    ).all()
    return [WristbandView(*row) for row in rows]


class StoreReads:
    """The read half of `LocalStore`, for the kiosk UI and `linli sync status`: each method
    runs one query above on a fresh connection (WAL lets it read while the sync thread writes).
    """

    _engine: Engine

    def _read(self, query: Any, *args: Any) -> Any:
        with self._engine.connect() as conn:
            return query(conn, *args)

    def outbox_status(self) -> OutboxStatus:
        return self._read(outbox_status)

    def residents(self) -> list[ResidentView]:
        return self._read(residents)

    def requests_of(self, resident_id: uuid.UUID) -> list[RequestView]:
        return self._read(requests_of, resident_id)

    def help_call_status(self, help_call_id: uuid.UUID) -> HelpCallView | None:
        return self._read(help_call_status, help_call_id)

    def points_balance(self, resident_id: uuid.UUID) -> int:
        return self._read(points_balance, resident_id)

    def points_ledger(self, resident_id: uuid.UUID, limit: int = 50) -> list[PointsEntryView]:
        return self._read(points_ledger, resident_id, limit)

    def kiosk_info(self) -> KioskInfoView | None:
        return self._read(kiosk_info)

    def wristbands(self) -> list[WristbandView]:
        return self._read(wristbands)
