"""The background sync loop: a daemon thread running sync cycles, woken at once for alarms."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sync.client import SyncClient
from sync.engine import Syncer, SyncOutcome, SyncReport

log = logging.getLogger(__name__)


class SyncState(StrEnum):
    """What the kiosk screen says about syncing, in plain words."""

    SYNCED = "synced"
    PENDING = "pending"  # records waiting; the count is in SyncStatus.pending
    SERVER_UNREACHABLE = "server_unreachable"  # retrying by itself
    NOT_AUTHORISED = "not_authorised"  # stopped until a new token is configured
    ERROR = "error"  # something local (e.g. a full disk) needs a person


@dataclass(slots=True, frozen=True)
class SyncStatus:
    state: SyncState
    pending: int
    message: str | None = None
    retry_in: float | None = None

    def describe(self) -> str:
        if self.state is SyncState.PENDING:
            return f"pending {self.pending}"
        if self.state is SyncState.SERVER_UNREACHABLE:
            return f"server unreachable (retrying), pending {self.pending}"
        if self.state is SyncState.NOT_AUTHORISED:
            return "kiosk not authorised"
        if self.state is SyncState.ERROR:
            return f"sync error: {self.message}"
        return "synced"


Listener = Callable[[SyncStatus], None]


class SyncLoop:
    """Runs `syncer.sync_once()` every `interval` seconds in a daemon thread.

    Listeners are called from the loop's thread; a GUI must hop to its own thread (for Kivy,
    `Clock.schedule_once`). After "not authorised" the loop stops syncing until
    `reconfigure()` gives it a new client.
    """

    def __init__(self, syncer: Syncer, interval: float = 5.0) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self._syncer = syncer
        self._interval = interval
        # The syncer's in-cycle waits share the stop event, so stop() cuts them short too.
        self._stop = syncer.stop_event
        self._wake = threading.Event()
        self._paused = False
        self._thread: threading.Thread | None = None
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._last: SyncStatus | None = None

    # --- control -------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("SyncLoop already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="linli-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> bool:
        """Ask the loop to end and wait up to `timeout`; True if it ended.

        Waits between and inside cycles end at once; a request already on the wire ends
        when it answers or times out (the client's read timeout).
        """
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def wake(self) -> None:
        """Run a cycle now (call it right after storing an alarm)."""
        self._wake.set()

    def reconfigure(self, client: SyncClient) -> None:
        """Use a new client (a new token or server URL) and resume if paused."""
        self._syncer.client = client
        self._syncer.store.clear_not_authorised()
        self._paused = False
        log.info("sync re-configured for %s; resuming", client.base_url)
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def status(self) -> SyncStatus | None:
        return self._last

    def on_state(self, callback: Listener) -> Callable[[], None]:
        """Call `callback(status)` whenever the sync state changes; returns a cancel function."""
        with self._lock:
            self._listeners.append(callback)

        def cancel() -> None:
            with self._lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return cancel

    # --- the thread ----------------------------------------------------------------------

    def _run(self) -> None:
        log.info("sync loop started (every %.1f s)", self._interval)
        while not self._stop.is_set():
            if self._paused:
                # Not authorised: retrying with the same token only fills the server's logs.
                self._wait(None)
                continue
            delay = self._cycle()
            self._wait(delay)
        log.info("sync loop stopped")

    def _cycle(self) -> float:
        try:
            report = self._syncer.sync_once()
        except Exception as exc:  # the loop must outlive any one failure, and say so
            log.exception("sync cycle failed")
            self._publish(SyncStatus(SyncState.ERROR, self._pending(), str(exc)))
            return max(self._interval, self._syncer.policy.cap / 10)
        self._publish(self._status_of(report))
        if report.outcome is SyncOutcome.NOT_AUTHORISED:
            self._paused = True
            return self._interval
        if report.retry_in is not None:
            return report.retry_in
        return self._interval

    def _status_of(self, report: SyncReport) -> SyncStatus:
        pending = self._pending()
        if report.outcome is SyncOutcome.NOT_AUTHORISED:
            return SyncStatus(SyncState.NOT_AUTHORISED, pending, report.message)
        if report.outcome in (SyncOutcome.SERVER_UNREACHABLE, SyncOutcome.RATE_LIMITED):
            return SyncStatus(
                SyncState.SERVER_UNREACHABLE, pending, report.message, report.retry_in
            )
        if report.outcome is SyncOutcome.ERROR:
            return SyncStatus(SyncState.ERROR, pending, report.message, report.retry_in)
        if pending:
            return SyncStatus(SyncState.PENDING, pending, report.message)
        return SyncStatus(SyncState.SYNCED, 0)

    def _pending(self) -> int:
        try:
            return self._syncer.store.outbox_status().pending
        except Exception:  # the count is informative only
            log.exception("could not count pending records")
            return -1

    def _wait(self, timeout: float | None) -> None:
        self._wake.wait(timeout)
        self._wake.clear()

    def _publish(self, status: SyncStatus) -> None:
        last = self._last
        # Listeners hear about changes of state or count, not every retry's new delay.
        if last is not None and (status.state, status.pending) == (last.state, last.pending):
            self._last = status
            return
        if self._last is None or status.state != self._last.state:
            log.info("sync state: %s", status.describe())
        self._last = status
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(status)
            except Exception:
                log.exception("sync state listener %r failed", listener)
