"""How fast alarms are answered, against the UK telecare targets (TEC Services Association
code: 97.5% of alarm calls answered within 60 s, 99% within 180 s).

An alarm's answer time runs from the server receiving it to the first person taking it:
acknowledged, or resolved directly. Alarms the resident cancelled before anyone answered
needed no answer and are left out; alarms still waiting count as late once they have
waited past a limit, and as pending before that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from linli.stats import percentile
from server.models import HelpCall, ReceivedRecord
from sync.records import HelpCallState

TARGETS = ((60, 97.5), (180, 99.0))  # (seconds, percent of alarms)
CANCELLED_BY_RESIDENT = "cancelled_by_resident"


@dataclass(frozen=True, slots=True)
class AnswerTimes:
    alarms: int  # counted: answered, or waiting past the longest limit
    answered: int
    within: dict[int, int]  # seconds -> alarms answered within that many seconds
    median_seconds: float | None
    p95_seconds: float | None
    pending: int  # waiting, not yet past the longest limit
    cancelled: int  # cancelled by the resident before an answer: not counted

    def percent(self, seconds: int) -> float | None:
        return round(100.0 * self.within[seconds] / self.alarms, 1) if self.alarms else None

    def meets(self, seconds: int, target: float) -> bool | None:
        share = self.percent(seconds)
        return None if share is None else share >= target


def answer_times(
    session: Session, since: datetime, now: datetime, visible: ColumnElement[bool]
) -> AnswerTimes:
    """Alarms received in [since, now] that `visible` (a visibility filter) admits."""
    rows = session.execute(
        select(ReceivedRecord.received_at, HelpCall.acknowledged_at, HelpCall.resolved_at,
               HelpCall.state, HelpCall.resolution_note)
        .join(ReceivedRecord, and_(ReceivedRecord.kiosk_id == HelpCall.kiosk_id,
                                   ReceivedRecord.record_id == HelpCall.record_id))
        .where(ReceivedRecord.received_at >= since, ReceivedRecord.received_at <= now, visible)
    ).all()
    longest = max(seconds for seconds, _ in TARGETS)
    seconds_taken: list[float] = []
    late_waiting = pending = cancelled = 0
    for received, acknowledged, resolved, state, note in rows:
        answered_at = acknowledged
        if answered_at is None and state == HelpCallState.RESOLVED:
            if (note or "").startswith(CANCELLED_BY_RESIDENT):
                cancelled += 1
                continue
            answered_at = resolved
        if answered_at is None:
            if now - received > timedelta(seconds=longest):
                late_waiting += 1
            else:
                pending += 1
            continue
        seconds_taken.append(max(0.0, (answered_at - received).total_seconds()))
    return AnswerTimes(
        alarms=len(seconds_taken) + late_waiting,
        answered=len(seconds_taken),
        within={limit: sum(1 for value in seconds_taken if value <= limit) for limit, _ in TARGETS},
        median_seconds=percentile(seconds_taken, 50),
        p95_seconds=percentile(seconds_taken, 95),
        pending=pending,
        cancelled=cancelled,
    )
