"""The catalogue on the kiosk store: pulled activities and rewards, retired ones taken off,
and what the resident already did with them (bookings, uncounted redemptions, ratings)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sync.records import (
    ActivityBookingDetails,
    Feedback,
    PointsRedemption,
    RecordKind,
    ServiceRequest,
)
from sync.store import LocalStore

NOW = datetime.now(UTC)
RESIDENT = uuid.uuid4()


def activity(activity_id: uuid.UUID, name: str, starts_at: datetime, *, active: bool = True,
             en: str | None = None) -> dict[str, Any]:
    return {"kind": "activity", "changed_at": NOW.isoformat(),
            "payload": {"activity_id": str(activity_id), "name": {"zh": name, "en": en},
                        "starts_at": starts_at.isoformat(), "place": {"zh": "社区活动室"},
                        "capacity": 30, "active": active}}


def reward(reward_id: uuid.UUID, name: str, points: int, *, active: bool = True) -> dict[str, Any]:
    return {"kind": "reward", "changed_at": NOW.isoformat(),
            "payload": {"reward_id": str(reward_id), "name": {"zh": name}, "points": points,
                        "active": active}}


def pull(store: LocalStore, *changes: dict[str, Any]) -> Any:
    first = store.cursor() + 1
    numbered = [{**change, "seq": first + n} for n, change in enumerate(changes)]
    return store.apply_pull(numbered, next_cursor=first + len(changes) - 1)


def test_pulled_activities_are_listed_soonest_first_without_past_or_retired_ones(
        store: LocalStore) -> None:
    taichi, calligraphy, past, lecture = (uuid.uuid4() for _ in range(4))
    applied = pull(store,
                   activity(calligraphy, "书法班", NOW + timedelta(days=2)),
                   activity(taichi, "太极拳", NOW + timedelta(days=1), en="Tai chi"),
                   activity(past, "昨天的活动", NOW - timedelta(days=1)),
                   activity(lecture, "健康讲座", NOW + timedelta(days=3)))
    assert (applied.applied, applied.skipped) == (4, 0)
    listed = store.activities()
    assert [a.name("zh") for a in listed] == ["太极拳", "书法班", "健康讲座"]
    assert listed[0].name("en") == "Tai chi"
    assert listed[1].name("en") == "书法班"  # no English name: the Chinese one
    assert listed[0].place("ko") == "社区活动室" and listed[0].capacity == 30
    assert listed[0].starts_at.tzinfo is not None

    pull(store, activity(lecture, "健康讲座", NOW + timedelta(days=3), active=False))
    assert [a.name("zh") for a in store.activities()] == ["太极拳", "书法班"]
    # Applied again (a page fetched twice after a crash): the same result.
    pull(store, activity(lecture, "健康讲座", NOW + timedelta(days=3), active=False))
    assert len(store.activities()) == 2


def test_pulled_rewards_cheapest_first_and_a_retired_one_goes(store: LocalStore) -> None:
    rice, cleaning, haircut = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    pull(store, reward(rice, "一袋大米", 100), reward(cleaning, "一次家政服务", 200),
         reward(haircut, "理发券", 50))
    assert [(r.name("zh"), r.points) for r in store.rewards()] == [
        ("理发券", 50), ("一袋大米", 100), ("一次家政服务", 200)]
    pull(store, reward(haircut, "理发券", 50, active=False), reward(rice, "一袋大米", 120))
    assert [(r.name("zh"), r.points) for r in store.rewards()] == [
        ("一袋大米", 120), ("一次家政服务", 200)]


def test_a_bad_catalogue_change_is_skipped_and_the_rest_applied(store: LocalStore) -> None:
    bad = reward(uuid.uuid4(), "免费", 0)  # a reward must cost something
    applied = pull(store, bad, reward(uuid.uuid4(), "理发券", 50))
    assert (applied.applied, applied.skipped) == (1, 1)
    assert [r.name("zh") for r in store.rewards()] == ["理发券"]


def test_what_the_resident_did_with_the_catalogue(store: LocalStore) -> None:
    taichi = uuid.uuid4()
    booking = store.create_record(RecordKind.SERVICE_REQUEST, ServiceRequest(
        resident_id=RESIDENT,
        details=ActivityBookingDetails(activity_id=str(taichi), activity_name="太极拳")))
    assert store.booked_activity_ids(RESIDENT) == {str(taichi)}

    rice = store.create_record(RecordKind.POINTS_REDEMPTION, PointsRedemption(
        resident_id=RESIDENT, catalogue_item_id="r1", catalogue_item_name="一袋大米", points=100))
    store.create_record(RecordKind.POINTS_REDEMPTION, PointsRedemption(
        resident_id=RESIDENT, catalogue_item_id="r2", catalogue_item_name="理发券", points=50))
    assert store.uncounted_redemption_points(RESIDENT) == 150
    assert store.uncounted_redemption_points(uuid.uuid4()) == 0
    # The server took the rice: its ledger line and "received" came with the pull.
    pull(store, {"kind": "request_status", "changed_at": NOW.isoformat(),
                 "payload": {"request_id": str(rice), "status": "received"}})
    assert store.uncounted_redemption_points(RESIDENT) == 50

    assert store.rated_request_ids(RESIDENT) == set()
    store.create_record(RecordKind.FEEDBACK, Feedback(resident_id=RESIDENT, request_id=booking,
                                                      stars=5, quick_comments=["准时"]))
    assert store.rated_request_ids(RESIDENT) == {booking}

    # A cancelled booking no longer counts as booked.
    pull(store, {"kind": "request_status", "changed_at": NOW.isoformat(),
                 "payload": {"request_id": str(booking), "status": "cancelled"}})
    assert store.booked_activity_ids(RESIDENT) == set()
