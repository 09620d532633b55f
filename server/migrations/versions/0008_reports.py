"""Points balances derived from the ledger (points_balances becomes points_locks, without a
balance); rewards get a description for staff.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

_LEDGER_SUMS = sa.text(
    "SELECT resident_id, SUM(delta) AS total FROM points_ledger GROUP BY resident_id")


def upgrade() -> None:
    connection = op.get_bind()
    # The ledger is the truth from now on; say so if a stored balance had drifted from it.
    sums = {row.resident_id: row.total for row in connection.execute(_LEDGER_SUMS)}
    for row in connection.execute(sa.text("SELECT resident_id, balance FROM points_balances")):
        if sums.get(row.resident_id, 0) != row.balance:
            log.warning("resident %s: stored balance %s differs from the ledger's sum %s; "
                        "the ledger's sum is kept", row.resident_id, row.balance,
                        sums.get(row.resident_id, 0))
    op.create_table(
        "points_locks",
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("resident_id", name=op.f("pk_points_locks")),
    )
    op.execute("INSERT INTO points_locks (resident_id, locked_at) "
               "SELECT resident_id, updated_at FROM points_balances")
    op.drop_table("points_balances")
    with op.batch_alter_table("rewards") as batch:
        batch.add_column(sa.Column("description", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rewards") as batch:
        batch.drop_column("description")
    op.create_table(
        "points_balances",
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("resident_id", name=op.f("pk_points_balances")),
    )
    op.execute(
        "INSERT INTO points_balances (resident_id, balance, updated_at) "
        "SELECT l.resident_id, COALESCE((SELECT SUM(delta) FROM points_ledger p "
        "WHERE p.resident_id = l.resident_id), 0), l.locked_at FROM points_locks l")
    op.drop_table("points_locks")
