"""Storing one record for the resident on the background loop: the save every kiosk request
shares (grocery orders, services, call-backs, bookings, redemptions, ratings).

The store write (an fsync on slow flash) never runs on the UI thread; the outcome comes back
through Kivy's clock as (record id, failure), failure being "no_resident" (several or no
residents and nobody chosen) or "not_saved" (the store refused: a full disk, say).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.clock import Clock

from sync.records import RecordKind

log = logging.getLogger(__name__)

SaveDone = Callable[[uuid.UUID | None, str | None, float], None]


class RecordSaving:
    """Mixed into the Controller. Needs its store, sync_loop and resident_id."""

    async def _save_record(self, kind: RecordKind, payload: Callable[[uuid.UUID], Any],
                           done: SaveDone, what: str | None = None) -> None:
        """Store `payload(resident id)`; `done(record_id, failure)` on the UI thread.

        `what` names the record in the log ("grocery order"); the kind by default.
        """
        what = what or kind.value
        record_id: uuid.UUID | None = None
        failure: str | None = None
        try:
            resident = self.resident_id()  # type: ignore[attr-defined]
            if resident is None:
                failure = "no_resident"
            else:
                record_id = self.store.create_record(kind, payload(resident))  # type: ignore[attr-defined]
        except Exception:
            log.exception("%s not stored", what)
            failure = "not_saved"
        if record_id is not None:
            log.info("%s %s stored", what, record_id)
            if self.sync_loop is not None:  # type: ignore[attr-defined]
                self.sync_loop.wake()  # type: ignore[attr-defined]
        elif failure == "no_resident":
            log.warning("%s not stored: no single resident registered here", what)
        Clock.schedule_once(partial(done, record_id, failure))
