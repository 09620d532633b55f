"""The sync engine: one cycle pushes every due outbox item (alarms first) and pulls every change."""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TypeVar

from sync.backoff import RetryPolicy
from sync.client import SyncClient
from sync.errors import (
    BatchTooLarge,
    NotAuthorised,
    RateLimited,
    RequestRejected,
    ServerError,
    ServerUnavailable,
    SyncError,
    UnexpectedResponse,
)
from sync.records import ItemResult
from sync.store import LocalStore, utcnow
from sync.store_views import PendingItem
from sync.wire_errors import PERMANENT_ITEM_CODES

log = logging.getLogger(__name__)

T = TypeVar("T")

# Sent outbox items (and sent vitals samples) older than this are pruned, at most hourly.
DEFAULT_RETENTION = timedelta(days=30)
PRUNE_EVERY_S = 3600.0


class SyncOutcome(StrEnum):
    """How a cycle ended."""

    SYNCED = "synced"  # reached the server; every due item was answered; the feed is read
    SERVER_UNREACHABLE = "server_unreachable"  # backing off; items keep their place, due
    RATE_LIMITED = "rate_limited"  # the server asked for a pause longer than we wait inline
    NOT_AUTHORISED = "not_authorised"  # token refused: stop until re-configured
    ERROR = "error"  # the server refused a pull as invalid; needs a person
    CANCELLED = "cancelled"  # stop() arrived mid-cycle; nothing was lost


@dataclass(slots=True)
class SyncReport:
    outcome: SyncOutcome = SyncOutcome.SYNCED
    sent: int = 0
    dead: int = 0
    retry_scheduled: int = 0
    pulled: int = 0
    skipped_changes: int = 0
    requests: int = 0
    retry_in: float | None = None  # seconds until trying again is worthwhile, if not "now"
    message: str | None = None
    duration: float = 0.0


class _Cancelled(Exception):
    """stop() was requested while the cycle waited."""


class _EndCycle(Exception):
    """The cycle ends early; the report already says why."""


class _ServerRestored(Exception):
    """The server's database was restored from a backup: push again, then pull from 0."""


