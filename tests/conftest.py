"""Shared fixtures: server databases on SQLite and PostgreSQL, a migrated engine, the app.

`db_url` runs each test that uses it twice: on a SQLite file in tmp_path and on a fresh
PostgreSQL database (dropped afterwards). PostgreSQL comes from `LINLI_TEST_PG_URL`
(default `postgresql+psycopg://postgres@127.0.0.1:5432/postgres`, used only to create and
drop the test databases); when it is unreachable the PostgreSQL half is skipped, except in
CI (env CI set), where it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from linli.scratch_db import pg_admin_url, scratch_database

# Fails the run if a token or password shows up in any log (tests/log_secrets.py).
pytest_plugins = ("log_secrets",)

@cache
def _pg_problem() -> str | None:
    """None if PostgreSQL answers, else why not (checked once per test session)."""
    try:
        engine = create_engine(pg_admin_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means "no usable PostgreSQL here"
        return f"PostgreSQL at {make_url(pg_admin_url()).render_as_string()} unreachable: {exc}"
    return None


def require_postgresql() -> None:
    """Skip the calling test without PostgreSQL; in CI (env CI set) fail instead."""
    problem = _pg_problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty server database URL, once per backend."""
    if request.param == "postgresql":
        require_postgresql()
    with scratch_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def migrated_engine(db_url: str) -> Iterator[Engine]:
    """An engine on `db_url` migrated to head."""
    from server.db import create_db_engine, upgrade

    engine = create_db_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(migrated_engine: Engine) -> Iterator[Session]:
    from server.db import session_factory

    with session_factory(migrated_engine)() as session:
        yield session


@pytest.fixture
def server_settings(db_url: str):  # type: ignore[no-untyped-def]
    from server.settings import Settings

    return Settings(database_url=db_url)


@pytest.fixture
def server_app(server_settings, migrated_engine: Engine):  # type: ignore[no-untyped-def]
    """The real app (in process) on the migrated database."""
    from server.app import create_app

    app = create_app(server_settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def server_client(server_app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(server_app) as client:
        yield client


@dataclass(frozen=True, slots=True)
class RegisteredKiosk:
    id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def registered_kiosk(migrated_engine: Engine) -> RegisteredKiosk:
    """A kiosk registered in the migrated database, with its token."""
    from server.db import session_scope
    from server.services.kiosks import register_kiosk

    with session_scope(migrated_engine) as session:
        kiosk, token = register_kiosk(session, "Building 3 lobby", community_phone="010-12345678")
    return RegisteredKiosk(id=kiosk.id, token=token)


class FullDisk:
    """PRAGMA max_page_count on a real kiosk store file stands in for a full disk: SQLite then
    fails writes with SQLITE_FULL, the same error it gives when the filesystem has no space."""

    def __init__(self, store) -> None:  # type: ignore[no-untyped-def]
        from sqlalchemy import event

        self._store = store
        self._pages = 0
        event.listen(store.engine, "connect", self._cap)

    def _cap(self, dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        if self._pages:
            dbapi_connection.execute(f"PRAGMA max_page_count={self._pages}")

    def cap(self, headroom_pages: int = 2) -> None:
        """Allow only `headroom_pages` more pages from now on."""
        with self._store.engine.connect() as conn:
            self._pages = conn.exec_driver_sql("PRAGMA page_count").scalar() + headroom_pages
        self._store.engine.dispose()  # new connections get the cap

    def fill(self, headroom_pages: int = 2) -> None:
        """Cap the store and fill what is left with the smallest records (help calls)."""
        from sync.errors import StoreFullError
        from sync.records import HelpCall, RecordKind

        self.cap(headroom_pages)
        try:
            for _ in range(10_000):
                self._store.create_record(RecordKind.HELP_CALL, HelpCall(source="kiosk_button"))
        except StoreFullError:
            return
        raise AssertionError("the capped store never filled up")

    def free(self) -> None:
        """Space freed: new connections are uncapped."""
        self._pages = 0
        self._store.engine.dispose()


@pytest.fixture
def full_disk() -> type[FullDisk]:
    """`full_disk(store)` caps a real kiosk store file; see FullDisk."""
    return FullDisk
