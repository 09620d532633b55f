"""The points ledger (append-only lines) and the per-resident row entries lock on.

A balance is the sum of the resident's ledger lines, never a stored number that could
drift from them; each line's `balance_after` is that sum as it stood when the line was
written (the kiosk shows it).
"""

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


class PointsLock(Base):
    """One row per resident, holding no balance: writers lock it so that two entries for
    the same resident never both read the old sum (no overdraft, no duplicate running
    total). The balance itself is always `SUM(points_ledger.delta)`."""

    __tablename__ = "points_locks"

    resident_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    locked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
