"""Live events: sent only when their transaction commits (SQLite: the in-process hub;
PostgreSQL: NOTIFY and a listener), and a PostgreSQL listener whose connection is killed
reconnects and tells its consoles to reload (events may have been missed)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine, text

from server.db import session_factory
from server.services import live


def _send(engine: Engine, record_id: str, *, commit: bool) -> None:
    with session_factory(engine)() as session:
        live.announce(session, [live.LiveEvent("help_call", "k", record_id)])
        if commit:
            session.commit()
        else:
            session.rollback()


def _hub_and_listener(db_url: str, engine: Engine) -> tuple[live.LiveHub, live.PgListener | None]:
    if db_url.startswith("postgresql"):
        hub = live.LiveHub()
        return hub, live.PgListener(engine, hub)
    return live.HUB, None  # SQLite: the process's own hub, fed after commit


def test_an_event_is_sent_when_its_transaction_commits_and_never_on_rollback(
    db_url: str, migrated_engine: Engine
) -> None:
    hub, listener = _hub_and_listener(db_url, migrated_engine)

    async def scenario() -> tuple[live.LiveEvent | None, live.LiveEvent | None]:
        subscription = hub.subscribe()
        if listener is not None:
            await asyncio.to_thread(listener.start)
        await asyncio.to_thread(_send, migrated_engine, "rolled-back", commit=False)
        await asyncio.to_thread(_send, migrated_engine, "committed", commit=True)
        first = await subscription.get(10)
        nothing_more = await subscription.get(0.2)
        subscription.close()
        return first, nothing_more

    try:
        first, nothing_more = asyncio.run(scenario())
    finally:
        if listener is not None:
            listener.stop()
    assert first == live.LiveEvent("help_call", "k", "committed")
    assert nothing_more is None


def test_a_killed_listener_reconnects_and_asks_consoles_to_reload(db_url: str, migrated_engine: Engine) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no listener: events go to the in-process hub after commit")
    hub, listener = _hub_and_listener(db_url, migrated_engine)
    assert listener is not None

    def kill_listener() -> int:
        with migrated_engine.connect() as connection:
            killed = connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE query = 'LISTEN linli_live' AND pid <> pg_backend_pid() "
                "AND datname = current_database()")).scalar_one()
            connection.commit()
        return killed

    async def scenario() -> tuple[live.LiveEvent | None, live.LiveEvent | None]:
        subscription = hub.subscribe()
        await asyncio.to_thread(listener.start)
        assert await asyncio.to_thread(kill_listener) == 1
        resync = await subscription.get(10)
        await asyncio.to_thread(_send, migrated_engine, "after", commit=True)
        after = await subscription.get(10)
        subscription.close()
        return resync, after

    try:
        resync, after = asyncio.run(scenario())
    finally:
        listener.stop()
    assert resync is not None and resync.kind == live.RESYNC
    assert after == live.LiveEvent("help_call", "k", "after")
