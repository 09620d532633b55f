"""The community catalogue pulled from the server: upcoming activities and points rewards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("place", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("activity_id"),
    )
    op.create_index("ix_activities_active_starts_at", "activities", ["active", "starts_at"])
    op.create_table(
        "rewards",
        sa.Column("reward_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reward_id"),
    )


def downgrade() -> None:
    op.drop_table("rewards")
    op.drop_index("ix_activities_active_starts_at", table_name="activities")
    op.drop_table("activities")
