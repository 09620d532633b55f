"""The activities and rewards catalogue: what staff add and retire reaches every kiosk's feed."""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from server.cli import add_commands
from server.db import create_db_engine, session_scope
from server.demo_data import seed_demo
from server.errors import InvalidInputError, NotFoundError
from server.models import AuditEntry, PointsRedemption
from server.services import catalogue, directory, points
from server.services.feed import read_changes
from server.services.ingest import push_batch
from server.services.kiosks import register_kiosk, revoke_kiosk
from tests.server.factories import envelope

CST = timezone(timedelta(hours=8))


def _feed(session, kiosk_id, after=0):  # type: ignore[no-untyped-def]
    return [(c.kind.value, c.payload) for c in read_changes(session, kiosk_id, after, 1000).changes]


def _soon(days: int = 1, hour: int = 9) -> datetime:
    day = datetime.now(CST).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=CST)


def test_an_added_reward_and_activity_reach_every_active_kiosk_whole(session):
    a, _ = register_kiosk(session, "A")
    b, _ = register_kiosk(session, "B")
    gone, _ = register_kiosk(session, "Gone")
    revoke_kiosk(session, gone.id)
    rice = catalogue.add_reward(session, name_zh="一袋大米", name_en="A bag of rice", points=100)
    taichi = catalogue.add_activity(session, name_zh="太极拳", starts_at=_soon(), place_zh="社区活动室",
                                    place_en="Activity room", capacity=30)
    session.commit()

    expected = [
        ("reward", {"reward_id": str(rice.id), "name": {"zh": "一袋大米", "en": "A bag of rice", "ko": None},
                    "points": 100, "active": True}),
        ("activity", {"activity_id": str(taichi.id), "name": {"zh": "太极拳", "en": None, "ko": None},
                      "starts_at": _soon().astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
                      "place": {"zh": "社区活动室", "en": "Activity room", "ko": None},
                      "capacity": 30, "active": True}),
    ]
    assert _feed(session, a.id, after=1) == expected
    assert _feed(session, b.id, after=1) == expected
    assert _feed(session, gone.id, after=1) == []  # a revoked kiosk is not told


def test_retiring_sends_the_item_inactive_once(session):
    kiosk, _ = register_kiosk(session, "A")
    haircut = catalogue.add_reward(session, name_zh="理发券", points=50)
    lecture = catalogue.add_activity(session, name_zh="健康讲座", starts_at=_soon(3), place_zh="卫生站")
    session.commit()
    before = len(_feed(session, kiosk.id))

    catalogue.retire_reward(session, haircut.id)
    catalogue.retire_activity(session, lecture.id)
    catalogue.retire_reward(session, haircut.id)  # twice: nothing more is sent
    session.commit()
    retired = _feed(session, kiosk.id, after=before)
    assert [(kind, payload["active"]) for kind, payload in retired] == [("reward", False),
                                                                        ("activity", False)]
    assert catalogue.list_rewards(session) == []
    assert [r.id for r in catalogue.list_rewards(session, include_retired=True)] == [haircut.id]
    actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("reward.retired") == 1 and "activity.retired" in actions


def test_a_kiosk_registered_later_starts_with_the_current_catalogue(session):
    catalogue.add_reward(session, name_zh="一袋大米", points=100)
    old = catalogue.add_reward(session, name_zh="旧奖品", points=10)
    catalogue.retire_reward(session, old.id)
    catalogue.add_activity(session, name_zh="书法班", starts_at=_soon(2), place_zh="书画室")
    catalogue.add_activity(session, name_zh="昨天的活动", starts_at=_soon(-1), place_zh="活动室")
    session.commit()

    kiosk, _ = register_kiosk(session, "New")
    session.commit()
    feed = _feed(session, kiosk.id)
    assert [kind for kind, _ in feed] == ["kiosk_info", "activity", "reward"]
    assert feed[1][1]["name"]["zh"] == "书法班"  # not retired, not already begun
    assert feed[2][1]["name"]["zh"] == "一袋大米"


def test_bad_catalogue_input_is_refused_with_a_clear_message(session):
    with pytest.raises(InvalidInputError, match="Chinese name"):
        catalogue.add_reward(session, name_zh="  ", points=10)
    with pytest.raises(InvalidInputError, match="between 1 and 100000"):
        catalogue.add_reward(session, name_zh="大米", points=0)
    with pytest.raises(InvalidInputError, match="zone"):
        catalogue.add_activity(session, name_zh="太极拳", starts_at=datetime(2026, 12, 1, 9),
                               place_zh="活动室")
    with pytest.raises(InvalidInputError, match="capacity"):
        catalogue.add_activity(session, name_zh="太极拳", starts_at=_soon(), place_zh="活动室",
                               capacity=0)
    with pytest.raises(NotFoundError, match="list-activities"):
        catalogue.retire_activity(session, uuid.uuid4())


