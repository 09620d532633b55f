"""The activity, points and feedback screens for `linli kiosk --screenshots` (see screenshots.py).

Seeds a made-up catalogue by the store's own pull, then books, redeems and rates in each
language as a resident would by touch.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

DEMO_POINTS = 1000

# (zh, en, ko, days from today, hour, minute, place zh/en/ko)
_ACTIVITIES = (
    ("太极拳", "Tai chi", "태극권", 2, 9, 0, ("社区活动室", "Activity room", "주민 활동실")),
    ("书法班", "Calligraphy class", "서예 교실", 3, 14, 30, ("二楼书画室", "Painting room", "2층 서화실")),
    ("健康讲座", "Health talk", "건강 강좌", 4, 10, 0, ("社区卫生服务站", "Health station", "주민 보건소")),
    ("老年瑜伽", "Gentle yoga", "노인 요가", 5, 19, 0, ("社区活动室", "Activity room", "주민 활동실")),
)
_REWARDS = (("理发券", "Haircut voucher", "이발권", 50), ("一袋大米", "A bag of rice", "쌀 한 포대", 100),
            ("一次家政服务", "One home-cleaning visit", "가사 도우미 한 번", 200))


def _pull(store: Any, changes: list[tuple[str, dict[str, Any]]]) -> None:
    first = store.cursor() + 1
    now = datetime.now(UTC).isoformat()
    store.apply_pull([{"seq": first + n, "kind": kind, "changed_at": now, "payload": payload}
                      for n, (kind, payload) in enumerate(changes)],
                     next_cursor=first + len(changes) - 1)


def seed_catalogue(store: Any, resident: uuid.UUID) -> None:
    """Four activities in the coming days, three rewards, and points to spend."""
    changes: list[tuple[str, dict[str, Any]]] = []
    for zh, en, ko, days, hour, minute, place in _ACTIVITIES:
        day = date.today() + timedelta(days=days)
        starts = datetime(day.year, day.month, day.day, hour, minute).astimezone()
        changes.append(("activity", {
            "activity_id": str(uuid.uuid4()), "name": {"zh": zh, "en": en, "ko": ko},
            "starts_at": starts.isoformat(), "place": dict(zip(("zh", "en", "ko"), place))}))
    for zh, en, ko, points in _REWARDS:
        changes.append(("reward", {"reward_id": str(uuid.uuid4()),
                                   "name": {"zh": zh, "en": en, "ko": ko}, "points": points}))
    changes.append(("points_entry", {
        "entry_id": str(uuid.uuid4()), "resident_id": str(resident), "delta": DEMO_POINTS,
        "reason": "社区志愿活动 volunteering", "balance_after": DEMO_POINTS}))
    _pull(store, changes)


def catalogue_shots(kiosk: Any, store: Any, shot: Callable[[str], None], lang: str,
                    n: int) -> None:
    """Screens of booking activity `n`, redeeming, and rating the latest grocery order."""
    controller = kiosk.controller
    controller.open_activities()
    kiosk.frames(3)
    shot(f"activities_{lang}")
    kiosk.tap(f"activity_{n % 3}")
    shot(f"activity_confirm_{lang}")
    kiosk.tap("activity_yes")
    kiosk.until(lambda: controller.activity_booking.stored, what="activity booked")
    shot(f"activity_sent_{lang}")
    kiosk.tap("home")

    kiosk.tap("points")
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    shot(f"points_{lang}")
    kiosk.tap("redeem")
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    shot(f"rewards_{lang}")
    kiosk.tap("reward_0")
    shot(f"reward_confirm_{lang}")
    kiosk.tap("reward_yes")
    kiosk.until(lambda: controller.wallet.stored, what="redemption stored")
    shot(f"reward_sent_{lang}")
    kiosk.tap("home")

    order = controller.grocery.record_id
    _pull(store, [("request_status", {"request_id": str(order), "status": "delivered"})])
    controller.open_requests()
    kiosk.until(lambda: any(view.id == order and view.status is not None and
                            view.status.value == "delivered" for view in controller.requests),
                what="order delivered")
    # Other requests made since may push the order off My requests' three rows: open its
    # rating directly (the row's 评价 button is tapped in the kiosk tests).
    controller.open_feedback(order)
    kiosk.until(lambda: kiosk.root.current == "feedback", what="feedback screen")
    kiosk.tap("star_five")
    kiosk.tap("comment_on_time")
    kiosk.tap("comment_kind")
    shot(f"feedback_{lang}")
    kiosk.tap("feedback_send")
    kiosk.until(lambda: controller.rating.stored, what="rating stored")
    shot(f"feedback_thanks_{lang}")
    kiosk.tap("home")
