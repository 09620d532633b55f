"""Escalation of unanswered alarms: per-resident chains, each alarm's run, fired steps, webhooks."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UtcDateTime, utcnow


class EscalationChain(Base):
    """A resident's own chain; a resident without a row uses the default chain (assets/)."""

    __tablename__ = "escalation_chains"

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("residents.id"), primary_key=True)
    # [{"after_seconds": 0, "target": "first_caregiver", "webhook": null}, ...]
    steps: Mapped[list[dict]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))


class AlarmEscalation(Base):
    """One alarm's run through its chain: written with the alarm, so a restart loses nothing.

    `steps` is the chain as it was when the alarm arrived (editing a chain does not re-time
    alarms already running); `next_due_at` is NULL once the run has ended.
    """

    __tablename__ = "alarm_escalations"
    __table_args__ = (
        ForeignKeyConstraint(["kiosk_id", "record_id"],
                             ["help_calls.kiosk_id", "help_calls.record_id"],
                             name="fk_alarm_escalations_help_calls"),
        Index("ix_alarm_escalations_next_due_at", "next_due_at"),
    )

    kiosk_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    resident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    arrived_at: Mapped[datetime] = mapped_column(UtcDateTime)
    steps: Mapped[list[dict]] = mapped_column(JSON)
    next_step: Mapped[int] = mapped_column(Integer, default=0)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # acknowledged / resolved (someone answered), chain_done (every step fired)
    end_reason: Mapped[str | None] = mapped_column(String(40))


class EscalationStep(Base):
    """A fired step: who was told, when, and why. Unique per (alarm, step): fired once."""

    __tablename__ = "escalation_steps"
    __table_args__ = (
        ForeignKeyConstraint(["kiosk_id", "record_id"],
                             ["alarm_escalations.kiosk_id", "alarm_escalations.record_id"],
                             name="fk_escalation_steps_alarm_escalations"),
        UniqueConstraint("kiosk_id", "record_id", "step_index",
                         name="uq_escalation_steps_alarm_step"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    step_index: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(200))
    # [{"username": ..., "name": ...}]; empty when the step found nobody
    notified: Mapped[list[dict]] = mapped_column(JSON, default=list)
    # first_step, no_answer, nobody_before (the step before found nobody), fallback_admins
    reason: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fired_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookDelivery(Base):
    """An outgoing POST for a fired step (the outbox): pending until sent or given up."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    step_id: Mapped[int] = mapped_column(ForeignKey("escalation_steps.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