def _push(session, kiosk_id, records):  # type: ignore[no-untyped-def]
    return push_batch(session, kiosk_id, json.dumps({"records": records}).encode(), max_batch=1000)


def test_redeeming_a_reward_dearer_than_the_balance_spends_nothing_and_says_why(session):
    kiosk, _ = register_kiosk(session, "A")
    resident = directory.create_resident(session, "李建国", kiosk_id=kiosk.id)
    points.credit_points(session, resident.id, 40, "volunteering")
    rice = catalogue.add_reward(session, name_zh="一袋大米", points=100)
    haircut = catalogue.add_reward(session, name_zh="理发券", points=50)
    session.commit()

    def redeem(reward):  # type: ignore[no-untyped-def]
        return envelope(kiosk.id, "points_redemption", {
            "resident_id": str(resident.id), "catalogue_item_id": str(reward.id),
            "catalogue_item_name": reward.name_zh, "points": reward.points})

    too_dear = redeem(rice)
    before = len(_feed(session, kiosk.id))
    assert _push(session, kiosk.id, [too_dear]).accepted == 1
    assert points.balance_of(session, resident.id) == 40
    assert _feed(session, kiosk.id, after=before) == [("request_status", {
        "request_id": too_dear["id"], "status": "cancelled", "handled_by": None,
        "note": "insufficient_points"})]
    row = session.scalars(select(PointsRedemption)).one()
    assert (row.status, row.ledger_entry_id) == ("cancelled", None)

    points.credit_points(session, resident.id, 20, "volunteering")
    session.commit()
    fits = redeem(haircut)
    before = len(_feed(session, kiosk.id))
    assert _push(session, kiosk.id, [fits]).accepted == 1
    assert points.balance_of(session, resident.id) == 10
    told = _feed(session, kiosk.id, after=before)
    assert [kind for kind, _ in told] == ["points_entry", "request_status"]
    assert (told[0][1]["delta"], told[0][1]["balance_after"]) == (-50, 10)
    assert told[1][1]["status"] == "received"


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="linli")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.handler(args)


def test_admin_catalogue_commands(db_url, capsys):
    assert _run("admin", "register-kiosk", "--db", db_url, "--name", "Lobby") == 0
    kiosk_id = uuid.UUID(capsys.readouterr().out.split("kiosk id:")[1].split()[0])
    starts = _soon(2, 14).isoformat()
    assert _run("admin", "add-activity", "--db", db_url, "--name", "书法班", "--name-en",
                "Calligraphy", "--starts", starts, "--place", "二楼书画室", "--capacity", "15") == 0
    activity_id = capsys.readouterr().out.strip()
    assert _run("admin", "add-reward", "--db", db_url, "--name", "一次家政服务", "--points", "200") == 0
    reward_id = capsys.readouterr().out.strip()

    assert _run("admin", "list-activities", "--db", db_url) == 0
    listed = capsys.readouterr().out
    assert activity_id in listed and "书法班" in listed and "15 places" in listed
    assert _run("admin", "retire-reward", "--db", db_url, reward_id) == 0
    assert "retired" in capsys.readouterr().out
    assert _run("admin", "list-rewards", "--db", db_url) == 0
    assert "no rewards yet" in capsys.readouterr().out
    assert _run("admin", "list-rewards", "--db", db_url, "--all") == 0
    assert f"{reward_id}  retired" in capsys.readouterr().out

    assert _run("admin", "add-reward", "--db", db_url, "--name", "大米", "--points", "-5") == 1
    assert "between 1 and 100000" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # a time without a zone is refused by the parser
        _run("admin", "add-activity", "--db", db_url, "--name", "太极拳",
             "--starts", "2026-12-01T09:00", "--place", "活动室")
    assert "no zone" in capsys.readouterr().err

    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            kinds = [kind for kind, _ in _feed(session, kiosk_id)]
    finally:
        engine.dispose()
    assert kinds == ["kiosk_info", "activity", "reward", "reward"]


def test_the_demo_seeds_rewards_and_activities_in_the_coming_days(migrated_engine):
    info = seed_demo(migrated_engine)
    with session_scope(migrated_engine) as session:
        rewards = {r.name_zh: r.points for r in catalogue.list_rewards(session)}
        activities = catalogue.list_activities(session)
        feed_kinds = [kind for kind, _ in _feed(session, info.kiosk_id)]
    assert rewards == {"理发券": 50, "一袋大米": 100, "一次家政服务": 200}
    assert [a.name_zh for a in activities] == ["太极拳", "书法班", "健康讲座"]
    now = datetime.now(timezone.utc)
    assert all(now < a.starts_at < now + timedelta(days=4) for a in activities)
    assert feed_kinds.count("reward") == 3 and feed_kinds.count("activity") == 3
