"""The community's catalogue kept by staff: upcoming activities and points rewards.

Names (and an activity's place) are kept per language; every kiosk gets each item whole in
its feed (see services/catalogue.py). Items are retired, never deleted: requests and
redemptions made from them keep pointing at a row.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime, utcnow


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_active_starts_at", "active", "starts_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_ko: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    place_zh: Mapped[str] = mapped_column(String(200))
    place_en: Mapped[str | None] = mapped_column(String(200))
    place_ko: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Reward(Base):
    __tablename__ = "rewards"
    __table_args__ = (Index("ix_rewards_active", "active"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_ko: Mapped[str | None] = mapped_column(String(200))
    points: Mapped[int] = mapped_column(Integer)
    # For staff (what exactly is handed out, where it comes from); not sent to kiosks.
    description: Mapped[str | None] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
