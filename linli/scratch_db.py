"""Throw-away server databases (a SQLite file or a fresh PostgreSQL database) for benchmarks."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

DEFAULT_PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def pg_admin_url() -> str:
    """Where to create scratch PostgreSQL databases (env LINLI_TEST_PG_URL overrides)."""
    return os.environ.get("LINLI_TEST_PG_URL", DEFAULT_PG_ADMIN_URL)


@contextmanager
def scratch_database(backend: str, workdir: Path) -> Iterator[str]:
    """Yield the URL of an empty database of `backend` ("sqlite" or "postgresql"); drop it after."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / f'scratch-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    if backend != "postgresql":
        raise ValueError(f"unknown database backend {backend!r}: use sqlite or postgresql")
    name = f"linli_scratch_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(pg_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
