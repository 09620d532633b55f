"""The kiosk store's catalogue reads: upcoming activities, rewards, and what the resident
already did with them (bookings, redemptions not yet counted, requests already rated)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from sync.records import RecordKind
from sync.store_models import ActivityRow, LocalRecord, OutboxItem, RewardRow


def _name_in(names: dict[str, Any], lang: str) -> str:
    # Chinese is always there; another language falls back to it when staff left it out.
    return str(names.get(lang) or names.get("zh") or "")


@dataclass(slots=True, frozen=True)
class ActivityView:
    activity_id: uuid.UUID
    names: dict[str, Any]
    starts_at: datetime
    places: dict[str, Any]
    capacity: int | None

    def name(self, lang: str) -> str:
        return _name_in(self.names, lang)

    def place(self, lang: str) -> str:
        return _name_in(self.places, lang)


@dataclass(slots=True, frozen=True)
class RewardView:
    reward_id: uuid.UUID
    names: dict[str, Any]
    points: int

    def name(self, lang: str) -> str:
        return _name_in(self.names, lang)


def activities(conn: Connection, now: datetime | None = None) -> list[ActivityView]:
    """Active activities not yet begun, soonest first."""
    rows = conn.execute(
        select(ActivityRow.activity_id, ActivityRow.name, ActivityRow.starts_at,
               ActivityRow.place, ActivityRow.capacity)
        .where(ActivityRow.active.is_(True), ActivityRow.starts_at >= (now or datetime.now(UTC)))
        .order_by(ActivityRow.starts_at, ActivityRow.activity_id)
    ).all()
    return [ActivityView(*row) for row in rows]


def rewards(conn: Connection) -> list[RewardView]:
    """Active rewards, cheapest first."""
    rows = conn.execute(
        select(RewardRow.reward_id, RewardRow.name, RewardRow.points)
        .where(RewardRow.active.is_(True))
        .order_by(RewardRow.points, RewardRow.reward_id)
    ).all()
    return [RewardView(*row) for row in rows]


def _payloads(conn: Connection, kind: RecordKind, resident_id: uuid.UUID) -> list[Any]:
    return list(conn.execute(
        select(LocalRecord.payload, LocalRecord.status, OutboxItem.state)
        .outerjoin(OutboxItem, OutboxItem.record_id == LocalRecord.id)
        .where(LocalRecord.kind == kind.value, LocalRecord.resident_id == resident_id)
    ).all())


def rated_request_ids(conn: Connection, resident_id: uuid.UUID) -> set[uuid.UUID]:
    """Requests this kiosk already stored a rating of (so the kiosk asks only once)."""
    return {uuid.UUID(payload["request_id"])
            for payload, _, _ in _payloads(conn, RecordKind.FEEDBACK, resident_id)}


def booked_activity_ids(conn: Connection, resident_id: uuid.UUID) -> set[str]:
    """Activities the resident booked here and that were not cancelled."""
    booked = set()
    for payload, status, _ in _payloads(conn, RecordKind.SERVICE_REQUEST, resident_id):
        details = payload.get("details") or {}
        if details.get("type") == "activity_booking" and status != "cancelled":
            booked.add(str(details.get("activity_id")))
    return booked


def uncounted_redemption_points(conn: Connection, resident_id: uuid.UUID) -> int:
    """Points of redemptions the server has not answered yet: the pulled balance does not
    show them, so the kiosk keeps them aside (nobody spends the same points twice)."""
    return sum(int(payload.get("points", 0))
               for payload, status, delivery in _payloads(conn, RecordKind.POINTS_REDEMPTION,
                                                         resident_id)
               if status is None and delivery != "dead")


RecordState = tuple[str | None, str | None, str | None]


def record_state(conn: Connection, record_id: uuid.UUID) -> RecordState:
    """(status the server reported, its note, outbox delivery) of one record of this kiosk."""
    row = conn.execute(
        select(LocalRecord.status, LocalRecord.status_detail, OutboxItem.state)
        .outerjoin(OutboxItem, OutboxItem.record_id == LocalRecord.id)
        .where(LocalRecord.id == record_id)
    ).first()
    if row is None:
        return None, None, None
    status, detail, delivery = row
    # A pruned outbox row means it was sent long ago.
    return status, (detail or {}).get("note"), delivery or "sent"


class CatalogueReads:
    """Mixed into `LocalStore` beside `StoreReads`; each method one query, fresh connection."""

    _engine: Engine

    def _read_catalogue(self, query: Any, *args: Any) -> Any:
        with self._engine.connect() as conn:
            return query(conn, *args)

    def activities(self, now: datetime | None = None) -> list[ActivityView]:
        return self._read_catalogue(activities, now)

    def rewards(self) -> list[RewardView]:
        return self._read_catalogue(rewards)

    def rated_request_ids(self, resident_id: uuid.UUID) -> set[uuid.UUID]:
        return self._read_catalogue(rated_request_ids, resident_id)

    def booked_activity_ids(self, resident_id: uuid.UUID) -> set[str]:
        return self._read_catalogue(booked_activity_ids, resident_id)

    def uncounted_redemption_points(self, resident_id: uuid.UUID) -> int:
        return self._read_catalogue(uncounted_redemption_points, resident_id)

    def record_state(self, record_id: uuid.UUID) -> RecordState:
        return self._read_catalogue(record_state, record_id)
