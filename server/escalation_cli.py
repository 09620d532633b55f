"""`linli admin set-escalation` and `show-escalation`: a resident's escalation chain."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable

from server.errors import InvalidInputError


def add_escalation_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    add_db: Callable[[argparse.ArgumentParser], None],
) -> None:
    chain = commands.add_parser(
        "set-escalation", help="set who a resident's unanswered alarm goes to, and when",
        description="Each --step is SECONDS TARGET [WEBHOOK_URL], in order. Targets: "
                    "first_caregiver, other_caregivers, caregivers, grid_staff, admins, "
                    "account:USERNAME. Example: --step 0 first_caregiver --step 60 "
                    "other_caregivers --step 180 grid_staff https://sms.example/hook")
    add_db(chain)
    chain.add_argument("--resident", required=True, type=uuid.UUID, metavar="RESIDENT_ID")
    steps = chain.add_mutually_exclusive_group(required=True)
    steps.add_argument("--step", nargs="+", action="append", metavar="ARG",
                       help="SECONDS TARGET [WEBHOOK_URL] (repeat, in order)")
    steps.add_argument("--default", action="store_true", help="use the default chain again")
    chain.set_defaults(handler=_set_escalation)

    show = commands.add_parser("show-escalation", help="print a resident's escalation chain")
    add_db(show)
    show.add_argument("--resident", required=True, type=uuid.UUID, metavar="RESIDENT_ID")
    show.set_defaults(handler=_show_escalation)


def _parse_steps(raw: list[list[str]]):  # type: ignore[no-untyped-def]
    from server.services.escalation_chains import Step

    steps = []
    for number, args in enumerate(raw, start=1):
        if len(args) not in (2, 3):
            raise InvalidInputError(f"step {number}: give SECONDS TARGET [WEBHOOK_URL]")
        try:
            seconds = int(args[0])
        except ValueError:
            raise InvalidInputError(f"step {number}: {args[0]!r} is not a number of seconds") from None
        steps.append(Step(seconds, args[1], args[2] if len(args) == 3 else None))
    return steps


def _print(steps, own: bool) -> None:  # type: ignore[no-untyped-def]
    print("own chain" if own else "default chain")
    for number, step in enumerate(steps, start=1):
        hook = f"  webhook {step.webhook}" if step.webhook else ""
        print(f"{number}. after {step.after_seconds:>5} s  {step.target}{hook}")


def _set_escalation(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services.escalation_chains import set_chain

    def action(session) -> int:  # type: ignore[no-untyped-def]
        steps = None if args.default else _parse_steps(args.step)
        _print(set_chain(session, args.resident, steps, actor="cli"), own=steps is not None)
        return 0

    return with_session(args, action)


def _show_escalation(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services.directory import get_resident
    from server.services.escalation_chains import chain_for

    def action(session) -> int:  # type: ignore[no-untyped-def]
        get_resident(session, args.resident)
        _print(*chain_for(session, args.resident))
        return 0

    return with_session(args, action)
