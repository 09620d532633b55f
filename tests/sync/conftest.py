"""Fixtures for the kiosk sync tests: real SQLite store files and a scripted HTTP stand-in."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted_server import ScriptedServer
from sync_factories import FAST_POLICY

from sync.client import SyncClient
from sync.engine import Syncer
from sync.store import LocalStore


@pytest.fixture
def kiosk_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def token(kiosk_id: uuid.UUID) -> str:
    return f"lk1.{kiosk_id.hex}.s3cret-{uuid.uuid4().hex}"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "kiosk.sqlite3"


@pytest.fixture
def store(store_path: Path, kiosk_id: uuid.UUID) -> Iterator[LocalStore]:
    with LocalStore.open(store_path, kiosk_id) as opened:
        yield opened


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    yield scripted
    scripted.close()


@pytest.fixture
def client(server: ScriptedServer, token: str) -> Iterator[SyncClient]:
    made = SyncClient(server.url, token, connect_timeout=1.0, read_timeout=2.0)
    yield made
    made.close()


@pytest.fixture
def syncer(store: LocalStore, client: SyncClient) -> Syncer:
    return Syncer(store, client, batch_size=500, policy=FAST_POLICY)


@pytest.fixture
def closed_port() -> int:
    """A local port with nothing listening (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
