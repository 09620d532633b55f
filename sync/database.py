"""The kiosk store's SQLite engine: durability pragmas, transactions, disk full, migrations."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError

from sync.errors import StoreError, StoreFullError

log = logging.getLogger(__name__)

# How long a writer waits for another writer (the UI thread vs. the sync thread, or a
# `linli sync status` process) before SQLite gives up with "database is locked".
BUSY_TIMEOUT_MS = 5_000

# Execution option that makes a transaction start with BEGIN IMMEDIATE: writers take the
# write lock up front instead of failing half-way when a reader upgrades too late.
_IMMEDIATE = "linli_begin_immediate"


def create_store_engine(path: Path, *, synchronous: str = "FULL") -> Engine:
    """An engine on the SQLite file at `path` with the kiosk's durability settings.

    `synchronous` stays FULL in production: an alarm written to the store must survive a
    power cut the next instant. The knob exists so the cost of FULL can be measured.
    """
    if synchronous not in {"FULL", "NORMAL", "OFF", "EXTRA"}:
        raise ValueError(f"unknown synchronous mode {synchronous!r}")
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        # Pooled connections move between the UI and sync threads, one thread at a time.
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
        # BEGIN IMMEDIATE, SAVEPOINT and transactional DDL behave as written.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but every transaction begins with BEGIN IMMEDIATE."""
    return engine.execution_options(**{_IMMEDIATE: True})


def is_disk_full(exc: BaseException) -> bool:
    """True when SQLite reported SQLITE_FULL (disk full or max_page_count reached)."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_FULL
    return "database or disk is full" in str(orig)


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's disk-full failure into `StoreFullError`; the transaction is rolled back."""
    try:
        yield
    except OperationalError as exc:
        if is_disk_full(exc):
            log.error("kiosk store %s is full; the write was rolled back", path)
            raise StoreFullError(str(path)) from exc
        raise StoreError(
            f"the kiosk store {path} refused a write ({exc.orig}); if this repeats, check the "
            "disk and the file's permissions"
        ) from exc


# --- migrations ----------------------------------------------------------------------


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped inside this package."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("sync") / "migrations"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "sync/migrations has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema to `revision`, keeping every row (kiosks upgrade in place).

    The whole upgrade is one transaction (SQLite DDL is transactional), so a power cut
    mid-way leaves the previous schema intact. Foreign keys are off while it runs because
    batch mode rebuilds tables by copy-and-rename; they are checked before committing.
    """
    config = alembic_config()
    if revision == "head":
        revision = head_revision()
        if current_revision(engine) == revision:
            return
    with engine.connect() as conn:
        # PRAGMA foreign_keys only takes effect outside a transaction, so set it on the raw
        # connection before SQLAlchemy begins one, and restore it before the pool reuses it.
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                before = MigrationContext.configure(conn).get_current_revision()
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
                violations = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if violations:
                    raise StoreError(
                        f"schema upgrade to {revision} would break {len(violations)} "
                        "references; it was rolled back. Report this as a bug."
                    )
                after = MigrationContext.configure(conn).get_current_revision()
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
    if before != after:
        log.info("kiosk store schema upgraded from %s to %s", before or "empty", after)
