"""Backing up and restoring the server's database, and the incarnation kiosks resync on.

PostgreSQL goes through its own tools (`pg_dump -Fc`, `pg_restore`), SQLite through its
online backup API; both give a consistent copy while servers run. A restore replaces the
whole database, brings it up to this version's schema and gives it a new incarnation:
each kiosk sees the new one on its next pull and sends every record it still keeps
(30 days of sent records), so what reached the server after the backup is stored again,
and what the backup already holds is answered as stored (push is idempotent).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

from sqlalchemy import make_url, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from server.errors import ServerError
from server.models import ServerIncarnation, utcnow
from server.services.audit import audit

log = logging.getLogger(__name__)


class BackupError(ServerError):
    """A backup or restore could not be made; the message says what to fix."""


def current_incarnation(session: Session) -> uuid.UUID | None:
    return session.scalar(select(ServerIncarnation.incarnation).where(ServerIncarnation.id == 1))


def renew_incarnation(session: Session, *, actor: str = "cli") -> uuid.UUID:
    row = session.get(ServerIncarnation, 1)
    if row is None:
        row = ServerIncarnation(id=1)
        session.add(row)
    row.incarnation = uuid.uuid4()
    row.restored_at = utcnow()
    session.flush()
    audit(session, actor=actor, action="database.restored", target="server",
          detail={"incarnation": str(row.incarnation)})
    return row.incarnation


def backup(db_url: str, out: Path) -> Path:
    """A consistent copy of the database at `db_url` in `out` (never half-written)."""
    url = make_url(db_url)
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(url), partial)
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}",
              f"--dbname={_libpq(url)}"], url)
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()} databases")
    partial.replace(out)
    log.info("backed up %s to %s (%d bytes)", url.render_as_string(), out, out.stat().st_size)
    return out


def restore(db_url: str, source: Path) -> uuid.UUID:
    """Replace the database at `db_url` with the backup `source`; returns the new incarnation.

    Stop every server process first: a server writing during the restore would mix old
    and new rows.
    """
    from server.db import create_db_engine, session_scope, upgrade

    url = make_url(db_url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if url.get_backend_name() == "sqlite":
        target = _sqlite_path(url)
        staged = target.with_name(target.name + ".restoring")
        _sqlite_copy(source, staged)
        for suffix in ("-wal", "-shm"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        staged.replace(target)
    elif url.get_backend_name() == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq(url)}", str(source)], url)
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()} databases")
    engine = create_db_engine(db_url)
    try:
        upgrade(engine)  # a backup from an older version gets this version's schema
        with session_scope(engine) as session:
            incarnation = renew_incarnation(session)
    finally:
        engine.dispose()
    log.warning("restored %s from %s; new incarnation %s: kiosks will send again what they "
                "keep", url.render_as_string(), source, incarnation)
    return incarnation


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    with sqlite3.connect(target) as check:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"the copy {target} failed SQLite's integrity check")


def _libpq(url: URL) -> str:
    """The URL for libpq tools, without the password (passed in the environment)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; install postgresql-client")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-500:]}")
