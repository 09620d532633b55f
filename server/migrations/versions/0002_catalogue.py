"""The community catalogue: upcoming activities and points rewards.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _names(prefix: str) -> list[sa.Column]:
    return [
        sa.Column(f"{prefix}_zh", sa.String(length=200), nullable=False),
        sa.Column(f"{prefix}_en", sa.String(length=200), nullable=True),
        sa.Column(f"{prefix}_ko", sa.String(length=200), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_names("name"),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        *_names("place"),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_index("ix_activities_active_starts_at", "activities", ["active", "starts_at"])
    op.create_table(
        "rewards",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_names("name"),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rewards")),
    )
    op.create_index("ix_rewards_active", "rewards", ["active"])


def downgrade() -> None:
    op.drop_index("ix_rewards_active", table_name="rewards")
    op.drop_table("rewards")
    op.drop_index("ix_activities_active_starts_at", table_name="activities")
    op.drop_table("activities")
