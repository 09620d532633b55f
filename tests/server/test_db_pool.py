"""The PostgreSQL pool: idle connections are pinged before use, busy ones are not.

A backend killed while its connection sat idle in the pool (a database restart, a
firewall dropping quiet connections) must not fail the next request; a connection in
steady use is not pinged, because a ping is a round trip on every request.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from linli.scratch_db import scratch_database
from server import db
from tests.conftest import require_postgresql


@pytest.fixture
def pg_engine(tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    require_postgresql()
    with scratch_database("postgresql", tmp_path) as url:
        engine = db.create_db_engine(url, pool_size=1)
        yield engine
        engine.dispose()


def _kill_pooled_backend(engine: Engine) -> None:
    """Terminate the backend of the one connection now idle in the pool."""
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with db.create_db_engine(engine.url.render_as_string(hide_password=False)).connect() as killer:
        killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_an_idle_connection_whose_backend_died_is_replaced_before_use(
        pg_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    _kill_pooled_backend(pg_engine)
    with pg_engine.connect() as connection:
        assert connection.execute(text("SELECT 41 + 1")).scalar_one() == 42


def test_a_connection_in_steady_use_is_not_pinged(
        pg_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    _kill_pooled_backend(pg_engine)
    # Without a ping the dead connection is used as it is: this request fails once...
    with pytest.raises(OperationalError), pg_engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    # ...and the pool has replaced it for the next one.
    with pg_engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
