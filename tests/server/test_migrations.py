"""Alembic migrations build exactly the models' schema, and go down and up again."""

from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.db import create_db_engine, downgrade, upgrade
from server.models import Base


def _diffs(engine) -> list:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def _tables(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_empty_database_migrated_to_head_matches_the_models(db_url):
    engine = create_db_engine(db_url)
    try:
        assert _tables(engine) == set()
        upgrade(db_url)
        assert _tables(engine) == set(Base.metadata.tables)
        assert _diffs(engine) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(migrated_engine):
    downgrade(migrated_engine, "base")
    assert _tables(migrated_engine) == set()
    upgrade(migrated_engine)
    assert _diffs(migrated_engine) == []
    upgrade(migrated_engine)  # at head already: nothing to do, no error


def test_processes_starting_together_migrate_once(db_url):
    # Separate processes, as in production: Alembic keeps global state, so threads would not do.
    script = "import sys; from server.db import upgrade; upgrade(sys.argv[1])"
    processes = [
        subprocess.Popen([sys.executable, "-c", script, db_url], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    failures = [p.stderr.read() for p in processes if p.wait(timeout=120) != 0]  # type: ignore[union-attr]
    assert failures == []
    engine = create_db_engine(db_url)
    try:
        assert _diffs(engine) == []
    finally:
        engine.dispose()
