"""How the community handles each service request (一窗受理): channel, assignee, outcome.

One row per service request that staff have touched or entered; a kiosk request nobody has
assigned yet has no row (the queue reads it as channel `kiosk`, unassigned). The status
itself stays on `service_requests` (it is what the kiosk is told); the history of every
change is the audit log (target `request:<record id>`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime, utcnow


class RequestHandling(Base):
    __tablename__ = "request_handling"
    __table_args__ = (
        ForeignKeyConstraint(
            ["kiosk_id", "record_id"],
            ["service_requests.kiosk_id", "service_requests.record_id"],
            name="fk_request_handling_service_requests",
        ),
    )

    kiosk_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # kiosk (the resident asked on the kiosk), phone or walk_in (entered by staff).
    channel: Mapped[str] = mapped_column(String(20), default="kiosk")
    entered_by_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    # The grid worker who has it: a staff account of the resident's grid.
    assigned_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # done or cancelled, with the outcome note (done) or the reason (cancelled).
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_note: Mapped[str | None] = mapped_column(String(1000))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
