"""Alembic environment for the kiosk store: always run on a connection LocalStore hands over."""

from __future__ import annotations

from alembic import context

from sync.store_models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable by running alembic by hand
    raise RuntimeError(
        "the kiosk store's migrations run from sync.store.LocalStore.open (or "
        "sync.migrate.upgrade), which passes the database connection; do not run them alone"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
