"""When each kiosk last synced, for the console's "reachable" mark.

Requests only note the time in memory; a background thread writes the latest times every
`interval` seconds in one short transaction. A kiosk's pull therefore never waits for a
write lock, and with several processes each writes what it saw (the later time wins).
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime

from sqlalchemy import Engine, or_, update
from sqlalchemy.exc import SQLAlchemyError

from server.db import session_factory
from server.models import Kiosk, utcnow

log = logging.getLogger(__name__)


class KioskSeenRecorder:
    def __init__(self, engine: Engine, interval: float = 30.0) -> None:
        self._sessions = session_factory(engine)
        self._interval = interval
        self._lock = threading.Lock()
        self._pending: dict[uuid.UUID, datetime] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def note(self, kiosk_id: uuid.UUID) -> None:
        with self._lock:
            self._pending[kiosk_id] = utcnow()

    def flush(self) -> int:
        """Write the noted times now; returns how many kiosks were written."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return 0
        try:
            with self._sessions() as session:
                for kiosk_id, seen in sorted(pending.items()):
                    session.execute(
                        update(Kiosk)
                        .where(Kiosk.id == kiosk_id,
                               or_(Kiosk.last_seen_at.is_(None), Kiosk.last_seen_at < seen))
                        .values(last_seen_at=seen))
                session.commit()
        except SQLAlchemyError:
            log.warning("could not record when %d kiosk(s) last synced; will retry", len(pending),
                        exc_info=True)
            with self._lock:
                for kiosk_id, seen in pending.items():
                    self._pending.setdefault(kiosk_id, seen)
            return 0
        return len(pending)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="linli-kiosk-seen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.flush()
