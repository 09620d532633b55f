"""The kiosk's local store: records with their outbox items, the pulled directory, sync state."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, Table, bindparam, delete, func, insert, or_, select, update

from sync import database
from sync.errors import InvalidRecordError, StoreKioskMismatchError, StoreNotFoundError
from sync.new_records import NewRecord, build_rows
from sync.pull_apply import apply_change
from sync.records import Change, RecordKind
from sync.store_models import LocalRecord, OutboxItem, OutboxState, SyncStateRow
from sync.catalogue_views import CatalogueReads
from sync.store_views import PendingItem, StoreReads

log = logging.getLogger(__name__)

_records: Table = LocalRecord.__table__  # type: ignore[assignment]
_outbox: Table = OutboxItem.__table__  # type: ignore[assignment]
_state: Table = SyncStateRow.__table__  # type: ignore[assignment]

# No retry is ever scheduled further ahead than this (the back-off cap is 5 min). A
# next_attempt_at beyond now + this means the clock was set back (a kiosk without a
# real-time clock battery booting in the future, then fixed by NTP): treat it as due.
MAX_RETRY_AHEAD = timedelta(hours=1)

# SQLite allows 32766 bound variables; keep each IN (...) list well below.
_IN_CHUNK = 900


@dataclass(slots=True, frozen=True)
class PullApplied:
    applied: int
    skipped: int
    cursor: int


def utcnow() -> datetime:
    return datetime.now(UTC)


def _chunks(ids: Sequence[uuid.UUID]) -> Iterator[Sequence[uuid.UUID]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start : start + _IN_CHUNK]


class LocalStore(StoreReads, CatalogueReads):
    """The kiosk's SQLite database. Safe to share between threads; every write is atomic.

    The reads for the kiosk UI and the status command come from `StoreReads`.
    """

    def __init__(self, engine: Engine, path: Path, kiosk_id: uuid.UUID | None) -> None:
        self._engine = engine
        self._writer = database.writer(engine)
        self._path = path
        self._kiosk_id = kiosk_id

    # --- opening -----------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, kiosk_id: uuid.UUID, *, synchronous: str = "FULL"
    ) -> LocalStore:
        """Open the store at `path` for `kiosk_id`, creating it or upgrading its schema.

        Raises:
            StoreKioskMismatchError: the file belongs to another kiosk.
        """
        path = Path(path).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = database.create_store_engine(path, synchronous=synchronous)
        try:
            with database.translate_errors(path):
                database.upgrade(engine)
                store = cls(engine, path, kiosk_id)
                store._claim(kiosk_id)
        except BaseException:
            engine.dispose()
            raise
        return store

    @classmethod
    def open_existing(cls, path: str | Path) -> LocalStore:
        """Open a store that must already exist (for read-only tools such as `sync status`)."""
        path = Path(path).expanduser()
        if not path.is_file():
            raise StoreNotFoundError(
                f"no kiosk store at {path}; pass --store with the kiosk's store file, or run "
                "`linli sync run` (or the kiosk) once to create it"
            )
        engine = database.create_store_engine(path)
        try:
            with database.translate_errors(path):
                database.upgrade(engine)
                with engine.connect() as conn:
                    kiosk_id = conn.execute(
                        select(_state.c.kiosk_id).where(_state.c.id == 1)
                    ).scalar_one_or_none()
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, path, kiosk_id)

    def _claim(self, kiosk_id: uuid.UUID) -> None:
        with self._writer.begin() as conn:
            stored = conn.execute(
                select(_state.c.kiosk_id).where(_state.c.id == 1)
            ).scalar_one_or_none()
            if stored is None:
                conn.execute(insert(_state).values(id=1, kiosk_id=kiosk_id, cursor=0))
            elif stored != kiosk_id:
                raise StoreKioskMismatchError(
                    f"the store {self._path} belongs to kiosk {stored}, but the configured "
                    f"token is for kiosk {kiosk_id}. Configure that kiosk's token, or move the "
                    "store file aside (after its pending records are sent) to start afresh."
                )

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return self._path

    @property
    def kiosk_id(self) -> uuid.UUID | None:
        return self._kiosk_id

    @property
    def engine(self) -> Engine:
        """The underlying engine, for diagnostics and tests; use the methods for data."""
        return self._engine

    # --- creating records ----------------------------------------------------------------

    def create_record(
        self,
        kind: RecordKind | str,
        payload: BaseModel | Mapping[str, Any],
        resident_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Store a new record and its outbox item in one transaction; return the record id.

        The payload is validated against its kind's model first, so a bad payload raises
        `InvalidRecordError` before anything is written. `resident_id` defaults to the
        payload's own `resident_id`, if it has one.
        """
        return self.create_records([NewRecord(kind, payload, resident_id)])[0]

    def create_records(self, records: Iterable[NewRecord]) -> list[uuid.UUID]:
        """Store several records and their outbox items in one transaction (all or none)."""
        if self._kiosk_id is None:
            raise InvalidRecordError(
                "this store was opened without a kiosk id; open it with LocalStore.open(path, "
                "kiosk_id) to create records"
            )
        record_rows, outbox_rows = build_rows(self._kiosk_id, records, utcnow())
        if not record_rows:
            return []
        with database.translate_errors(self._path), self._writer.begin() as conn:
            conn.execute(insert(_records), record_rows)
            conn.execute(insert(_outbox), outbox_rows)
        for row in outbox_rows:
            log.debug("created %s record %s", row["kind"], row["record_id"])
        return [row["id"] for row in record_rows]

    # --- the outbox ----------------------------------------------------------------------

    def due_batch(self, limit: int, now: datetime | None = None) -> list[PendingItem]:
        """The next `limit` pending items that are due: alarms first, then oldest first."""
        now = now or utcnow()
        query = (
            select(
                _outbox.c.record_id,
                _outbox.c.kind,
                _outbox.c.envelope,
                _outbox.c.priority,
                _outbox.c.attempts,
            )
            .where(
                _outbox.c.state == OutboxState.PENDING.value,
                or_(
                    _outbox.c.next_attempt_at.is_(None),
                    _outbox.c.next_attempt_at <= now,
                    _outbox.c.next_attempt_at > now + MAX_RETRY_AHEAD,
                ),
            )
            .order_by(_outbox.c.priority, _outbox.c.seq)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            PendingItem(rid, RecordKind(kind), envelope, priority, attempts)
            for rid, kind, envelope, priority, attempts in rows
        ]

    def mark_sent(self, ids: Sequence[uuid.UUID], now: datetime | None = None) -> int:
        """Mark pending items as accepted by the server; returns how many changed."""
        now = now or utcnow()
        values = {
            "state": OutboxState.SENT.value,
            "sent_at": now,
            "attempts": _outbox.c.attempts + 1,
            "next_attempt_at": None,
            "last_error": None,
        }
        return self._update_pending(ids, values)

    def mark_dead(
        self,
        items: Sequence[tuple[uuid.UUID, str, str | None]],
        now: datetime | None = None,
    ) -> int:
        """Give up on items the server will never take: `(record_id, code, message)` each.

        One transaction for all of them (one fsync, not one per item); the reason stays for
        staff to read. Returns how many pending items changed.
        """
        if not items:
            return 0
        now = now or utcnow()
        for record_id, code, message in items:
            log.warning("outbox item %s is dead: %s (%s)", record_id, code, message)
        statement = (
            update(_outbox)
            .where(
                _outbox.c.record_id == bindparam("rid", type_=_outbox.c.record_id.type),
                _outbox.c.state == OutboxState.PENDING.value,
            )
            .values(
                state=OutboxState.DEAD.value,
                dead_at=now,
                dead_code=bindparam("code"),
                dead_reason=bindparam("reason"),
                attempts=_outbox.c.attempts + 1,
                next_attempt_at=None,
            )
        )
        params = [
            {"rid": rid, "code": code, "reason": message or code} for rid, code, message in items
        ]
        with database.translate_errors(self._path), self._writer.begin() as conn:
            return conn.execute(statement, params).rowcount

    def schedule_retry(
        self, ids: Sequence[uuid.UUID], error: str, next_attempt_at: datetime
    ) -> int:
        """Record a failed attempt for these items alone and when to try them again."""
        values = {
            "attempts": _outbox.c.attempts + 1,
            "last_error": error,
            "next_attempt_at": next_attempt_at,
        }
        return self._update_pending(ids, values)

    def note_failed_attempt(self, ids: Sequence[uuid.UUID], error: str) -> int:
        """Record a failed attempt that says nothing about these items (the server was
        unreachable): they stay due, in their place, for whenever the next cycle runs."""
        values = {"attempts": _outbox.c.attempts + 1, "last_error": error}
        return self._update_pending(ids, values)

    def _update_pending(self, ids: Sequence[uuid.UUID], values: dict[str, Any]) -> int:
        # Only pending items move: a late answer can never resurrect a sent or dead item.
        changed = 0
        ids = list(ids)
        if not ids:
            return 0
        with database.translate_errors(self._path), self._writer.begin() as conn:
            for chunk in _chunks(ids):
                result = conn.execute(
                    update(_outbox)
                    .where(
                        _outbox.c.record_id.in_(chunk),
                        _outbox.c.state == OutboxState.PENDING.value,
                    )
                    .values(values)
                )
                changed += result.rowcount
        return changed

    def prune_sent(self, before: datetime) -> int:
        """Drop outbox items sent before `before`; returns how many.

        Vitals samples go with them (they are bulk data the server now holds); every other
        record stays as the kiosk's history, only its frozen envelope copy is dropped.
        """
        is_old_sent = (_outbox.c.state == OutboxState.SENT.value) & (_outbox.c.sent_at < before)
        with database.translate_errors(self._path), self._writer.begin() as conn:
            count = conn.execute(select(func.count()).where(is_old_sent)).scalar_one()
            if count:
                # Deleting a record cascades to its outbox item (ON DELETE CASCADE).
                conn.execute(
                    delete(_records).where(
                        _records.c.kind == RecordKind.VITALS_SAMPLE.value,
                        _records.c.id.in_(select(_outbox.c.record_id).where(is_old_sent)),
                    )
                )
                conn.execute(delete(_outbox).where(is_old_sent))
        return count

    # --- pulling -------------------------------------------------------------------------

    def cursor(self) -> int:
        with self._engine.connect() as conn:
            value = conn.execute(select(_state.c.cursor).where(_state.c.id == 1)).scalar()
        return value or 0

    def apply_pull(
        self, changes: Iterable[Change | Mapping[str, Any]], next_cursor: int
    ) -> PullApplied:
        """Apply one page of changes and move the cursor, all in one transaction.

        A change of an unknown kind or with an invalid payload is logged and skipped: one bad
        line from a newer server must not stop the kiosk from learning everything else.
        """
        now = utcnow()
        applied = skipped = 0
        with database.translate_errors(self._path), self._writer.begin() as conn:
            for raw in changes:
                if apply_change(conn, raw, now):
                    applied += 1
                else:
                    skipped += 1
            conn.execute(update(_state).where(_state.c.id == 1).values(cursor=next_cursor))
        if skipped:
            log.warning("pull page up to cursor %d: %d change(s) skipped", next_cursor, skipped)
        return PullApplied(applied, skipped, next_cursor)

    def server_incarnation(self) -> uuid.UUID | None:
        with self._engine.connect() as conn:
            return conn.execute(
                select(_state.c.server_incarnation).where(_state.c.id == 1)).scalar()

    def note_server_incarnation(self, incarnation: uuid.UUID) -> None:
        self._set_state(server_incarnation=incarnation)

    def resend_after_server_restore(self, incarnation: uuid.UUID) -> int:
        """The server was restored from a backup: queue every sent item still kept to go
        again and read the feed from its start, in one transaction; returns the items queued.

        The server answers a record it already has as stored (same id, same payload), so
        sending everything kept is safe; what it lost since its backup is stored again.
        """
        with database.translate_errors(self._path), self._writer.begin() as conn:
            count = conn.execute(
                update(_outbox)
                .where(_outbox.c.state == OutboxState.SENT.value)
                .values(state=OutboxState.PENDING.value, sent_at=None, next_attempt_at=None)
            ).rowcount
            conn.execute(update(_state).where(_state.c.id == 1)
                         .values(cursor=0, server_incarnation=incarnation))
        return count

    # --- sync bookkeeping ----------------------------------------------------------------

    def record_success(self, now: datetime | None = None) -> None:
        """A sync cycle reached the server and finished; clears errors and not-authorised."""
        now = now or utcnow()
        self._set_state(
            last_success_at=now,
            last_attempt_at=now,
            last_error=None,
            not_authorised=False,
            not_authorised_code=None,
        )

    def record_failure(self, error: str, now: datetime | None = None) -> None:
        self._set_state(last_attempt_at=now or utcnow(), last_error=error)

    def set_not_authorised(self, code: str, message: str | None = None) -> None:
        self._set_state(
            not_authorised=True,
            not_authorised_code=code,
            last_attempt_at=utcnow(),
            last_error=message or f"kiosk not authorised ({code})",
        )

    def clear_not_authorised(self) -> None:
        """Call after configuring a new token, so the status stops saying "not authorised"."""
        self._set_state(not_authorised=False, not_authorised_code=None)

    def _set_state(self, **values: Any) -> None:
        with database.translate_errors(self._path), self._writer.begin() as conn:
            conn.execute(update(_state).where(_state.c.id == 1).values(**values))
