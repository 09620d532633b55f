"""The `linli server` and `linli admin ...` subcommands."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `server` and `admin` to the `linli` command's subparsers."""
    server = subparsers.add_parser("server", help="run the central server (migrates the database first)")
    _add_db(server)
    server.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    server.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    server.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    # Off by default: the reverse proxy keeps the access log (deploy/server/nginx-linli.conf),
    # and one line per kiosk request is about 6% of a sync request's CPU here.
    server.add_argument("--access-log", action="store_true",
                        help="log every request (default: off; the reverse proxy logs them)")
    server.set_defaults(handler=_run_server)

    admin = subparsers.add_parser(
        "admin", help="manage kiosks, residents, wristbands, accounts, grids, activities and rewards")
    commands = admin.add_subparsers(dest="admin_command", metavar="ADMIN_COMMAND", required=True)

    register = commands.add_parser("register-kiosk", help="register a kiosk and print its token once")
    _add_db(register)
    register.add_argument("--name", required=True)
    register.add_argument("--location")
    register.add_argument("--phone", help="community phone number the kiosk shows as a fallback")
    register.set_defaults(handler=_register_kiosk)

    revoke = commands.add_parser("revoke-kiosk", help="stop accepting a kiosk's token")
    _add_db(revoke)
    revoke.add_argument("kiosk_id", type=uuid.UUID, metavar="KIOSK_ID")
    revoke.set_defaults(handler=_revoke_kiosk)

    listing = commands.add_parser("list-kiosks", help="list kiosks")
    _add_db(listing)
    listing.set_defaults(handler=_list_kiosks)

    resident = commands.add_parser("add-resident", help="add a resident to a kiosk's directory")
    _add_db(resident)
    resident.add_argument("--name", required=True, help="display name shown on the kiosk")
    resident.add_argument("--kiosk", required=True, type=uuid.UUID, metavar="KIOSK_ID")
    resident.add_argument("--language", choices=["zh", "en", "ko"], default="zh")
    resident.add_argument("--caregiver", action="append", default=[], metavar="NAME",
                          help="a caregiver's display name (repeatable)")
    resident.add_argument("--address", help="kept on the server only")
    resident.add_argument("--phone", help="kept on the server only")
    resident.add_argument("--birth-year", type=int, metavar="YEAR",
                          help="kept on the server only (age in the resident segments)")
    resident.set_defaults(handler=_add_resident)

    birth = commands.add_parser("set-birth-year", help="set (or clear) a resident's birth year")
    _add_db(birth)
    birth.add_argument("--resident", required=True, type=uuid.UUID, metavar="RESIDENT_ID")
    birth_year = birth.add_mutually_exclusive_group(required=True)
    birth_year.add_argument("--year", type=int, metavar="YEAR")
    birth_year.add_argument("--clear", action="store_true", help="forget the birth year")
    birth.set_defaults(handler=_set_birth_year)

    pair = commands.add_parser("pair-wristband", help="pair a wristband with a resident")
    _add_db(pair)
    pair.add_argument("--address", required=True, metavar="BLE_ADDR")
    pair.add_argument("--name", required=True, help="advertised name, e.g. Linli-Band-01")
    pair.add_argument("--resident", required=True, type=uuid.UUID, metavar="RESIDENT_ID")
    pair.set_defaults(handler=_pair_wristband)

    from server.cli_accounts import add_account_commands

    add_account_commands(commands, _add_db)

    from server.catalogue_cli import add_catalogue_commands

    add_catalogue_commands(commands, _add_db)

    from server.backup_cli import add_backup_commands

    add_backup_commands(commands, _add_db)
    from server.escalation_cli import add_escalation_commands

    add_escalation_commands(commands, _add_db)


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL",
                        help="database URL (default: $LINLI_DATABASE_URL or sqlite:///linli-server.sqlite3)")


def _database_url(args: argparse.Namespace) -> str:
    from server.settings import Settings

    return args.db or Settings().database_url


