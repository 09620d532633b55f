"""The directory pulled from the server: kiosk info, residents, wristbands, help calls, points.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_info",
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("community_phone", sa.String(length=40), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id"),
    )
    op.create_table(
        "residents",
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("caregivers", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("resident_id"),
    )
    op.create_table(
        "wristbands",
        sa.Column("wristband_id", sa.Uuid(), nullable=False),
        sa.Column("ble_address", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("wristband_id"),
    )
    op.create_index("ix_wristbands_resident_id", "wristbands", ["resident_id"])
    op.create_table(
        "help_call_status",
        sa.Column("help_call_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("help_call_id"),
    )
    op.create_table(
        "points_balance",
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("resident_id"),
    )
    op.create_table(
        "points_ledger",
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_index("ix_points_ledger_resident_seq", "points_ledger", ["resident_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_points_ledger_resident_seq", table_name="points_ledger")
    op.drop_table("points_ledger")
    op.drop_table("points_balance")
    op.drop_table("help_call_status")
    op.drop_index("ix_wristbands_resident_id", table_name="wristbands")
    op.drop_table("wristbands")
    op.drop_table("residents")
    op.drop_table("kiosk_info")
