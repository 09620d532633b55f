"""The kiosk's local tables as SQLAlchemy ORM models (the Alembic migrations build the same)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class OutboxState(StrEnum):
    """Where an outbox item is in its life: waiting, accepted by the server, or given up on."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes stored as naive UTC text, so SQLite's text order is time order."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # A naive time would be stored as if it were UTC and silently shift; refuse it.
            raise ValueError("naive datetime given to the kiosk store; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class LocalRecord(Base):
    """Everything this kiosk created, with the latest status the server told it about."""

    __tablename__ = "records"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    resident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]]
    # NULL until the first pull mentions the record; then a RequestStatus / HelpCallState value.
    status: Mapped[str | None] = mapped_column(String(32))
    status_detail: Mapped[dict[str, Any] | None]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_records_resident_created", "resident_id", "created_at"),)


class OutboxItem(Base):
    """One record waiting to be pushed, with the exact bytes to push frozen at creation."""

    __tablename__ = "outbox"

    # INTEGER PRIMARY KEY AUTOINCREMENT: rowid order is creation order, never reused.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("records.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    envelope: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # NULL means "due now"; only a failed attempt sets a time.
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    dead_at: Mapped[datetime | None]
    dead_code: Mapped[str | None] = mapped_column(String(64))
    dead_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # due_batch walks this index in (priority, seq) order among pending items only.
        Index("ix_outbox_state_priority_seq", "state", "priority", "seq"),
        {"sqlite_autoincrement": True},
    )


class SyncStateRow(Base):
    """The one row of sync bookkeeping: who we are, where the pull feed is, how it went."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    cursor: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_success_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    not_authorised: Mapped[bool] = mapped_column(Boolean, server_default=text("0"))
    not_authorised_code: Mapped[str | None] = mapped_column(String(64))
    # The server database's incarnation when last pulled (revision 0004): a different one
    # means it was restored from a backup and may lack records this kiosk already sent.
    server_incarnation: Mapped[uuid.UUID | None] = mapped_column(Uuid)


# --- pulled from the server (revision 0002) --------------------------------------------


class KioskInfoRow(Base):
    __tablename__ = "kiosk_info"

    kiosk_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    community_phone: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime]


class ResidentRow(Base):
    __tablename__ = "residents"

    resident_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    caregivers: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class WristbandRow(Base):
    __tablename__ = "wristbands"

    wristband_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    ble_address: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    # No foreign key: a pairing may arrive before its resident, and alarms must never wait.
    resident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    updated_at: Mapped[datetime]


class HelpCallStatusRow(Base):
    __tablename__ = "help_call_status"

    help_call_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    state: Mapped[str] = mapped_column(String(32))
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime]


class PointsBalanceRow(Base):
    __tablename__ = "points_balance"

    resident_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    balance: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class PointsLedgerRow(Base):
    __tablename__ = "points_ledger"

    entry_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    resident_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    balance_after: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime]
    # The feed number, so the ledger reads in the order the server wrote it.
    seq: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_points_ledger_resident_seq", "resident_id", "seq"),)


# --- the community catalogue pulled from the server (revision 0003) ---------------------


class ActivityRow(Base):
    """An activity as last sent; retired ones stay (inactive) so a late change cannot revive them."""

    __tablename__ = "activities"

    activity_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # {"zh": ..., "en": ..., "ko": ...}: the wire's CatalogueName as sent.
    name: Mapped[dict[str, Any]]
    starts_at: Mapped[datetime]
    place: Mapped[dict[str, Any]]
    capacity: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_activities_active_starts_at", "active", "starts_at"),)


class RewardRow(Base):
    __tablename__ = "rewards"

    reward_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[dict[str, Any]]
    points: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime]


__all__ = [
    "ActivityRow",
    "Base",
    "HelpCallStatusRow",
    "KioskInfoRow",
    "LocalRecord",
    "OutboxItem",
    "OutboxState",
    "PointsBalanceRow",
    "PointsLedgerRow",
    "ResidentRow",
    "RewardRow",
    "SyncStateRow",
    "UTCDateTime",
    "WristbandRow",
]
