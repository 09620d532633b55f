"""The points ledger (append-only lines) and the running balance each line updates."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime, utcnow


class PointsLedgerEntry(Base):
    __tablename__ = "points_ledger"
    __table_args__ = (Index("ix_points_ledger_resident_id_created_at", "resident_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Not a foreign key: redemptions arrive with the kiosk's (possibly stale) resident id.
    resident_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    balance_after: Mapped[int] = mapped_column(Integer)
    source_kiosk_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    source_record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PointsBalance(Base):
    """One row per resident; updated in place so concurrent entries serialize on its lock."""

    __tablename__ = "points_balances"

    resident_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    balance: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
