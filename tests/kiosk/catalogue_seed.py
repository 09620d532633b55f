"""Catalogue items, points and finished requests put into a real kiosk store by its pull."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

TAICHI = uuid.UUID("a0000000-0000-4000-8000-000000000001")
CALLIGRAPHY = uuid.UUID("a0000000-0000-4000-8000-000000000002")
LECTURE = uuid.UUID("a0000000-0000-4000-8000-000000000003")
YOGA = uuid.UUID("a0000000-0000-4000-8000-000000000004")
HAIRCUT = uuid.UUID("b0000000-0000-4000-8000-000000000001")
RICE = uuid.UUID("b0000000-0000-4000-8000-000000000002")
CLEANING = uuid.UUID("b0000000-0000-4000-8000-000000000003")
WEEKDAY_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def local_at(days: int, hour: int, minute: int = 0) -> datetime:
    """`days` from today at a local wall-clock time (the kiosk says times in local time)."""
    day = date.today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute).astimezone()


def pull(store: Any, *changes: dict[str, Any]) -> None:
    first = store.cursor() + 1
    now = datetime.now(UTC).isoformat()
    store.apply_pull([{**change, "seq": first + n, "changed_at": now}
                      for n, change in enumerate(changes)], next_cursor=first + len(changes) - 1)


def activity(activity_id: uuid.UUID, zh: str, en: str, ko: str, starts_at: datetime,
             place: tuple[str, str, str] = ("社区活动室", "Activity room", "주민 활동실"),
             active: bool = True) -> dict[str, Any]:
    return {"kind": "activity", "payload": {
        "activity_id": str(activity_id), "name": {"zh": zh, "en": en, "ko": ko},
        "starts_at": starts_at.isoformat(),
        "place": {"zh": place[0], "en": place[1], "ko": place[2]}, "capacity": 30,
        "active": active}}


def reward(reward_id: uuid.UUID, zh: str, en: str, ko: str, points: int) -> dict[str, Any]:
    return {"kind": "reward", "payload": {
        "reward_id": str(reward_id), "name": {"zh": zh, "en": en, "ko": ko}, "points": points}}


def demo_activities() -> list[dict[str, Any]]:
    return [
        activity(TAICHI, "太极拳", "Tai chi", "태극권", local_at(3, 9)),
        activity(CALLIGRAPHY, "书法班", "Calligraphy class", "서예 교실", local_at(4, 14, 30),
                 ("二楼书画室", "Painting room, 2nd floor", "2층 서화실")),
        activity(LECTURE, "健康讲座", "Health talk", "건강 강좌", local_at(5, 10),
                 ("社区卫生服务站", "Community health station", "주민 보건소")),
        activity(YOGA, "老年瑜伽", "Gentle yoga", "노인 요가", local_at(6, 19)),
    ]


def demo_rewards() -> list[dict[str, Any]]:
    return [reward(HAIRCUT, "理发券", "Haircut voucher", "이발권", 50),
            reward(RICE, "一袋大米", "A bag of rice", "쌀 한 포대", 100),
            reward(CLEANING, "一次家政服务", "One home-cleaning visit", "가사 도우미 한 번", 200)]


def points_entry(resident: uuid.UUID, delta: int, balance: int, reason: str) -> dict[str, Any]:
    return {"kind": "points_entry", "payload": {
        "entry_id": str(uuid.uuid4()), "resident_id": str(resident), "delta": delta,
        "reason": reason, "balance_after": balance}}


def request_status(request_id: uuid.UUID, status: str, note: str | None = None) -> dict[str, Any]:
    return {"kind": "request_status", "payload": {
        "request_id": str(request_id), "status": status, "note": note}}
