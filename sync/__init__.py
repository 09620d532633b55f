"""Records, the kiosk's local store, its outbox and the sync client."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Exports load on first use: the server imports sync.records and sync.wire_errors and
# should not pay for SQLAlchemy engines, Alembic and requests it never uses.
_EXPORTS = {
    "RetryPolicy": "sync.backoff",
    "Health": "sync.client",
    "SyncClient": "sync.client",
    "SyncOutcome": "sync.engine",
    "SyncReport": "sync.engine",
    "Syncer": "sync.engine",
    "BatchTooLarge": "sync.errors",
    "ConfigurationError": "sync.errors",
    "InvalidRecordError": "sync.errors",
    "InvalidTokenError": "sync.errors",
    "NotAuthorised": "sync.errors",
    "RateLimited": "sync.errors",
    "RequestRejected": "sync.errors",
    "ServerError": "sync.errors",
    "ServerUnavailable": "sync.errors",
    "StoreError": "sync.errors",
    "StoreFullError": "sync.errors",
    "StoreKioskMismatchError": "sync.errors",
    "StoreNotFoundError": "sync.errors",
    "SyncError": "sync.errors",
    "UnexpectedResponse": "sync.errors",
    "kiosk_id_from_token": "sync.kiosk_token",
    "SyncLoop": "sync.loop",
    "SyncState": "sync.loop",
    "SyncStatus": "sync.loop",
    "NewRecord": "sync.new_records",
    "LocalStore": "sync.store",
    "OutboxState": "sync.store_models",
}

__all__ = [
    "BatchTooLarge",
    "ConfigurationError",
    "Health",
    "InvalidRecordError",
    "InvalidTokenError",
    "LocalStore",
    "NewRecord",
    "NotAuthorised",
    "OutboxState",
    "RateLimited",
    "RequestRejected",
    "RetryPolicy",
    "ServerError",
    "ServerUnavailable",
    "StoreError",
    "StoreFullError",
    "StoreKioskMismatchError",
    "StoreNotFoundError",
    "SyncClient",
    "SyncError",
    "SyncLoop",
    "SyncOutcome",
    "SyncReport",
    "SyncState",
    "SyncStatus",
    "Syncer",
    "UnexpectedResponse",
    "kiosk_id_from_token",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sync' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if TYPE_CHECKING:
    from sync.backoff import RetryPolicy
    from sync.client import Health, SyncClient
    from sync.engine import Syncer, SyncOutcome, SyncReport
    from sync.errors import (
        BatchTooLarge,
        ConfigurationError,
        InvalidRecordError,
        InvalidTokenError,
        NotAuthorised,
        RateLimited,
        RequestRejected,
        ServerError,
        ServerUnavailable,
        StoreError,
        StoreFullError,
        StoreKioskMismatchError,
        StoreNotFoundError,
        SyncError,
        UnexpectedResponse,
    )
    from sync.kiosk_token import kiosk_id_from_token
    from sync.loop import SyncLoop, SyncState, SyncStatus
    from sync.new_records import NewRecord
    from sync.store import LocalStore
    from sync.store_models import OutboxState
