"""Demo data for `linli demo`: one kiosk, three residents with wristbands, caregivers, points,
and the community's catalogue (activities in the coming days, points rewards).

Requests are not seeded: the demo kiosk makes its own, so the demo shows the real path.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from server.db import session_scope
from server.models import Kiosk, Resident, Wristband
from server.services.catalogue import add_activity, add_reward
from server.services.directory import create_resident, pair_wristband
from server.services.kiosks import register_kiosk, rotate_kiosk_token
from server.services.points import credit_points

DEMO_KIOSK_NAME = "邻里 Demo kiosk (Building 3 lobby)"
DEMO_ACTOR = "demo"

# (display name, language, caregivers, address, phone, wristband BLE address, points)
_RESIDENTS = (
    ("王秀英", "zh", ["张阿姨", "王小明"], "幸福路 12 号 3 单元 501", "13800000001", "C0:4C:1A:00:00:01", 120),
    ("李建国", "zh", ["李华"], "幸福路 12 号 1 单元 202", "13800000002", "C0:4C:1A:00:00:02", 40),
    ("张桂兰", "zh", ["社区值班员"], "幸福路 14 号 2 单元 101", "13800000003", "C0:4C:1A:00:00:03", 0),
)

# The community's own clock (China Standard Time): activities start at local hours.
COMMUNITY_ZONE = timezone(timedelta(hours=8))

# (zh, en, ko, points)
_REWARDS = (
    ("理发券", "Haircut voucher", "이발권", 50),
    ("一袋大米", "A bag of rice", "쌀 한 포대", 100),
    ("一次家政服务", "One home-cleaning visit", "가사 도우미 한 번", 200),
)

# (zh, en, ko, days from today, hour, minute, (place zh, en, ko), capacity)
_ACTIVITIES = (
    ("太极拳", "Tai chi", "태극권", 1, 9, 0, ("社区活动室", "Community activity room", "주민 활동실"), 30),
    ("书法班", "Calligraphy class", "서예 교실", 2, 14, 30, ("二楼书画室", "Painting room, 2nd floor", "2층 서화실"), 15),
    ("健康讲座", "Health talk", "건강 강좌", 3, 10, 0, ("社区卫生服务站", "Community health station", "주민 보건소"), None),
)


def seed_catalogue(session: Session, now: datetime | None = None) -> None:
    """The demo rewards, and the demo activities on the next three days (community time)."""
    for zh, en, ko, points in _REWARDS:
        add_reward(session, name_zh=zh, name_en=en, name_ko=ko, points=points, actor=DEMO_ACTOR)
    today = (now or datetime.now(COMMUNITY_ZONE)).astimezone(COMMUNITY_ZONE).date()
    for zh, en, ko, days, hour, minute, place, capacity in _ACTIVITIES:
        day = today + timedelta(days=days)
        starts = datetime(day.year, day.month, day.day, hour, minute, tzinfo=COMMUNITY_ZONE)
        add_activity(session, name_zh=zh, name_en=en, name_ko=ko, starts_at=starts,
                     place_zh=place[0], place_en=place[1], place_ko=place[2],
                     capacity=capacity, actor=DEMO_ACTOR)


@dataclass(frozen=True, slots=True)
class DemoInfo:
    """What `linli demo` needs to start a kiosk against the seeded server."""

    kiosk_id: uuid.UUID
    token: str
    resident_ids: list[uuid.UUID] = field(default_factory=list)
    wristband_ids: list[uuid.UUID] = field(default_factory=list)
    created: bool = True  # False when the data was there already


def seed_demo(session_or_engine: Session | Engine) -> DemoInfo:
    """Create the demo data once; later calls find it and only issue a fresh kiosk token.

    Only the token's hash is stored, so a second run cannot return the first token: it
    rotates it instead. Given a Session the caller commits; given an Engine this commits.
    """
    if isinstance(session_or_engine, Engine):
        with session_scope(session_or_engine) as session:
            return seed_demo(session)
    session = session_or_engine
    existing = session.scalars(select(Kiosk).where(Kiosk.name == DEMO_KIOSK_NAME)).first()
    if existing is not None:
        return _existing(session, existing)

    kiosk, token = register_kiosk(session, DEMO_KIOSK_NAME, "幸福路 12 号", "010-12345678", actor=DEMO_ACTOR)
    resident_ids: list[uuid.UUID] = []
    wristband_ids: list[uuid.UUID] = []
    for number, (name, language, caregivers, address, phone, ble, points) in enumerate(_RESIDENTS, 1):
        resident = create_resident(
            session, name, kiosk_id=kiosk.id, language=language, caregivers=caregivers,
            address=address, phone=phone, actor=DEMO_ACTOR,
        )
        band = pair_wristband(session, ble_address=ble, name=f"Linli-Band-{number:02d}",
                              resident_id=resident.id, actor=DEMO_ACTOR)
        if points:
            credit_points(session, resident.id, points, "社区志愿活动 volunteering", actor=DEMO_ACTOR)
        resident_ids.append(resident.id)
        wristband_ids.append(band.id)
    seed_catalogue(session)
    session.flush()
    return DemoInfo(kiosk.id, token, resident_ids, wristband_ids, created=True)


def _existing(session: Session, kiosk: Kiosk) -> DemoInfo:
    token = rotate_kiosk_token(session, kiosk.id, actor=DEMO_ACTOR)
    resident_ids = list(session.scalars(
        select(Resident.id).where(Resident.kiosk_id == kiosk.id).order_by(Resident.created_at)
    ))
    wristband_ids = list(session.scalars(
        select(Wristband.id).where(Wristband.resident_id.in_(resident_ids)).order_by(Wristband.name)
    ))
    return DemoInfo(kiosk.id, token, resident_ids, wristband_ids, created=False)
