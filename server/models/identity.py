"""The database's incarnation: one row, renewed when the database is restored from a backup."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime, utcnow


class ServerIncarnation(Base):
    """Kiosks compare `incarnation` with the one they last saw: a new one tells them the
    database lost what happened after its backup, so they send what they kept again."""

    __tablename__ = "server_incarnation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    incarnation: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4)
    since: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    restored_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
