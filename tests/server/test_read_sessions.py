"""Reading sessions: they refuse to write, and on PostgreSQL they read without a transaction.

Pulls, token checks and pages read through them (server/db.py `session_factory`).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, func, insert, select

from server.db import ReadOnlySessionError, session_factory
from server.models import Grid


def test_a_reading_session_reads(migrated_engine: Engine) -> None:
    with session_factory(migrated_engine)() as writer:
        writer.add(Grid(name="东区"))
        writer.commit()
    with session_factory(migrated_engine, read_only=True)() as reader:
        assert reader.scalars(select(Grid.name)).all() == ["东区"]


def test_a_reading_session_refuses_to_write_and_nothing_is_stored(migrated_engine: Engine) -> None:
    with session_factory(migrated_engine, read_only=True)() as reader:
        with pytest.raises(ReadOnlySessionError, match="may only read"):
            reader.execute(insert(Grid).values(name="西区"))
    with session_factory(migrated_engine)() as writer:
        assert writer.scalar(select(func.count()).select_from(Grid)) == 0


def test_on_postgresql_each_read_is_its_own_transaction(migrated_engine: Engine) -> None:
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("SQLite reading sessions are deferred transactions")
    # now() is the start of the current transaction: two statements apart in time show
    # two transactions in a reading session and one in a writing session.
    with session_factory(migrated_engine, read_only=True)() as reader:
        first = reader.scalar(select(func.now()))
        time.sleep(0.01)
        assert reader.scalar(select(func.now())) > first
        with pytest.raises(ReadOnlySessionError):
            reader.execute(select(Grid.id).with_for_update())  # a lock held by no transaction
    with session_factory(migrated_engine)() as writer:
        first = writer.scalar(select(func.now()))
        time.sleep(0.01)
        assert writer.scalar(select(func.now())) == first
