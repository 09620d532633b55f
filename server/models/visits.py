"""The visit diary (民情日记): home visits staff logged and visits planned for them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime, utcnow

# At most one open task per resident, held by the database so two staff pressing the
# outreach button at once cannot plan the same resident twice.
_OPEN = text("done_at IS NULL")


class Visit(Base):
    """One home visit: who went, when, what needs they found (categories + a free note)."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_worker_id_visited_on", "worker_id", "visited_on"),
        Index("ix_visits_resident_id_visited_on", "resident_id", "visited_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("residents.id"))
    # The staff member the visit counts for in the weekly target.
    worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    companions: Mapped[str | None] = mapped_column(String(200))  # others who went along
    # The community's local date of the visit (week boundaries are local: services/visits.py).
    visited_on: Mapped[date] = mapped_column(Date)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)  # services.visits.Need values
    # May hold personal details: shown to staff of the resident's grid and admins only.
    note: Mapped[str | None] = mapped_column(String(2000))
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    logged_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class VisitTask(Base):
    """A planned visit with a due date and a reason; the next visit logged completes it."""

    __tablename__ = "visit_tasks"
    __table_args__ = (
        Index("ix_visit_tasks_resident_id", "resident_id"),
        Index("uq_visit_tasks_open_resident", "resident_id", unique=True,
              sqlite_where=_OPEN, postgresql_where=_OPEN),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("residents.id"))
    due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20))  # services.visits.TaskReason
    # Language-neutral reason data, e.g. the segment's flags for an outreach task.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(200))  # audit actor
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"))
