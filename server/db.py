"""Database plumbing: engines for SQLite and PostgreSQL, sessions and schema migrations."""

from __future__ import annotations

import fcntl
import logging
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Any fixed 64-bit number works; every server process must use the same one.
_MIGRATION_LOCK_KEY = zlib.crc32(b"linli-server-migrations")

SessionFactory = sessionmaker[Session]

# Execution option marking an engine's connections as readers (see session_factory).
_READ_ONLY = "linli_read_only"


def create_db_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> Engine:
    """An engine for `url`: SQLite (file, WAL) or PostgreSQL (`postgresql+psycopg://...`).

    `pool_size` PostgreSQL connections stay open; a few more are opened in a burst. A pool
    smaller than the threads using it would open and close a connection (a PostgreSQL
    process) per request under load.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # Plain postgresql:// would pick psycopg2, which is not installed.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
    else:
        engine = create_engine(parsed, echo=echo, pool_size=pool_size, max_overflow=5)
        _ping_idle_connections(engine)
    _refuse_writes_when_reading(engine)
    return engine


# A pooled connection idle this long is pinged before use. One in steady use is not: a ping
# is a round trip per checkout, about 15% of a pull's time. A connection that breaks while
# in steady use fails that one request; SQLAlchemy then replaces every pooled connection
# older than the failure, and kiosks retry.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_idle_connections(engine: Engine) -> None:
    """Pessimistic disconnect handling for idle connections only (SQLAlchemy's pool events)."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()
        except dbapi_connection.OperationalError as exc:
            # The pool drops this connection and checks out another (up to three tries).
            raise DisconnectionError(f"pooled connection is gone: {exc}") from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transaction control away from the sqlite3 module so that the "begin" hook
        # below decides how transactions start (and DDL is transactional for Alembic).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get(_READ_ONLY):
            # Deferred: in WAL mode a reader never waits for the write lock, so a pull or
            # a token check is not held up behind a long push.
            connection.exec_driver_sql("BEGIN")
            return
        # IMMEDIATE takes the write lock up front, so concurrent writers queue for it
        # (busy_timeout). A deferred transaction that reads and then writes fails at once
        # with "database is locked" when another writer committed in between, because
        # busy_timeout does not apply to that upgrade: exactly what two pushes do.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine, *, read_only: bool = False) -> SessionFactory:
    """Sessions on `engine`; `read_only=True` for sessions that never write.

    A reading session refuses to write (ReadOnlySessionError). It also reads without
    holding anyone up:
    - on SQLite its transaction is deferred (writing sessions take the write lock at BEGIN
      IMMEDIATE), so it never waits for a writer;
    - on PostgreSQL each statement is its own transaction (autocommit): no BEGIN and
      ROLLBACK round trips, which cost PostgreSQL more than a pull's own queries (0.48 ms
      of its CPU per pull with them, 0.15 ms without). Two reads of one session may
      therefore see two moments; a page shows "about now" either way.
    """
    bind = engine
    if read_only:
        options: dict[str, object] = {_READ_ONLY: True}
        if engine.dialect.name == "postgresql":
            options["isolation_level"] = "AUTOCOMMIT"
        bind = engine.execution_options(**options)
    # Objects stay readable after commit: services return them to callers that have
    # already committed (the CLI prints the new kiosk's id after the commit).
    return sessionmaker(bind, expire_on_commit=False)


class ReadOnlySessionError(RuntimeError):
    """A reading session was asked to write: a bug in the caller, never retried."""


def _refuse_writes_when_reading(engine: Engine) -> None:
    # Without a transaction around it, a write from a reading session would be committed
    # on PostgreSQL at once and could never be rolled back.
    @event.listens_for(engine, "before_cursor_execute")
    def _check(connection, _cursor, statement, _parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if not connection.get_execution_options().get(_READ_ONLY):
            return
        head = statement.lstrip()[:6].upper()
        if head not in ("SELECT", "BEGIN") or " FOR UPDATE" in statement:
            raise ReadOnlySessionError(f"a reading session may only read: {statement[:60]!r}")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back otherwise."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config() -> Config:
    """Alembic's configuration for the server's migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(url_or_engine: str | Engine, revision: str = "head") -> None:
    """Migrate the database to `revision`; safe to call from several processes at once."""
    _run_migration(url_or_engine, lambda config: command.upgrade(config, revision))


def downgrade(url_or_engine: str | Engine, revision: str) -> None:
    """Migrate the database down to `revision` ("base" empties it)."""
    _run_migration(url_or_engine, lambda config: command.downgrade(config, revision))


@contextmanager
def _sqlite_migration_lock(engine: Engine) -> Iterator[None]:
    """One migrating process at a time on a SQLite file (Alembic's SQLite DDL is not
    transactional, so two processes could both see an old revision and both create its
    tables); a lock file beside the database, released when the process ends anyway."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run_migration(url_or_engine: str | Engine, run) -> None:  # type: ignore[no-untyped-def]
    owned = isinstance(url_or_engine, str)
    engine = create_db_engine(url_or_engine) if owned else url_or_engine
    try:
        with _sqlite_migration_lock(engine), engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                # Several server processes starting together would otherwise all try
                # to create the same tables; the lock makes the others wait and then
                # find the schema already at head.
                connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
                connection.commit()
            try:
                config = alembic_config()
                config.attributes["connection"] = connection
                run(config)
                connection.commit()
            finally:
                if postgres:
                    connection.rollback()
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_KEY}
                    )
                    connection.commit()
    finally:
        if owned:
            engine.dispose()
