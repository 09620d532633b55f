"""Initial schema: directory, received records, domain tables, pull feed, audit log.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_target"), "audit_log", ["target"])

    op.create_table(
        "kiosks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("community_phone", sa.String(length=40), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("feed_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosks")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_kiosks_token_hash")),
    )
    op.create_table(
        "points_balances",
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("resident_id", name=op.f("pk_points_balances")),
    )
    op.create_table(
        "points_ledger",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("source_kiosk_id", sa.Uuid(), nullable=True),
        sa.Column("source_record_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_ledger")),
    )
    op.create_index("ix_points_ledger_resident_id_created_at", "points_ledger", ["resident_id", "created_at"])

    op.create_table(
        "kiosk_changes",
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name=op.f("fk_kiosk_changes_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("kiosk_id", "seq", name=op.f("pk_kiosk_changes")),
    )
    op.create_table(
        "received_records",
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name=op.f("fk_received_records_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_received_records")),
    )
    op.create_table(
        "residents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("kiosk_id", sa.Uuid(), nullable=True),
        sa.Column("caregivers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name=op.f("fk_residents_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residents")),
    )
    op.create_index(op.f("ix_residents_kiosk_id"), "residents", ["kiosk_id"])

    op.create_table(
        "callback_requests",
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("caregiver_name", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("handled_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"], ["received_records.kiosk_id", "received_records.record_id"], name="fk_callback_requests_received_records"),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_callback_requests")),
    )
    op.create_index("ix_callback_requests_record_id", "callback_requests", ["record_id"])
    op.create_index("ix_callback_requests_status", "callback_requests", ["status"])

    op.create_table(
        "feedback",
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("quick_comments", sa.JSON(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"], ["received_records.kiosk_id", "received_records.record_id"], name="fk_feedback_received_records"),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_feedback")),
    )
    op.create_index("ix_feedback_request_id", "feedback", ["request_id"])

    op.create_table(
        "help_call_events",
        sa.Column("help_call_id", sa.Uuid(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"], ["received_records.kiosk_id", "received_records.record_id"], name="fk_help_call_events_received_records"),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_help_call_events")),
    )
    op.create_index("ix_help_call_events_help_call_id", "help_call_events", ["help_call_id"])

    op.create_table(
        "help_calls",
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("wristband_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_note", sa.String(length=1000), nullable=True),
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"], ["received_records.kiosk_id", "received_records.record_id"], name="fk_help_calls_received_records"),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_help_calls")),
    )
    op.create_index("ix_help_calls_record_id", "help_calls", ["record_id"])
    op.create_index("ix_help_calls_state_created_at", "help_calls", ["state", "created_at"])

    op.create_table(
        "points_redemptions",
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("catalogue_item_id", sa.String(length=200), nullable=False),
        sa.Column("catalogue_item_name", sa.String(length=200), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("ledger_entry_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"], ["received_records.kiosk_id", "received_records.record_id"], name="fk_points_redemptions_received_records"),
        sa.ForeignKeyConstraint(["ledger_entry_id"], ["points_ledger.id"], name=op.f("fk_points_redemptions_ledger_entry_id_points_ledger")),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_points_redemptions")),
    )
    op.create_index("ix_points_redemptions_record_id", "points_redemptions", ["record_id"])
    op.create_index("ix_points_redemptions_resident_id", "points_redemptions", ["resident_id"])

    op.create_table(
        "service_requests",
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("request_type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("handled_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"], ["received_records.kiosk_id", "received_records.record_id"], name="fk_service_requests_received_records"),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_service_requests")),
    )
    op.create_index("ix_service_requests_record_id", "service_requests", ["record_id"])
    op.create_index("ix_service_requests_request_type_status", "service_requests", ["request_type", "status"])
    op.create_index("ix_service_requests_resident_id", "service_requests", ["resident_id"])

    op.create_table(
        "vitals_samples",
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("wristband_id", sa.Uuid(), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heart_rate", sa.Integer(), nullable=True),
        sa.Column("battery_percent", sa.Integer(), nullable=True),
        sa.Column("abnormal", sa.Boolean(), nullable=False),
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"], ["received_records.kiosk_id", "received_records.record_id"], name="fk_vitals_samples_received_records"),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_vitals_samples")),
    )
    op.create_index("ix_vitals_samples_resident_id_measured_at", "vitals_samples", ["resident_id", "measured_at"])

    op.create_table(
        "volunteer_suggestions",
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"], ["received_records.kiosk_id", "received_records.record_id"], name="fk_volunteer_suggestions_received_records"),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_volunteer_suggestions")),
    )
    op.create_table(
        "wristband_alerts",
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("wristband_id", sa.Uuid(), nullable=False),
        sa.Column("alert", sa.String(length=30), nullable=False),
        sa.Column("phase", sa.String(length=10), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("band_sequence", sa.Integer(), nullable=True),
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"], ["received_records.kiosk_id", "received_records.record_id"], name="fk_wristband_alerts_received_records"),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_wristband_alerts")),
    )
    op.create_index("ix_wristband_alerts_resident_id", "wristband_alerts", ["resident_id"])
    op.create_index("ix_wristband_alerts_wristband_id_detected_at", "wristband_alerts", ["wristband_id", "detected_at"])

    op.create_table(
        "wristbands",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ble_address", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], name=op.f("fk_wristbands_resident_id_residents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wristbands")),
        sa.UniqueConstraint("ble_address", name=op.f("uq_wristbands_ble_address")),
    )
    op.create_index(op.f("ix_wristbands_resident_id"), "wristbands", ["resident_id"])


def downgrade() -> None:
    # Dropping a table drops its indexes; children before parents.
    op.drop_table("wristbands")
    op.drop_table("wristband_alerts")
    op.drop_table("volunteer_suggestions")
    op.drop_table("vitals_samples")
    op.drop_table("service_requests")
    op.drop_table("points_redemptions")
    op.drop_table("help_calls")
    op.drop_table("help_call_events")
    op.drop_table("feedback")
    op.drop_table("callback_requests")
    op.drop_table("residents")
    op.drop_table("received_records")
    op.drop_table("kiosk_changes")
    op.drop_table("points_ledger")
    op.drop_table("points_balances")
    op.drop_table("kiosks")
    op.drop_table("audit_log")
