"""Residents' ratings of finished services: average stars and counts per service type, grid
and month, within a viewer's scope.

A rating is a kiosk's `feedback` record; its service type is that of the request it rates
(a service request's type, `callback` for a call-back request, `other` if the server has
no such request from that kiosk). Times are the server's receipt times; months are
calendar months in the community's time zone (setting `community_timezone`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from server.models import CallbackRequest, Feedback, Grid, ReceivedRecord, Resident, ServiceRequest

CALLBACK = "callback"
OTHER = "other"
UNPLACED = ""  # the grid key of residents not placed in a grid (admins only see these)


@dataclass(frozen=True, slots=True)
class Rating:
    stars: int
    service_type: str
    grid: str  # grid name, UNPLACED if none
    received_at: datetime
    quick_comments: tuple[str, ...]
    comment: str | None


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    count: int
    average: float  # stars, rounded to 2 places
    low: int  # ratings of 1 or 2 stars

    @property
    def share_low(self) -> float:
        return round(100.0 * self.low / self.count, 1)


@dataclass(frozen=True, slots=True)
class Satisfaction:
    count: int
    average: float | None
    by_type: list[Group]  # lowest average first
    by_grid: list[Group]  # lowest average first
    by_month: list[Group]  # oldest month first, key "YYYY-MM"


def ratings(
    session: Session,
    since: datetime,
    until: datetime,
    resident_ids: Collection[uuid.UUID] | None,
) -> list[Rating]:
    """Ratings the server received in [since, until) of residents in scope (None: all)."""
    query = (
        select(Feedback, ReceivedRecord.received_at, ServiceRequest.request_type,
               CallbackRequest.record_id, Grid.name)
        .join(ReceivedRecord, and_(ReceivedRecord.kiosk_id == Feedback.kiosk_id,
                                   ReceivedRecord.record_id == Feedback.record_id))
        # Only a request from the same kiosk counts: a kiosk cannot rate another's requests.
        .outerjoin(ServiceRequest, and_(ServiceRequest.kiosk_id == Feedback.kiosk_id,
                                        ServiceRequest.record_id == Feedback.request_id))
        .outerjoin(CallbackRequest, and_(CallbackRequest.kiosk_id == Feedback.kiosk_id,
                                         CallbackRequest.record_id == Feedback.request_id))
        .outerjoin(Resident, Resident.id == Feedback.resident_id)
        .outerjoin(Grid, Grid.id == Resident.grid_id)
        .where(ReceivedRecord.received_at >= since, ReceivedRecord.received_at < until)
        .order_by(ReceivedRecord.received_at)
    )
    if resident_ids is not None:
        query = query.where(Feedback.resident_id.in_(list(resident_ids)))
    found = []
    for feedback, received_at, request_type, callback_id, grid in session.execute(query):
        kind = request_type or (CALLBACK if callback_id is not None else OTHER)
        found.append(Rating(feedback.stars, kind, grid or UNPLACED, received_at,
                            tuple(feedback.quick_comments or ()), feedback.comment))
    return found


def group(items: Iterable[Rating], key: Callable[[Rating], str]) -> list[Group]:
    """Count, average and low ratings per key, in no particular order."""
    stars: dict[str, list[int]] = {}
    for rating in items:
        stars.setdefault(key(rating), []).append(rating.stars)
    return [Group(name, len(values), round(sum(values) / len(values), 2),
                  sum(1 for value in values if value <= 2))
            for name, values in stars.items()]


def lowest_first(groups: list[Group]) -> list[Group]:
    """Lowest average first; of equal averages, the one more residents rated first."""
    return sorted(groups, key=lambda g: (g.average, -g.count, g.key))


def month_of(rating: Rating, zone: ZoneInfo) -> str:
    return rating.received_at.astimezone(zone).strftime("%Y-%m")


def satisfaction(
    session: Session,
    since: datetime,
    until: datetime,
    resident_ids: Collection[uuid.UUID] | None,
    zone: ZoneInfo,
) -> Satisfaction:
    found = ratings(session, since, until, resident_ids)
    total = sum(rating.stars for rating in found)
    return Satisfaction(
        count=len(found),
        average=round(total / len(found), 2) if found else None,
        by_type=lowest_first(group(found, lambda r: r.service_type)),
        by_grid=lowest_first(group(found, lambda r: r.grid)),
        by_month=sorted(group(found, lambda r: month_of(r, zone)), key=lambda g: g.key),
    )
