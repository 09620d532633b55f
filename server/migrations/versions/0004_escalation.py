"""Escalation: per-resident chains, each alarm's run through its chain, fired steps, webhook outbox.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "escalation_chains",
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"],
                                name=op.f("fk_escalation_chains_resident_id_residents")),
        sa.PrimaryKeyConstraint("resident_id", name=op.f("pk_escalation_chains")),
    )
    op.create_table(
        "alarm_escalations",
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("arrived_at", _TIME, nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("next_step", sa.Integer(), nullable=False),
        sa.Column("next_due_at", _TIME, nullable=True),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.Column("end_reason", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"], ["help_calls.kiosk_id", "help_calls.record_id"],
                                name="fk_alarm_escalations_help_calls"),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_alarm_escalations")),
    )
    op.create_index("ix_alarm_escalations_next_due_at", "alarm_escalations", ["next_due_at"])
    op.create_table(
        "escalation_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("notified", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("due_at", _TIME, nullable=False),
        sa.Column("fired_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"],
                                ["alarm_escalations.kiosk_id", "alarm_escalations.record_id"],
                                name="fk_escalation_steps_alarm_escalations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_steps")),
        sa.UniqueConstraint("kiosk_id", "record_id", "step_index", name="uq_escalation_steps_alarm_step"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TIME, nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("sent_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(["step_id"], ["escalation_steps.id"],
                                name=op.f("fk_webhook_deliveries_step_id_escalation_steps")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index("ix_webhook_deliveries_status_next_attempt_at", "webhook_deliveries",
                    ["status", "next_attempt_at"])
    op.create_index(op.f("ix_webhook_deliveries_step_id"), "webhook_deliveries", ["step_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_deliveries_step_id"), table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_status_next_attempt_at", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("escalation_steps")
    op.drop_index("ix_alarm_escalations_next_due_at", table_name="alarm_escalations")
    op.drop_table("alarm_escalations")
    op.drop_table("escalation_chains")
