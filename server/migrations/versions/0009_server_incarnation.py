"""The database's incarnation, renewed by `linli admin restore` so kiosks send again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "server_incarnation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incarnation", sa.Uuid(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_incarnation")),
    )
    op.bulk_insert(table, [{"id": 1, "incarnation": uuid.uuid4(), "since": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("server_incarnation")
