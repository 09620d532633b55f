"""Live alert fan-out: who must hear now that an alarm or call-back request arrived or changed.

An event names only what changed (kind, kiosk id, record id), never health data; a console
loads the row itself and shows it only if its viewer may see it.

- PostgreSQL: `pg_notify` inside the writing transaction, so the event is sent if and only
  if the change commits, and every server process LISTENing on the database gets it
  (`PgListener`), including the one that wrote it.
- SQLite (one process): the events wait in the session until it commits and then go to
  this process's hub directly.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "linli_live"
_PENDING = "linli_live_pending"
# Sent by a listener that reconnected: events may have been missed, consoles reload their list.
RESYNC = "resync"


@dataclass(frozen=True, slots=True)
class LiveEvent:
    kind: str  # "help_call", "callback", or RESYNC
    kiosk_id: str
    record_id: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str) -> LiveEvent | None:
        try:
            fields = json.loads(data)
            return cls(str(fields["kind"]), str(fields["kiosk_id"]), str(fields["record_id"]))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed live event %r", data[:200])
            return None


def announce(session: Session, events: Iterable[LiveEvent]) -> None:
    """Send `events` to every console once the session's transaction commits."""
    events = list(events)
    if not events:
        return
    if session.get_bind().dialect.name == "postgresql":
        for item in events:
            session.execute(text("SELECT pg_notify(:channel, :payload)"),
                            {"channel": CHANNEL, "payload": item.to_json()})
    else:
        session.info.setdefault(_PENDING, []).extend(events)


@event.listens_for(Session, "after_commit")
def _publish_committed(session: Session) -> None:
    for item in session.info.pop(_PENDING, ()):
        HUB.publish(item)


@event.listens_for(Session, "after_rollback")
def _drop_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


class Subscription:
    """One console's queue of events, read on its event loop."""

    def __init__(self, hub: LiveHub, loop: asyncio.AbstractEventLoop) -> None:
        self._hub = hub
        self.loop = loop
        self.queue: asyncio.Queue[LiveEvent] = asyncio.Queue(maxsize=1000)

    def deliver(self, item: LiveEvent) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            log.warning("a console fell 1000 events behind; it will refresh on reconnect")

    async def get(self, timeout: float) -> LiveEvent | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        self._hub.unsubscribe(self)


class LiveHub:
    """This process's subscribers; `publish` may be called from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[Subscription] = set()

    def subscribe(self) -> Subscription:
        subscription = Subscription(self, asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, item: LiveEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            try:
                subscription.loop.call_soon_threadsafe(subscription.deliver, item)
            except RuntimeError:  # its loop has closed: the console is gone
                self.unsubscribe(subscription)


HUB = LiveHub()


class PgListener:
    """A thread that LISTENs on the database and hands every event to this process's hub."""

    def __init__(self, engine: Engine, hub: LiveHub = HUB) -> None:
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._hub = hub
        self._stop = threading.Event()
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="linli-live-listener", daemon=True)

    def start(self, ready_timeout: float = 10.0) -> None:
        self._thread.start()
        if not self.ready.wait(ready_timeout):
            log.error("the live listener did not connect within %.0f s; retrying in the background",
                      ready_timeout)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    if self.ready.is_set():
                        log.info("live listener reconnected; consoles reload their lists")
                        self._hub.publish(LiveEvent(RESYNC, "", ""))
                    self.ready.set()
                    while not self._stop.is_set():
                        for notification in connection.notifies(timeout=0.5):
                            item = LiveEvent.from_json(notification.payload)
                            if item is not None:
                                self._hub.publish(item)
            except Exception:  # the database went away: reconnect, consoles refresh on reconnect
                log.exception("live listener lost its connection; reconnecting")
                self._stop.wait(1.0)
