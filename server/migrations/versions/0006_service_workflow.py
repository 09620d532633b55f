"""Service workflow (一窗受理): how each service request is handled (channel, assignee, outcome).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_handling",
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("entered_by_account_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_account_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("outcome_note", sa.String(length=1000), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id", "record_id"],
                                ["service_requests.kiosk_id", "service_requests.record_id"],
                                name="fk_request_handling_service_requests"),
        sa.ForeignKeyConstraint(["entered_by_account_id"], ["accounts.id"],
                                name=op.f("fk_request_handling_entered_by_account_id_accounts")),
        sa.ForeignKeyConstraint(["assigned_account_id"], ["accounts.id"],
                                name=op.f("fk_request_handling_assigned_account_id_accounts")),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_request_handling")),
    )
    op.create_index(op.f("ix_request_handling_assigned_account_id"), "request_handling",
                    ["assigned_account_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_request_handling_assigned_account_id"), table_name="request_handling")
    op.drop_table("request_handling")
