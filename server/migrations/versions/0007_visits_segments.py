"""Visit diary and resident segments: visits, visit_tasks; residents get a birth year.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("done_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("worker_id", sa.Uuid(), nullable=False),
        sa.Column("companions", sa.String(length=200), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        sa.Column("logged_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], name=op.f("fk_visits_resident_id_residents")),
        sa.ForeignKeyConstraint(["worker_id"], ["accounts.id"], name=op.f("fk_visits_worker_id_accounts")),
        sa.ForeignKeyConstraint(["logged_by"], ["accounts.id"], name=op.f("fk_visits_logged_by_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index("ix_visits_worker_id_visited_on", "visits", ["worker_id", "visited_on"])
    op.create_index("ix_visits_resident_id_visited_on", "visits", ["resident_id", "visited_on"])
    op.create_table(
        "visit_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], name=op.f("fk_visit_tasks_resident_id_residents")),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name=op.f("fk_visit_tasks_visit_id_visits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_tasks")),
    )
    op.create_index("ix_visit_tasks_resident_id", "visit_tasks", ["resident_id"])
    op.create_index("uq_visit_tasks_open_resident", "visit_tasks", ["resident_id"], unique=True,
                    sqlite_where=_OPEN, postgresql_where=_OPEN)
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("birth_year", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.drop_column("birth_year")
    op.drop_index("uq_visit_tasks_open_resident", table_name="visit_tasks")
    op.drop_index("ix_visit_tasks_resident_id", table_name="visit_tasks")
    op.drop_table("visit_tasks")
    op.drop_index("ix_visits_resident_id_visited_on", table_name="visits")
    op.drop_index("ix_visits_worker_id_visited_on", table_name="visits")
    op.drop_table("visits")
