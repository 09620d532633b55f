"""The webhook outbox: each fired step with a URL becomes a row, POSTed with bounded retries.

A delivery is claimed in one short transaction (attempt counted, a lease set), POSTed with
no transaction open (a slow gateway never holds SQLite's write lock or a PostgreSQL row
lock), and its result written in a second short transaction. A process that dies mid-POST
leaves the lease to run out, and the delivery is tried again: gateways get at-least-once
delivery and an `Idempotency-Key` header (the delivery id) to drop repeats.

Failures wait `base * 2**(attempt-1)` seconds (capped) before the next attempt; after
`max_attempts` the delivery is marked failed with an ERROR log line, an audit entry, and a
note on the alarm's console card.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.models import EscalationStep, WebhookDelivery
from server.services import live
from server.services.audit import audit

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = "pending", "sent", "failed"
USER_AGENT = "linli-escalation/1"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    timeout_seconds: float = 5.0
    max_attempts: int = 6
    base_seconds: float = 2.0
    cap_seconds: float = 300.0

    def delay_after(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failure: base, 2 base, 4 base, ... up to the cap."""
        return timedelta(seconds=min(self.cap_seconds, self.base_seconds * 2 ** (attempts - 1)))

    @property
    def lease(self) -> timedelta:
        # Longer than one POST can take, so a claim is only taken over from a dead process.
        return timedelta(seconds=self.timeout_seconds * 2 + 30)


# (url, json body, headers, timeout) -> None on a 2xx answer, else what went wrong.
Poster = Callable[[str, dict, dict[str, str], float], str | None]


def http_post(url: str, body: dict, headers: dict[str, str], timeout: float) -> str | None:
    try:
        answer = requests.post(url, json=body, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= answer.status_code < 300:
        return None
    return f"HTTP {answer.status_code}"


def enqueue(session: Session, step: EscalationStep, url: str, payload: dict[str, object],
            now: datetime) -> WebhookDelivery:
    delivery_id = uuid.uuid4()
    row = WebhookDelivery(id=delivery_id, step_id=step.id, url=url,
                          payload={**payload, "delivery_id": str(delivery_id)},
                          status=PENDING, attempts=0, next_attempt_at=now, created_at=now)
    session.add(row)
    session.flush()
    return row


def any_due(session: Session, now: datetime) -> bool:
    return session.scalar(select(WebhookDelivery.id).where(
        WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now).limit(1)) is not None


@dataclass(frozen=True, slots=True)
class Attempt:
    delivery_id: uuid.UUID
    url: str
    payload: dict
    attempt: int
    error: str | None = None  # None: delivered


def deliver_due(sessions: sessionmaker[Session], now: datetime, policy: RetryPolicy, *,
                post: Poster = http_post, limit: int = 20) -> list[Attempt]:
    """Try every delivery due at `now` once; returns what was tried and how it went."""
    claimed = _claim(sessions, now, policy, limit)
    results = []
    for attempt in claimed:
        headers = {"User-Agent": USER_AGENT, "Idempotency-Key": str(attempt.delivery_id)}
        error = post(attempt.url, attempt.payload, headers, policy.timeout_seconds)
        results.append(Attempt(attempt.delivery_id, attempt.url, attempt.payload, attempt.attempt, error))
    if results:
        _record(sessions, results, now, policy)
    return results


def _claim(sessions: sessionmaker[Session], now: datetime, policy: RetryPolicy,
           limit: int) -> list[Attempt]:
    with sessions() as session:
        rows = list(session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at).limit(limit)
            .with_for_update(skip_locked=True)))
        claimed = []
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + policy.lease
            claimed.append(Attempt(row.id, row.url, dict(row.payload), row.attempts))
        session.commit()
    return claimed


def _record(sessions: sessionmaker[Session], results: list[Attempt], now: datetime,
            policy: RetryPolicy) -> None:
    with sessions() as session:
        for result in results:
            row = session.get(WebhookDelivery, result.delivery_id, with_for_update=True)
            if row is None or row.status != PENDING:
                continue
            if result.error is None:
                row.status, row.sent_at, row.next_attempt_at, row.last_error = SENT, now, None, None
                log.info("webhook delivery %s sent to %s (attempt %d)", row.id, row.url, row.attempts)
                continue
            row.last_error = result.error
            if row.attempts >= policy.max_attempts:
                _give_up(session, row, now)
            else:
                row.next_attempt_at = now + policy.delay_after(row.attempts)
                log.warning("webhook delivery %s to %s failed (attempt %d of %d: %s); next try at %s",
                            row.id, row.url, row.attempts, policy.max_attempts, result.error,
                            row.next_attempt_at.isoformat())
        session.commit()


def _give_up(session: Session, row: WebhookDelivery, now: datetime) -> None:
    row.status, row.next_attempt_at = FAILED, None
    step = session.get(EscalationStep, row.step_id)
    log.error("webhook delivery %s to %s FAILED after %d attempts (%s); the people of step %s were "
              "not messaged, the alarm stays on their consoles", row.id, row.url, row.attempts,
              row.last_error, step.step_index + 1 if step else "?")
    if step is None:
        return
    audit(session, actor="system:escalation", action="webhook.failed",
          target=f"help_call:{step.record_id}",
          detail={"delivery": str(row.id), "step": step.step_index + 1, "attempts": row.attempts,
                  "error": row.last_error})
    # The card shows the failure: consoles reload it.
    live.announce(session, [live.LiveEvent("help_call", str(step.kiosk_id), str(step.record_id))])
