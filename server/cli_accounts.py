"""`linli admin` commands for web accounts, grids and who looks after whom."""

from __future__ import annotations

import argparse
import getpass
import sys
import uuid
from typing import Any

ROLES = ["caregiver", "volunteer", "staff", "admin"]


def add_account_commands(commands: argparse._SubParsersAction, add_db: Any) -> None:  # type: ignore[type-arg]
    create = commands.add_parser("create-account", help="create a web account (asks for the password)")
    add_db(create)
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", help="display name (the kiosk says '<name> is coming')")
    create.add_argument("--language", choices=["zh", "en", "ko"], default="zh")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input instead of asking")
    create.add_argument("--resident", type=uuid.UUID, action="append", default=[], metavar="RESIDENT_ID",
                        help="caregiver: a resident this account looks after (repeatable)")
    create.add_argument("--grid", type=uuid.UUID, action="append", default=[], metavar="GRID_ID",
                        help="staff: a grid this account works in (repeatable)")
    create.set_defaults(handler=_create_account)

    password = commands.add_parser("set-password", help="set a web account's password")
    add_db(password)
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(handler=_set_password)

    disable = commands.add_parser("disable-account", help="disable a web account and sign it out")
    add_db(disable)
    disable.add_argument("username")
    disable.set_defaults(handler=_disable_account)

    listing = commands.add_parser("list-accounts", help="list web accounts")
    add_db(listing)
    listing.set_defaults(handler=_list_accounts)

    link = commands.add_parser("link-caregiver", help="let a caregiver account see a resident")
    add_db(link)
    link.add_argument("username")
    link.add_argument("--resident", required=True, type=uuid.UUID, metavar="RESIDENT_ID")
    link.set_defaults(handler=_link_caregiver)

    grid = commands.add_parser("add-grid", help="add a neighbourhood grid (网格)")
    add_db(grid)
    grid.add_argument("--name", required=True)
    grid.set_defaults(handler=_add_grid)

    grids = commands.add_parser("list-grids", help="list grids")
    add_db(grids)
    grids.set_defaults(handler=_list_grids)

    assign = commands.add_parser("assign-grid", help="let a staff account work in a grid")
    add_db(assign)
    assign.add_argument("username")
    assign.add_argument("--grid", required=True, type=uuid.UUID, metavar="GRID_ID")
    assign.set_defaults(handler=_assign_grid)

    place = commands.add_parser("place-resident", help="put a resident in a grid")
    add_db(place)
    place.add_argument("--resident", required=True, type=uuid.UUID, metavar="RESIDENT_ID")
    place.add_argument("--grid", required=True, type=uuid.UUID, metavar="GRID_ID")
    place.set_defaults(handler=_place_resident)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("error: the two passwords differ; nothing was changed")
    return first


def _account(session, username: str):  # type: ignore[no-untyped-def]
    from server.errors import NotFoundError
    from server.services.accounts import find_account

    account = find_account(session, username)
    if account is None:
        raise NotFoundError(f"no account named {username!r}")
    return account


def _create_account(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services import accounts

    password = _read_password(args)

    def action(session) -> int:  # type: ignore[no-untyped-def]
        account = accounts.create_account(
            session, args.username, password, args.role, display_name=args.name,
            language=args.language, actor="cli")
        for resident_id in args.resident:
            accounts.link_caregiver(session, account, resident_id, actor="cli")
        for grid_id in args.grid:
            accounts.assign_staff_grid(session, account, grid_id, actor="cli")
        print(account.id)
        return 0

    return with_session(args, action)


def _set_password(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services import accounts

    password = _read_password(args)
    return with_session(args, lambda session: accounts.set_password(
        session, _account(session, args.username), password, actor="cli") or 0)


def _disable_account(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services import accounts

    return with_session(args, lambda session: accounts.disable_account(
        session, _account(session, args.username), actor="cli") or 0)


def _list_accounts(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services import accounts

    def action(session) -> int:  # type: ignore[no-untyped-def]
        for account in accounts.list_accounts(session):
            state = "disabled" if account.disabled_at else "active"
            print(f"{account.id}  {account.role:9}  {state:8}  {account.username}  {account.display_name}")
        return 0

    return with_session(args, action)


def _link_caregiver(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services import accounts

    return with_session(args, lambda session: accounts.link_caregiver(
        session, _account(session, args.username), args.resident, actor="cli") and 0)


def _add_grid(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services import accounts

    def action(session) -> int:  # type: ignore[no-untyped-def]
        print(accounts.create_grid(session, args.name, actor="cli").id)
        return 0

    return with_session(args, action)


def _list_grids(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services import accounts

    def action(session) -> int:  # type: ignore[no-untyped-def]
        for grid in accounts.list_grids(session):
            print(f"{grid.id}  {grid.name}")
        return 0

    return with_session(args, action)


def _assign_grid(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services import accounts

    return with_session(args, lambda session: accounts.assign_staff_grid(
        session, _account(session, args.username), args.grid, actor="cli") or 0)


def _place_resident(args: argparse.Namespace) -> int:
    from server.cli import with_session
    from server.services import accounts

    return with_session(args, lambda session: accounts.place_resident(
        session, args.resident, args.grid, actor="cli") or 0)