class Syncer:
    """Runs sync cycles for one store against one server. Not thread-safe: one caller.

    Args:
        store: the kiosk's local store.
        client: the HTTP client with this kiosk's token.
        batch_size: records per push; halved for good if the server says 413.
        policy: back-off timings.
        pull_limit: changes asked for per pull page.
        stop_event: when set, waits inside a cycle end at once (SyncLoop passes its own).
        rng: randomness for the jitter (tests pass a seeded one).
        retention: how long sent items are kept before `LocalStore.prune_sent` drops them.
    """

    def __init__(
        self,
        store: LocalStore,
        client: SyncClient,
        batch_size: int = 500,
        *,
        policy: RetryPolicy | None = None,
        pull_limit: int = 500,
        stop_event: threading.Event | None = None,
        rng: random.Random | None = None,
        retention: timedelta = DEFAULT_RETENTION,
    ) -> None:
        if batch_size < 1 or not 1 <= pull_limit <= 1000:
            raise ValueError("batch_size must be >= 1 and pull_limit within 1..1000")
        self.store = store
        self.client = client
        self.batch_size = batch_size
        self.policy = policy or RetryPolicy()
        self.pull_limit = pull_limit
        self._stop = stop_event or threading.Event()
        self._rng = rng or random.Random()
        self._failures = 0  # consecutive cycles that could not reach the server
        # Whether the server has answered 200 since the last record was parked on its own:
        # a 5xx for one record is only its own problem if the server works for others.
        self._answered = False
        self.retention = retention
        self._last_prune: float | None = None

    @property
    def stop_event(self) -> threading.Event:
        return self._stop

    # --- one cycle ---------------------------------------------------------------------

    def sync_once(self) -> SyncReport:
        """Push every due item, then pull until the feed is exhausted; never raises for
        server trouble (the report says what happened), only for local store failures."""
        report = SyncReport()
        started = time.monotonic()
        self._answered = False
        try:
            self._push_all(report)
            try:
                self._pull_all(report)
            except _ServerRestored:
                self._push_all(report)
                self._pull_all(report)
        except _EndCycle:
            pass
        except _Cancelled:
            report.outcome = SyncOutcome.CANCELLED
            report.message = "stopped mid-cycle; unsent items stay queued"
        except NotAuthorised as exc:
            log.error("%s", exc)
            self.store.set_not_authorised(exc.code, str(exc))
            report.outcome, report.message = SyncOutcome.NOT_AUTHORISED, str(exc)
        except RequestRejected as exc:
            log.error("the server refused to serve this kiosk's feed: %s", exc)
            self.store.record_failure(str(exc))
            report.outcome, report.message = SyncOutcome.ERROR, str(exc)
            report.retry_in = self.policy.cap
        except (ServerUnavailable, RateLimited) as exc:  # from the pull (pushes end in _EndCycle)
            self._end_unreachable(report, exc, ())
        else:
            self._failures = 0
            self.store.record_success()
            self._maybe_prune()
        report.duration = time.monotonic() - started
        log.debug("sync cycle: %s", report)
        return report

    # --- pushing -----------------------------------------------------------------------

    def _push_all(self, report: SyncReport) -> None:
        # "Due" is judged at the cycle's start: an item rescheduled during this cycle (even
        # with a jitter of ~0 s) waits for the next one, while records created meanwhile
        # (next_attempt_at NULL) still go now.
        cycle_start = utcnow()
        seen: set[uuid.UUID] = set()
        while True:
            self._check_stop()
            due = self.store.due_batch(self.batch_size, cycle_start)
            batch = [item for item in due if item.record_id not in seen]
            if not batch:
                if due:  # cannot happen while every answered item leaves "due"; say so if it does
                    log.warning("%d outbox item(s) still due after being pushed; next cycle",
                                len(due))
                return
            seen.update(item.record_id for item in batch)
            try:
                self._push(batch, report)
            except (ServerUnavailable, RateLimited) as exc:
                self._end_unreachable(report, exc, batch)
                raise _EndCycle from exc

    def _push(
        self, items: Sequence[PendingItem], report: SyncReport, *, tries: int | None = None
    ) -> None:
        try:
            results = self._with_quick_tries(
                report, lambda: self.client.push([item.envelope for item in items]), tries
            )
        except BatchTooLarge as exc:
            if len(items) == 1:
                self._give_up(items, exc.code, str(exc), report)
                return
            half = len(items) // 2
            if half < self.batch_size:
                log.info("server says %s for %d records; pushing at most %d per batch from now",
                         exc.code, len(items), half)
                self.batch_size = half
            # Re-read batch_size each round: a smaller limit learned inside applies here too.
            done = 0
            while done < len(items):
                chunk = items[done : done + self.batch_size]
                self._push(chunk, report)
                done += len(chunk)
            return
        except RequestRejected as exc:
            if len(items) == 1:
                self._give_up(items, exc.code, exc.detail, report)
                return
            half = len(items) // 2
            log.info("server refused a batch of %d as %s; splitting it to find the bad record",
                     len(items), exc.code)
            self._push(items[:half], report)
            self._push(items[half:], report)
            return
        except ServerError as exc:
            # The server answered but failed: perhaps one record it cannot store. Split like a
            # 400, so the rest (alarms first: halves keep the order) is not held behind it.
            # The halves get one try each: their parent has just had its quick tries.
            if len(items) == 1:
                self._park(items[0], exc, report)
                return
            half = len(items) // 2
            log.info("%s for a batch of %d; splitting it so the records the server can store "
                     "go now", exc, len(items))
            self._push(items[:half], report, tries=1)
            self._push(items[half:], report, tries=1)
            return
        self._answered = True
        self._apply_results(items, results, report)

    def _park(self, item: PendingItem, exc: ServerError, report: SyncReport) -> None:
        """One record still gets a 5xx alone: retry it after its own back-off, in its place.

        The 5xx may also be the whole server failing. Unless a push was accepted since the last
        record parked alone, one pull asks whether the server works at all; if it fails too,
        `exc` is raised and the cycle ends as an outage with nothing parked, instead of
        bisecting every batch down to single records while the server is down.
        """
        if not self._answered and not self._server_answers(report):
            raise exc
        self._answered = False  # the next lone failure needs fresh evidence
        delay = self.policy.delay(item.attempts + 1, self._rng)
        log.info("record %s (%s) alone still gets %s; it keeps its place and is retried in "
                 "%.0f s, the rest go on", item.record_id, item.kind, exc, delay)
        report.retry_scheduled += self.store.schedule_retry(
            [item.record_id], str(exc), utcnow() + timedelta(seconds=delay)
        )

    def _server_answers(self, report: SyncReport) -> bool:
        """One read of the feed, applied nowhere: does the server (and its database) work?"""
        report.requests += 1
        try:
            self.client.pull(self.store.cursor(), 1)
        except ServerUnavailable as exc:
            log.info("the server fails a pull too (%s): an outage, not one bad record", exc)
            return False
        return True

    def _apply_results(
        self, items: Sequence[PendingItem], results: list[ItemResult], report: SyncReport
    ) -> None:
        sent: list[uuid.UUID] = []
        dead: list[tuple[uuid.UUID, str, str | None]] = []
        odd: list[tuple[PendingItem, ItemResult]] = []
        for item, result in zip(items, results, strict=True):
            if result.id is not None and result.id != item.record_id:
                raise UnexpectedResponse(
                    f"push answer {result.index} is for record {result.id}, expected "
                    f"{item.record_id}; the records stay queued"
                )
            if result.status == 200:
                sent.append(item.record_id)
            elif result.code in PERMANENT_ITEM_CODES:
                dead.append((item.record_id, result.code, result.message))
            else:
                odd.append((item, result))
        report.sent += self.store.mark_sent(sent)
        if dead:
            report.dead += self.store.mark_dead(dead)
        if odd:
            # An answer the protocol does not define: not a verdict, so try again later.
            item, result = odd[0]
            delay = self.policy.delay(max(item.attempts + 1, 1), self._rng)
            error = f"server answered {result.status} {result.code} for the record"
            log.info("%d record(s) got %s; retrying them in %.0f s", len(odd), error, delay)
            report.retry_scheduled += self.store.schedule_retry(
                [i.record_id for i, _ in odd], error, utcnow() + timedelta(seconds=delay)
            )

    def _give_up(
        self, items: Sequence[PendingItem], code: str, message: str | None, report: SyncReport
    ) -> None:
        report.dead += self.store.mark_dead(
            [(item.record_id, code, message) for item in items]
        )

    # --- pulling -----------------------------------------------------------------------

    def _pull_all(self, report: SyncReport) -> None:
        cursor = self.store.cursor()
        while True:
            self._check_stop()
            page = self._with_quick_tries(
                report, functools.partial(self.client.pull, cursor, self.pull_limit)
            )
            if page.server_incarnation is not None and self._server_restored(page.server_incarnation):
                raise _ServerRestored
            applied = self.store.apply_pull(page.changes, page.next_cursor)
            report.pulled += applied.applied
            report.skipped_changes += applied.skipped
            if not page.has_more:
                return
            if page.next_cursor <= cursor:
                raise UnexpectedResponse(
                    f"pull feed says has_more but did not move past cursor {cursor}"
                )
            cursor = page.next_cursor

    def _server_restored(self, incarnation: uuid.UUID) -> bool:
        """True (and the store set to send again) if the server's database is a restored one."""
        known = self.store.server_incarnation()
        if known == incarnation:
            return False
        if known is None:  # first contact, or the first pull since this kiosk was updated
            self.store.note_server_incarnation(incarnation)
            return False
        queued = self.store.resend_after_server_restore(incarnation)
        log.warning("the server's database was restored from a backup (incarnation %s, was %s): "
                    "sending the %d record(s) still kept again and reading its feed from the "
                    "start", incarnation, known, queued)
        return True

    # --- retries -----------------------------------------------------------------------

    def _with_quick_tries(
        self, report: SyncReport, call: Callable[[], T], tries: int | None = None
    ) -> T:
        tries = tries or self.policy.quick_tries
        for attempt in range(1, tries + 1):
            try:
                report.requests += 1
                return call()
            except RateLimited as exc:
                last = attempt == tries
                if last or exc.retry_after > self.policy.max_inline_wait:
                    raise
                log.info("server rate-limits this kiosk; waiting %.1f s as asked", exc.retry_after)
                self._sleep(exc.retry_after)
            except ServerUnavailable as exc:
                if attempt == tries:
                    raise
                delay = self.policy.delay(attempt, self._rng)
                log.info("server unavailable (%s); try %d of %d in %.1f s",
                         exc, attempt + 1, tries, delay)
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _end_unreachable(
        self, report: SyncReport, exc: SyncError, batch: Sequence[PendingItem]
    ) -> None:
        if isinstance(exc, RateLimited):
            delay = exc.retry_after
            report.outcome = SyncOutcome.RATE_LIMITED
            why = f"rate limited by the server for {delay:.0f} s"
        else:
            self._failures += 1
            delay = self.policy.delay(self._failures + self.policy.quick_tries, self._rng)
            report.outcome = SyncOutcome.SERVER_UNREACHABLE
            why = f"server unreachable ({exc})"
        # The whole server is out, not these records: they stay due and in their order, and
        # the loop's retry_in spaces the cycles. Parking them one by one would let a wake()
        # for a new alarm send it while an older alarm waited out its own back-off.
        if batch:
            report.retry_scheduled += self.store.note_failed_attempt(
                [item.record_id for item in batch], str(exc)
            )
        self.store.record_failure(why)
        report.retry_in = delay
        report.message = f"{why}; retrying in {delay:.0f} s"
        log.info("%s; %d record(s) keep their place, next try in %.1f s (failure %d in a row)",
                 why, len(batch), delay, self._failures)

    def _maybe_prune(self) -> None:
        # Sent envelopes are only kept for a while: a kiosk runs for years on a small disk,
        # and a full disk would stop it storing the next alarm.
        now = time.monotonic()
        if self._last_prune is not None and now - self._last_prune < PRUNE_EVERY_S:
            return
        self._last_prune = now
        pruned = self.store.prune_sent(utcnow() - self.retention)
        if pruned:
            log.info("pruned %d sent outbox item(s) older than %s", pruned, self.retention)

    def _sleep(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise _Cancelled

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise _Cancelled
