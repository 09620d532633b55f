"""Web accounts: grids, accounts, caregiver links, staff grids, web sessions, login failures;
residents get a grid, kiosks a last-seen time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grids",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grids")),
        sa.UniqueConstraint("name", name=op.f("uq_grids_name")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_accounts_username")),
    )
    op.create_table(
        "caregiver_links",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_caregiver_links_account_id_accounts")),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], name=op.f("fk_caregiver_links_resident_id_residents")),
        sa.PrimaryKeyConstraint("account_id", "resident_id", name=op.f("pk_caregiver_links")),
    )
    op.create_index(op.f("ix_caregiver_links_resident_id"), "caregiver_links", ["resident_id"])
    op.create_table(
        "staff_grids",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("grid_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_staff_grids_account_id_accounts")),
        sa.ForeignKeyConstraint(["grid_id"], ["grids.id"], name=op.f("fk_staff_grids_grid_id_grids")),
        sa.PrimaryKeyConstraint("account_id", "grid_id", name=op.f("pk_staff_grids")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_web_sessions_account_id_accounts")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_account_id"), "web_sessions", ["account_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index("ix_login_failures_username_at", "login_failures", ["username", "at"])
    op.create_index("ix_login_failures_client_at", "login_failures", ["client", "at"])
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("grid_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(op.f("fk_residents_grid_id_grids"), "grids", ["grid_id"], ["id"])
        batch.create_index(op.f("ix_residents_grid_id"), ["grid_id"])
    with op.batch_alter_table("kiosks") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kiosks") as batch:
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("residents") as batch:
        batch.drop_index(op.f("ix_residents_grid_id"))
        batch.drop_constraint(op.f("fk_residents_grid_id_grids"), type_="foreignkey")
        batch.drop_column("grid_id")
    op.drop_index("ix_login_failures_client_at", table_name="login_failures")
    op.drop_index("ix_login_failures_username_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index(op.f("ix_web_sessions_account_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("staff_grids")
    op.drop_index(op.f("ix_caregiver_links_resident_id"), table_name="caregiver_links")
    op.drop_table("caregiver_links")
    op.drop_table("accounts")
    op.drop_table("grids")
