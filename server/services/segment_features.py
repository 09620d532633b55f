"""Per-resident features for the resident segments, computed from the tables over a window.

| feature | how it is counted (over `window_days`, 90 by default) |
|---|---|
| age | the local year minus `residents.birth_year`; unknown: the median known age of the residents being segmented, or 80 when nobody's is known |
| activities | service requests of type `activity_booking` (activity participation) |
| services | the other service requests (repair, certificate, clinic, mediation, grocery) |
| kiosk_days | local days on which the resident did something at the kiosk: a help call from the kiosk (button or voice), a service request, a call-back request, a rating, a points redemption. Wristband readings and wristband alarms are sent without the resident touching anything, so they do not count |
| help_calls | help calls from every source (kiosk, voice, wristband SOS, fall) |
| days_since_visit | local days since the last logged home visit, at most 180; never visited: 180 |
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.models import (
    CallbackRequest,
    Feedback,
    HelpCall,
    PointsRedemption,
    Resident,
    ServiceRequest,
    Visit,
)
from sync.records import HelpSource, RequestType

FEATURES = ("age", "activities", "services", "kiosk_days", "help_calls", "days_since_visit")
WINDOW_DAYS = 90
DEFAULT_AGE = 80  # when no resident being segmented has a birth year
RECENCY_CAP_DAYS = 180  # "never visited" and "visited long ago" look the same past this
_KIOSK_SOURCES = (HelpSource.KIOSK_BUTTON.value, HelpSource.VOICE.value)


@dataclass(frozen=True, slots=True)
class ResidentFeatures:
    resident_id: uuid.UUID
    values: tuple[float, ...]  # in FEATURES order, original units
    age_known: bool

    def value(self, feature: str) -> float:
        return self.values[FEATURES.index(feature)]


def resident_features(session: Session, resident_ids: Collection[uuid.UUID], *, now: datetime,
                      timezone: str, window_days: int = WINDOW_DAYS) -> list[ResidentFeatures]:
    """Features of the residents, sorted by resident id (so the same data gives the same order)."""
    ids = sorted(resident_ids, key=str)
    if not ids:
        return []
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    since = now - timedelta(days=window_days)
    births = dict(session.execute(select(Resident.id, Resident.birth_year).where(Resident.id.in_(ids))).all())
    known_ages = [today.year - year for year in births.values() if year is not None]
    fill_age = statistics.median(known_ages) if known_ages else DEFAULT_AGE

    activity = ServiceRequest.request_type == RequestType.ACTIVITY_BOOKING.value
    activities = _count(session, ServiceRequest.resident_id, ServiceRequest.created_at, ids, since, activity)
    services = _count(session, ServiceRequest.resident_id, ServiceRequest.created_at, ids, since, ~activity)
    help_calls = _count(session, HelpCall.resident_id, HelpCall.created_at, ids, since)
    kiosk_days = _kiosk_days(session, ids, since, zone)
    last_visit = dict(session.execute(
        select(Visit.resident_id, func.max(Visit.visited_on))
        .where(Visit.resident_id.in_(ids)).group_by(Visit.resident_id)).all())

    rows = []
    for resident_id in ids:
        birth = births.get(resident_id)
        age = today.year - birth if birth is not None else fill_age
        rows.append(ResidentFeatures(resident_id, (
            float(age),
            float(activities.get(resident_id, 0)),
            float(services.get(resident_id, 0)),
            float(len(kiosk_days.get(resident_id, ()))),
            float(help_calls.get(resident_id, 0)),
            float(_days_since(last_visit.get(resident_id), today)),
        ), birth is not None))
    return rows


def _days_since(last: date | None, today: date) -> int:
    if last is None:
        return RECENCY_CAP_DAYS
    return max(0, min(RECENCY_CAP_DAYS, (today - last).days))


def _count(session: Session, resident_column, time_column, ids: list[uuid.UUID],  # type: ignore[no-untyped-def]
           since: datetime, *conditions) -> dict[uuid.UUID, int]:
    query = (select(resident_column, func.count()).where(resident_column.in_(ids), time_column >= since,
                                                         *conditions)
             .group_by(resident_column))
    return {resident: count for resident, count in session.execute(query).all()}


def _kiosk_days(session: Session, ids: list[uuid.UUID], since: datetime,
                zone: ZoneInfo) -> dict[uuid.UUID, set[date]]:
    """Local days with a record the resident made at the kiosk (bucketed here: the zone rule
    is the same on SQLite and PostgreSQL this way)."""
    sources: Iterable = (
        select(HelpCall.resident_id, HelpCall.created_at)
        .where(HelpCall.source.in_(_KIOSK_SOURCES)),
        select(ServiceRequest.resident_id, ServiceRequest.created_at),
        select(CallbackRequest.resident_id, CallbackRequest.created_at),
        select(Feedback.resident_id, Feedback.created_at),
        select(PointsRedemption.resident_id, PointsRedemption.created_at),
    )
    days: dict[uuid.UUID, set[date]] = defaultdict(set)
    for query in sources:
        resident_column, time_column = (column for column in query.selected_columns)
        for resident_id, at in session.execute(query.where(resident_column.in_(ids), time_column >= since)):
            days[resident_id].add(at.astimezone(zone).date())
    return days