def _migrated_engine(args: argparse.Namespace) -> Engine:
    from server.db import create_db_engine, upgrade

    engine = create_db_engine(_database_url(args))
    upgrade(engine)
    return engine


def _run_server(args: argparse.Namespace) -> int:
    import uvicorn

    from server.db import upgrade

    url = _database_url(args)
    if args.workers > 1 and url.startswith("sqlite"):
        # Live alerts fan out across processes only through PostgreSQL (docs/WEB.md).
        log.warning("SQLite with %d workers: a console sees live alerts only from its own "
                    "worker; use PostgreSQL for several processes", args.workers)
    upgrade(url)
    # Worker processes build their own app from the environment, so the URL goes there.
    os.environ["LINLI_DATABASE_URL"] = url
    log.info("serving on http://%s:%d with %d worker(s)", args.host, args.port, args.workers)
    uvicorn.run("server.app:serve_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, access_log=args.access_log)
    return 0


def with_session(args: argparse.Namespace, action: Callable[..., int]) -> int:
    """Run `action(session)` on the migrated database in one transaction; errors as one line."""
    from server.db import session_scope
    from server.errors import ServerError

    engine = _migrated_engine(args)
    try:
        with session_scope(engine) as session:
            return action(session)
    except ServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()


def _register_kiosk(args: argparse.Namespace) -> int:
    from server.services.kiosks import register_kiosk

    def action(session) -> int:  # type: ignore[no-untyped-def]
        kiosk, token = register_kiosk(session, args.name, args.location, args.phone, actor="cli")
        print(f"kiosk id: {kiosk.id}")
        print(f"token:    {token}")
        print("Keep the token now: it will not be shown again (only its hash is stored).")
        return 0

    return with_session(args, action)


def _revoke_kiosk(args: argparse.Namespace) -> int:
    from server.services.kiosks import revoke_kiosk

    def action(session) -> int:  # type: ignore[no-untyped-def]
        kiosk = revoke_kiosk(session, args.kiosk_id, actor="cli")
        print(f"kiosk {kiosk.id} ({kiosk.name}) revoked at {kiosk.revoked_at:%Y-%m-%d %H:%M:%S %Z}")
        return 0

    return with_session(args, action)


def _list_kiosks(args: argparse.Namespace) -> int:
    from server.services.kiosks import list_kiosks

    def action(session) -> int:  # type: ignore[no-untyped-def]
        kiosks = list_kiosks(session)
        if not kiosks:
            print("no kiosks yet; add one with `linli admin register-kiosk --name NAME`")
        for kiosk in kiosks:
            state = "revoked" if kiosk.revoked_at else "active"
            print(f"{kiosk.id}  {state:7}  {kiosk.name}  {kiosk.location or ''}".rstrip())
        return 0

    return with_session(args, action)


def _add_resident(args: argparse.Namespace) -> int:
    from server.services.directory import create_resident

    def action(session) -> int:  # type: ignore[no-untyped-def]
        resident = create_resident(
            session, args.name, kiosk_id=args.kiosk, language=args.language,
            caregivers=args.caregiver, address=args.address, phone=args.phone,
            birth_year=args.birth_year, actor="cli",
        )
        print(resident.id)
        return 0

    return with_session(args, action)


def _set_birth_year(args: argparse.Namespace) -> int:
    from server.services.directory import set_birth_year

    return with_session(args, lambda session: set_birth_year(
        session, args.resident, None if args.clear else args.year, actor="cli") and 0)


def _pair_wristband(args: argparse.Namespace) -> int:
    from server.services.directory import pair_wristband

    def action(session) -> int:  # type: ignore[no-untyped-def]
        wristband = pair_wristband(session, ble_address=args.address, name=args.name,
                                   resident_id=args.resident, actor="cli")
        print(wristband.id)
        return 0

    return with_session(args, action)
