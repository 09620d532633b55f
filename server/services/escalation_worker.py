"""The background threads of each `linli server` process: fire due steps, send due webhooks.

Two threads, so a slow gateway never delays the next step. Each first asks a read-only
session whether anything is due; only then does it open a writing transaction (on SQLite
an idle server thus never takes the write lock). Errors are logged and retried at the next
tick: all the work is rows, so nothing is lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from server.db import session_factory
from server.models import utcnow
from server.services import escalation, webhooks
from server.settings import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def policy_from(settings: Settings) -> webhooks.RetryPolicy:
    return webhooks.RetryPolicy(settings.webhook_timeout_seconds, settings.webhook_max_attempts,
                                settings.webhook_retry_base_seconds, settings.webhook_retry_cap_seconds)


class EscalationWorker:
    def __init__(self, engine: Engine, settings: Settings, clock: Clock = utcnow) -> None:
        self._sessions = session_factory(engine)
        self._read_sessions = session_factory(engine, read_only=True)
        self._settings = settings
        self._policy = policy_from(settings)
        self._clock = clock
        self._lock = threading.Lock()
        self._starts = 0  # one app may be started by several test clients at once
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        with self._lock:
            self._starts += 1
            if self._starts > 1:
                return
            self._stop = threading.Event()
            self._threads = [
                threading.Thread(target=self._loop, args=(self._stop, self.fire_due_steps),
                                 name="linli-escalation", daemon=True),
                threading.Thread(target=self._loop, args=(self._stop, self.send_due_webhooks),
                                 name="linli-webhooks", daemon=True),
            ]
            for thread in self._threads:
                thread.start()

    def stop(self) -> None:
        """Stops the threads when every start has been matched by a stop."""
        with self._lock:
            self._starts = max(0, self._starts - 1)
            if self._starts:
                return
            self._stop.set()
            threads = self._threads
        for thread in threads:
            thread.join(timeout=self._policy.timeout_seconds + 5)

    def fire_due_steps(self) -> int:
        now = self._clock()
        with self._read_sessions() as session:
            if not escalation.any_due(session, now):
                return 0
        with self._sessions() as session:
            fired = escalation.run_due_steps(session, now, public_url=self._settings.public_url)
            session.commit()
        return len(fired)

    def send_due_webhooks(self) -> int:
        now = self._clock()
        with self._read_sessions() as session:
            if not webhooks.any_due(session, now):
                return 0
        return len(webhooks.deliver_due(self._sessions, now, self._policy))

    def _loop(self, stop: threading.Event, work: Callable[[], int]) -> None:
        while not stop.wait(self._settings.escalation_tick_seconds):
            try:
                work()
            except Exception:  # the database went away, a lock timed out: try again next tick
                log.exception("escalation worker: %s failed; retrying next tick", work.__name__)
