"""Volunteering: who holds which grocery order, volunteers' own points, useful suggestions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime, utcnow


class GroceryClaim(Base):
    """The volunteer holding (or who delivered) a grocery order: one row per order.

    Keyed like the order (kiosk_id, record_id) so a second claim of the same order cannot
    exist; a release deletes the row and the order is open again.
    """

    __tablename__ = "grocery_claims"
    __table_args__ = (Index("ix_grocery_claims_account_id", "account_id"),)

    kiosk_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class VolunteerPointsEntry(Base):
    """A line of a volunteer's own ledger (volunteers are accounts, not residents).

    `request_id` is unique: one completed order credits its volunteer once, however often
    the resident rates it or the kiosk replays the rating.
    """

    __tablename__ = "volunteer_points"
    __table_args__ = (
        Index("ix_volunteer_points_account_id_created_at", "account_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SuggestionMark(Base):
    """A volunteer suggestion staff marked useful: one row per suggestion, so points go once."""

    __tablename__ = "suggestion_marks"

    kiosk_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    marked_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    marked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The resident's ledger line (None: the suggestion named no resident to credit).
    ledger_entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("points_ledger.id"))
