"""The weekly improvement report: for one ISO week in the community's time zone, within a
scope, the lowest-rated services, residents' comments, overdue requests and alarm answer
times against the telecare targets.

A week runs from Monday 00:00 to the next Monday 00:00 in `community_timezone`; ratings
and alarms count by the server's receipt time. A request counts as overdue in the week if
at some moment of the week it was open past its due time (services/due_times.py): due
before the week's end, and not closed before the week began or before it fell due. A
request's closing time is its last status change (`updated_at` once done or cancelled).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from server.errors import InvalidInputError
from server.models import Account, HelpCall, ReceivedRecord, Resident, ServiceRequest, utcnow
from server.services import visibility
from server.services.answer_times import AnswerTimes, answer_times
from server.services.due_times import OPEN_STATUSES, due_at
from server.services.satisfaction import Group, Rating, group, lowest_first, ratings

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
LOWEST_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Week:
    year: int
    number: int
    start: datetime  # Monday 00:00, in the community's zone
    end: datetime  # the next Monday 00:00

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    def shifted(self, weeks: int) -> Week:
        return week_of(self.start + timedelta(weeks=weeks), self.start.tzinfo)  # type: ignore[arg-type]


def parse_week(text: str, zone: ZoneInfo) -> Week:
    """"2026-W48" -> that week; InvalidInputError for anything else."""
    match = _WEEK.match(text.strip())
    try:
        # Years far from now would overflow once the week's edges are converted to UTC.
        if match is None or not 1970 <= int(match[1]) <= 9998:
            raise ValueError(text)
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise InvalidInputError(f"{text!r} is not an ISO week like 2026-W48") from None
    start = datetime.combine(monday, time(0), zone)
    return Week(int(match[1]), int(match[2]), start,
                datetime.combine(monday + timedelta(days=7), time(0), zone))


def week_of(moment: datetime, zone: ZoneInfo) -> Week:
    year, number, _ = moment.astimezone(zone).isocalendar()
    return parse_week(f"{year}-W{number:02d}", zone)


def last_full_week(zone: ZoneInfo, now: datetime | None = None) -> Week:
    return week_of(now or utcnow(), zone).shifted(-1)


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose residents and alarms a report covers."""

    resident_ids: set[uuid.UUID] | None  # None: everyone
    alarms: ColumnElement[bool]  # a WHERE clause on HelpCall rows


def scope_of_account(session: Session, account: Account) -> Scope:
    """What the account may see (staff: their grids; admin: everything)."""
    return Scope(visibility.resident_ids_in_scope(session, account),
                 visibility.alert_filter(session, account, HelpCall.resident_id))


def scope_of_grid(session: Session, grid_id: uuid.UUID | None) -> Scope:
    """One grid's residents (alarms without a placed resident are left out), or everything."""
    if grid_id is None:
        return Scope(None, true())
    ids = set(session.scalars(select(Resident.id).where(Resident.grid_id == grid_id)))
    return Scope(ids, HelpCall.resident_id.in_(ids) if ids else false())


@dataclass(frozen=True, slots=True)
class Comment:
    received_at: datetime
    service_type: str
    stars: int
    quick_comments: tuple[str, ...]
    text: str | None


@dataclass(frozen=True, slots=True)
class OverdueRequest:
    record_id: uuid.UUID
    resident_name: str | None
    request_type: str
    status: str
    received_at: datetime
    due_at: datetime
    closed_at: datetime | None  # None: still open
    hours_late: float  # until it was closed, or until the week's end (or now)


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    week: Week
    made_at: datetime
    ratings: int
    average: float | None
    lowest: list[Group]  # services, lowest average first
    comments: list[Comment]  # lowest stars first, then oldest
    quick_comments: list[tuple[str, int]]  # each quick comment and how often, most first
    overdue: list[OverdueRequest]  # most late first
    answers: AnswerTimes


def weekly_report(session: Session, week: Week, scope: Scope, *, now: datetime | None = None) -> WeeklyReport:
    now = now or utcnow()
    until = min(week.end, now)
    rated = ratings(session, week.start, week.end, scope.resident_ids)
    total = sum(rating.stars for rating in rated)
    words = Counter(word for rating in rated for word in rating.quick_comments)
    return WeeklyReport(
        week=week,
        made_at=now,
        ratings=len(rated),
        average=round(total / len(rated), 2) if rated else None,
        lowest=lowest_first(group(rated, lambda r: r.service_type)),
        comments=_comments(rated),
        quick_comments=sorted(words.items(), key=lambda pair: (-pair[1], pair[0])),
        overdue=overdue_in_week(session, week, scope.resident_ids, now=now),
        answers=answer_times(session, week.start, until, scope.alarms),
    )


def _comments(rated: list[Rating]) -> list[Comment]:
    said = [Comment(r.received_at, r.service_type, r.stars, r.quick_comments, r.comment)
            for r in rated if r.quick_comments or (r.comment or "").strip()]
    return sorted(said, key=lambda c: (c.stars, c.received_at))


def overdue_in_week(
    session: Session, week: Week, resident_ids: set[uuid.UUID] | None, *, now: datetime
) -> list[OverdueRequest]:
    until = min(week.end, now)
    query = (
        select(ServiceRequest, ReceivedRecord.received_at, Resident.display_name)
        .join(ReceivedRecord, and_(ReceivedRecord.kiosk_id == ServiceRequest.kiosk_id,
                                   ReceivedRecord.record_id == ServiceRequest.record_id))
        .outerjoin(Resident, Resident.id == ServiceRequest.resident_id)
        .where(ReceivedRecord.received_at < until,
               # closed before the week began: cannot be late in it (keeps the scan short)
               or_(ServiceRequest.status.in_(OPEN_STATUSES), ServiceRequest.updated_at > week.start))
    )
    if resident_ids is not None:
        query = query.where(ServiceRequest.resident_id.in_(list(resident_ids)))
    found = []
    for request, received_at, name in session.execute(query):
        due = due_at(request.request_type, received_at)
        closed = None if request.status in OPEN_STATUSES else request.updated_at
        if due >= until or (closed is not None and closed <= max(due, week.start)):
            continue
        late_until = min(closed, until) if closed is not None else until
        found.append(OverdueRequest(
            request.record_id, name, request.request_type, request.status, received_at, due,
            closed, round((late_until - due).total_seconds() / 3600, 1)))
    return sorted(found, key=lambda item: -item.hours_late)
