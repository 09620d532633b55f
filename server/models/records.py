"""What kiosks pushed: the idempotency ledger and one table per record kind.

Every domain row is keyed by the record's own key (kiosk_id, record_id) and points back at
its `received_records` row. Resident, wristband and help-call ids inside records are
deliberately not foreign keys: the server never refuses an alarm because the kiosk's
directory is stale, so it stores them as sent.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime, utcnow


class ReceivedRecord(Base):
    """One row per accepted envelope: the unique key that makes push idempotent."""

    __tablename__ = "received_records"

    kiosk_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)  # as sent by the kiosk
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def _received(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["kiosk_id", "record_id"],
        ["received_records.kiosk_id", "received_records.record_id"],
        name=f"fk_{table}_received_records",
    )


class _PushedRecord:
    """Columns shared by every domain table of a pushed kind."""

    kiosk_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)  # as sent by the kiosk


class HelpCall(_PushedRecord, Base):
    __tablename__ = "help_calls"
    __table_args__ = (
        _received("help_calls"),
        Index("ix_help_calls_record_id", "record_id"),
        Index("ix_help_calls_state_created_at", "state", "created_at"),
    )

    resident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    source: Mapped[str] = mapped_column(String(20))
    wristband_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    note: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20), default="received")
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_note: Mapped[str | None] = mapped_column(String(1000))


class HelpCallEvent(_PushedRecord, Base):
    __tablename__ = "help_call_events"
    __table_args__ = (
        _received("help_call_events"),
        Index("ix_help_call_events_help_call_id", "help_call_id"),
    )

    help_call_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    event: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(500))


class CallbackRequest(_PushedRecord, Base):
    __tablename__ = "callback_requests"
    __table_args__ = (
        _received("callback_requests"),
        Index("ix_callback_requests_record_id", "record_id"),
        Index("ix_callback_requests_status", "status"),
    )

    resident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    target: Mapped[str] = mapped_column(String(20))
    caregiver_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="received")
    handled_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(1000))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ServiceRequest(_PushedRecord, Base):
    __tablename__ = "service_requests"
    __table_args__ = (
        _received("service_requests"),
        Index("ix_service_requests_record_id", "record_id"),
        Index("ix_service_requests_resident_id", "resident_id"),
        Index("ix_service_requests_request_type_status", "request_type", "status"),
    )

    resident_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    request_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="received")
    details: Mapped[dict] = mapped_column(JSON)
    handled_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(1000))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class VitalsSample(_PushedRecord, Base):
    __tablename__ = "vitals_samples"
    __table_args__ = (
        _received("vitals_samples"),
        Index("ix_vitals_samples_resident_id_measured_at", "resident_id", "measured_at"),
    )

    resident_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    wristband_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    measured_at: Mapped[datetime] = mapped_column(UtcDateTime)
    heart_rate: Mapped[int | None] = mapped_column(Integer)
    battery_percent: Mapped[int | None] = mapped_column(Integer)
    abnormal: Mapped[bool] = mapped_column(Boolean, default=False)


class WristbandAlert(_PushedRecord, Base):
    __tablename__ = "wristband_alerts"
    __table_args__ = (
        _received("wristband_alerts"),
        Index("ix_wristband_alerts_wristband_id_detected_at", "wristband_id", "detected_at"),
        Index("ix_wristband_alerts_resident_id", "resident_id"),
    )

    resident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    wristband_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    alert: Mapped[str] = mapped_column(String(30))
    phase: Mapped[str] = mapped_column(String(10))
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    value: Mapped[float | None] = mapped_column(Float)
    band_sequence: Mapped[int | None] = mapped_column(Integer)


class Feedback(_PushedRecord, Base):
    __tablename__ = "feedback"
    __table_args__ = (
        _received("feedback"),
        Index("ix_feedback_request_id", "request_id"),
    )

    resident_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    request_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    stars: Mapped[int] = mapped_column(Integer)
    quick_comments: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(String(1000))


class PointsRedemption(_PushedRecord, Base):
    __tablename__ = "points_redemptions"
    __table_args__ = (
        _received("points_redemptions"),
        Index("ix_points_redemptions_record_id", "record_id"),
        Index("ix_points_redemptions_resident_id", "resident_id"),
    )

    resident_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    catalogue_item_id: Mapped[str] = mapped_column(String(200))
    catalogue_item_name: Mapped[str] = mapped_column(String(200))
    points: Mapped[int] = mapped_column(Integer)
    # received = points deducted, waiting to be handed out; cancelled = not enough points.
    status: Mapped[str] = mapped_column(String(20), default="received")
    ledger_entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("points_ledger.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class VolunteerSuggestion(_PushedRecord, Base):
    __tablename__ = "volunteer_suggestions"
    __table_args__ = (_received("volunteer_suggestions"),)

    resident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    text: Mapped[str] = mapped_column(String(2000))
