"""Directory tables kept by staff: kiosks, residents and wristbands."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime, utcnow


class Kiosk(Base):
    __tablename__ = "kiosks"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    community_phone: Mapped[str | None] = mapped_column(String(40))
    # SHA-256 hex of the bearer token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The last seq handed out in this kiosk's pull feed (see services/feed.py).
    feed_seq: Mapped[int] = mapped_column(Integer, default=0)
    # When the kiosk last synced (updated at most once a minute): its reachability.
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Resident(Base):
    __tablename__ = "residents"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    display_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    # Sensitive: shown to staff (and to a volunteer holding a claim), never sent to kiosks.
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(40))
    kiosk_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("kiosks.id"), index=True)
    caregivers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The neighbourhood grid whose staff look after this resident (None: not yet placed).
    grid_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grids.id"), index=True)
    # For resident segments (services/segment_features.py); None when not known.
    birth_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Wristband(Base):
    __tablename__ = "wristbands"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    ble_address: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    resident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("residents.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
