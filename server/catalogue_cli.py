"""`linli admin add-activity / list-activities / retire-activity` and the same for rewards."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable
from datetime import datetime


def _aware_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO time like 2026-11-26T09:00+08:00") from exc
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no zone; add one, e.g. +08:00")
    return value


def add_catalogue_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    add_db: Callable[[argparse.ArgumentParser], None],
) -> None:
    activity = commands.add_parser("add-activity",
                                   help="add an upcoming activity (sent to every kiosk)")
    add_db(activity)
    activity.add_argument("--name", required=True, help="Chinese name, e.g. 太极拳")
    activity.add_argument("--name-en")
    activity.add_argument("--name-ko")
    activity.add_argument("--starts", required=True, type=_aware_time, metavar="ISO_TIME",
                          help="start time with its zone, e.g. 2026-11-26T09:00+08:00")
    activity.add_argument("--place", required=True, help="Chinese place, e.g. 社区活动室")
    activity.add_argument("--place-en")
    activity.add_argument("--place-ko")
    activity.add_argument("--capacity", type=int, help="places in all (optional)")
    activity.set_defaults(handler=_add_activity)

    activities = commands.add_parser("list-activities", help="list activities")
    add_db(activities)
    activities.add_argument("--all", action="store_true", help="retired ones too")
    activities.set_defaults(handler=_list_activities)

    retire_activity = commands.add_parser("retire-activity", help="take an activity off every kiosk")
    add_db(retire_activity)
    retire_activity.add_argument("activity_id", type=uuid.UUID, metavar="ACTIVITY_ID")
    retire_activity.set_defaults(handler=_retire_activity)

    reward = commands.add_parser("add-reward", help="add a points reward (sent to every kiosk)")
    add_db(reward)
    reward.add_argument("--name", required=True, help="Chinese name, e.g. 一袋大米")
    reward.add_argument("--name-en")
    reward.add_argument("--name-ko")
    reward.add_argument("--points", required=True, type=int, help="what it costs in points")
    reward.set_defaults(handler=_add_reward)

    rewards = commands.add_parser("list-rewards", help="list rewards")
    add_db(rewards)
    rewards.add_argument("--all", action="store_true", help="retired ones too")
    rewards.set_defaults(handler=_list_rewards)

    retire_reward = commands.add_parser("retire-reward", help="take a reward off every kiosk")
    add_db(retire_reward)
    retire_reward.add_argument("reward_id", type=uuid.UUID, metavar="REWARD_ID")
    retire_reward.set_defaults(handler=_retire_reward)


def _state(active: bool) -> str:
    return "active " if active else "retired"


def _add_activity(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services.catalogue import add_activity

    def action(session) -> int:  # type: ignore[no-untyped-def]
        item = add_activity(
            session, name_zh=args.name, name_en=args.name_en, name_ko=args.name_ko,
            starts_at=args.starts, place_zh=args.place, place_en=args.place_en,
            place_ko=args.place_ko, capacity=args.capacity, actor="cli",
        )
        print(item.id)
        return 0

    return with_session(args, action)


def _list_activities(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services.catalogue import list_activities

    def action(session) -> int:  # type: ignore[no-untyped-def]
        items = list_activities(session, include_retired=args.all)
        if not items:
            print("no activities yet; add one with `linli admin add-activity`")
        for item in items:
            places = f"  {item.capacity} places" if item.capacity else ""
            print(f"{item.id}  {_state(item.active)}  {item.starts_at.isoformat()}  "
                  f"{item.name_zh}  @ {item.place_zh}{places}")
        return 0

    return with_session(args, action)


def _retire_activity(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services.catalogue import retire_activity

    def action(session) -> int:  # type: ignore[no-untyped-def]
        item = retire_activity(session, args.activity_id, actor="cli")
        print(f"activity {item.id} ({item.name_zh}) retired")
        return 0

    return with_session(args, action)


def _add_reward(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services.catalogue import add_reward

    def action(session) -> int:  # type: ignore[no-untyped-def]
        item = add_reward(session, name_zh=args.name, name_en=args.name_en,
                          name_ko=args.name_ko, points=args.points, actor="cli")
        print(item.id)
        return 0

    return with_session(args, action)


def _list_rewards(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services.catalogue import list_rewards

    def action(session) -> int:  # type: ignore[no-untyped-def]
        items = list_rewards(session, include_retired=args.all)
        if not items:
            print("no rewards yet; add one with `linli admin add-reward`")
        for item in items:
            print(f"{item.id}  {_state(item.active)}  {item.points:>6} points  {item.name_zh}")
        return 0

    return with_session(args, action)


def _retire_reward(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services.catalogue import retire_reward

    def action(session) -> int:  # type: ignore[no-untyped-def]
        item = retire_reward(session, args.reward_id, actor="cli")
        print(f"reward {item.id} ({item.name_zh}) retired")
        return 0

    return with_session(args, action)
