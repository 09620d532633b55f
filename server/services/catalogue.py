"""The activities and rewards catalogue, and how each change reaches every kiosk's feed.

Every change (added, edited, retired) sends the whole item as an `activity` or `reward`
change to each kiosk that is not revoked, so a kiosk only ever upserts. A kiosk registered
later gets the current catalogue in its first page (see `current_catalogue`).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidInputError, NotFoundError
from server.models import Activity, Kiosk, Reward, utcnow
from server.services.audit import audit
from server.services.feed import PendingChange, append_changes
from sync import records as wire
from sync.records import CatalogueName, ChangeKind

log = logging.getLogger(__name__)

MAX_NAME = 200


def activity_entry(activity: Activity) -> wire.Activity:
    return wire.Activity(
        activity_id=activity.id,
        name=CatalogueName(zh=activity.name_zh, en=activity.name_en, ko=activity.name_ko),
        # Always UTC on the wire, whether the row was just made or read back.
        starts_at=activity.starts_at.astimezone(timezone.utc),
        place=CatalogueName(zh=activity.place_zh, en=activity.place_en, ko=activity.place_ko),
        capacity=activity.capacity,
        active=activity.active,
    )


def reward_entry(reward: Reward) -> wire.Reward:
    return wire.Reward(
        reward_id=reward.id,
        name=CatalogueName(zh=reward.name_zh, en=reward.name_en, ko=reward.name_ko),
        points=reward.points,
        active=reward.active,
    )


def _text(value: str | None, what: str, *, required: bool = False) -> str | None:
    value = (value or "").strip() or None
    if value is None:
        if required:
            raise InvalidInputError(f"{what} must not be empty")
        return None
    if len(value) > MAX_NAME or "\x00" in value:
        raise InvalidInputError(f"{what} must be at most {MAX_NAME} characters of plain text")
    return value


def add_activity(
    session: Session,
    *,
    name_zh: str,
    starts_at: datetime,
    place_zh: str,
    name_en: str | None = None,
    name_ko: str | None = None,
    place_en: str | None = None,
    place_ko: str | None = None,
    capacity: int | None = None,
    actor: str = "admin",
) -> Activity:
    """Add an upcoming activity; every active kiosk's feed gets it."""
    if starts_at.tzinfo is None:
        raise InvalidInputError("the start time needs a zone, e.g. 2026-11-26T09:00+08:00")
    if capacity is not None and not 0 < capacity <= 10_000:
        raise InvalidInputError("capacity must be between 1 and 10000 places")
    now = utcnow()
    activity = Activity(
        id=uuid.uuid4(),
        name_zh=_text(name_zh, "the Chinese name", required=True),
        name_en=_text(name_en, "the English name"),
        name_ko=_text(name_ko, "the Korean name"),
        starts_at=starts_at,
        place_zh=_text(place_zh, "the place (Chinese)", required=True),
        place_en=_text(place_en, "the place (English)"),
        place_ko=_text(place_ko, "the place (Korean)"),
        capacity=capacity,
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(activity)
    session.flush()
    kiosks = _fan_out(session, [(ChangeKind.ACTIVITY, activity_entry(activity))])
    audit(session, actor=actor, action="activity.added", target=f"activity:{activity.id}",
          detail={"name": activity.name_zh, "kiosks": kiosks})
    log.info("activity %s (%s) added; sent to %d kiosk(s)", activity.id, activity.name_zh, kiosks)
    return activity


def add_reward(
    session: Session,
    *,
    name_zh: str,
    points: int,
    name_en: str | None = None,
    name_ko: str | None = None,
    description: str | None = None,
    actor: str = "admin",
) -> Reward:
    """Add a reward residents can redeem points for; every active kiosk's feed gets it."""
    _check_points(points)
    now = utcnow()
    reward = Reward(
        id=uuid.uuid4(),
        name_zh=_text(name_zh, "the Chinese name", required=True),
        name_en=_text(name_en, "the English name"),
        name_ko=_text(name_ko, "the Korean name"),
        points=points,
        description=_description(description),
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(reward)
    session.flush()
    kiosks = _fan_out(session, [(ChangeKind.REWARD, reward_entry(reward))])
    audit(session, actor=actor, action="reward.added", target=f"reward:{reward.id}",
          detail={"name": reward.name_zh, "points": points, "kiosks": kiosks})
    log.info("reward %s (%s, %d points) added", reward.id, reward.name_zh, points)
    return reward


def edit_reward(
    session: Session,
    reward_id: uuid.UUID,
    *,
    name_zh: str,
    points: int,
    name_en: str | None = None,
    name_ko: str | None = None,
    description: str | None = None,
    actor: str = "admin",
) -> Reward:
    """Change a reward's names, cost or description; a name or cost change reaches every kiosk.

    A redemption already made keeps the points it cost then (its ledger line says so).
    """
    reward = session.get(Reward, reward_id)
    if reward is None:
        raise NotFoundError(f"no reward with id {reward_id}; `linli admin list-rewards` lists them")
    _check_points(points)
    before = reward_entry(reward)
    old = {"name": reward.name_zh, "points": reward.points}
    reward.name_zh = _text(name_zh, "the Chinese name", required=True)  # type: ignore[assignment]
    reward.name_en = _text(name_en, "the English name")
    reward.name_ko = _text(name_ko, "the Korean name")
    reward.points = points
    reward.description = _description(description)
    reward.updated_at = utcnow()
    session.flush()
    entry = reward_entry(reward)
    # The description is not on the wire: kiosks hear of an edit only when it shows there.
    kiosks = _fan_out(session, [(ChangeKind.REWARD, entry)]) if entry != before else 0
    audit(session, actor=actor, action="reward.edited", target=f"reward:{reward.id}",
          detail={"before": old, "name": reward.name_zh, "points": points, "kiosks": kiosks})
    log.info("reward %s edited (%s, %d points); sent to %d kiosk(s)",
             reward.id, reward.name_zh, points, kiosks)
    return reward


def _check_points(points: int) -> None:
    if not 0 < points <= 100_000:
        raise InvalidInputError("a reward must cost between 1 and 100000 points")


def _description(value: str | None) -> str | None:
    value = (value or "").strip() or None
    if value is not None and (len(value) > 1000 or "\x00" in value):
        raise InvalidInputError("a description must be at most 1000 characters of plain text")
    return value


def retire_activity(session: Session, activity_id: uuid.UUID, *, actor: str = "admin") -> Activity:
    """Take an activity off every kiosk; retiring twice is a no-op."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFoundError(
            f"no activity with id {activity_id}; `linli admin list-activities` lists them")
    if activity.active:
        activity.active = False
        activity.updated_at = utcnow()
        session.flush()
        _fan_out(session, [(ChangeKind.ACTIVITY, activity_entry(activity))])
        audit(session, actor=actor, action="activity.retired", target=f"activity:{activity.id}")
    return activity


def retire_reward(session: Session, reward_id: uuid.UUID, *, actor: str = "admin") -> Reward:
    """Take a reward off every kiosk; retiring twice is a no-op."""
    reward = session.get(Reward, reward_id)
    if reward is None:
        raise NotFoundError(f"no reward with id {reward_id}; `linli admin list-rewards` lists them")
    if reward.active:
        reward.active = False
        reward.updated_at = utcnow()
        session.flush()
        _fan_out(session, [(ChangeKind.REWARD, reward_entry(reward))])
        audit(session, actor=actor, action="reward.retired", target=f"reward:{reward.id}")
    return reward


def list_activities(session: Session, *, include_retired: bool = False) -> list[Activity]:
    query = select(Activity).order_by(Activity.starts_at, Activity.name_zh)
    if not include_retired:
        query = query.where(Activity.active.is_(True))
    return list(session.scalars(query))


def list_rewards(session: Session, *, include_retired: bool = False) -> list[Reward]:
    query = select(Reward).order_by(Reward.points, Reward.name_zh)
    if not include_retired:
        query = query.where(Reward.active.is_(True))
    return list(session.scalars(query))


def current_catalogue(session: Session) -> list[PendingChange]:
    """The active items, as the changes a newly registered kiosk starts with.

    Activities already begun are left out: no kiosk could book them any more.
    """
    now = utcnow()
    activities = session.scalars(
        select(Activity)
        .where(Activity.active.is_(True), Activity.starts_at >= now)
        .order_by(Activity.starts_at)
    )
    changes: list[PendingChange] = [(ChangeKind.ACTIVITY, activity_entry(a)) for a in activities]
    changes += [(ChangeKind.REWARD, reward_entry(r)) for r in list_rewards(session)]
    return changes


def _fan_out(session: Session, changes: list[PendingChange]) -> int:
    """Append `changes` to every kiosk not revoked, in kiosk id order; returns how many.

    Feed appends lock kiosk rows: one global order means two catalogue edits at once
    cannot deadlock each other (or a directory change, which sorts the same way).
    """
    kiosk_ids = sorted(session.scalars(select(Kiosk.id).where(Kiosk.revoked_at.is_(None))))
    for kiosk_id in kiosk_ids:
        append_changes(session, kiosk_id, changes)
    return len(kiosk_ids)
