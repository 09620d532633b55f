"""The volunteer board: grocery claims, volunteers' points, suggestions marked useful.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grocery_claims",
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_grocery_claims_account_id_accounts")),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_grocery_claims")),
    )
    op.create_index("ix_grocery_claims_account_id", "grocery_claims", ["account_id"])
    op.create_table(
        "volunteer_points",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_volunteer_points_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_points")),
        sa.UniqueConstraint("request_id", name=op.f("uq_volunteer_points_request_id")),
    )
    op.create_index("ix_volunteer_points_account_id_created_at", "volunteer_points",
                    ["account_id", "created_at"])
    op.create_table(
        "suggestion_marks",
        sa.Column("kiosk_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("marked_by", sa.Uuid(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_entry_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["marked_by"], ["accounts.id"],
                                name=op.f("fk_suggestion_marks_marked_by_accounts")),
        sa.ForeignKeyConstraint(["ledger_entry_id"], ["points_ledger.id"],
                                name=op.f("fk_suggestion_marks_ledger_entry_id_points_ledger")),
        sa.PrimaryKeyConstraint("kiosk_id", "record_id", name=op.f("pk_suggestion_marks")),
    )


def downgrade() -> None:
    op.drop_table("suggestion_marks")
    op.drop_index("ix_volunteer_points_account_id_created_at", table_name="volunteer_points")
    op.drop_table("volunteer_points")
    op.drop_index("ix_grocery_claims_account_id", table_name="grocery_claims")
    op.drop_table("grocery_claims")
