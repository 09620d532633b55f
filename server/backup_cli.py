"""`linli admin backup` and `linli admin restore`: the database to a file and back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_backup_commands(commands: argparse._SubParsersAction, add_db: Any) -> None:  # type: ignore[type-arg]
    backup = commands.add_parser(
        "backup", help="a consistent copy of the database in a file (pg_dump on PostgreSQL)")
    add_db(backup)
    backup.add_argument("--out", required=True, type=Path, metavar="FILE")
    backup.set_defaults(handler=_backup)

    restore = commands.add_parser(
        "restore", help="replace the database with a backup (stop every server first); "
                        "kiosks then send again what they keep")
    add_db(restore)
    restore.add_argument("backup_file", type=Path, metavar="FILE")
    restore.add_argument("--yes", action="store_true",
                         help="do it: everything written after the backup is replaced")
    restore.set_defaults(handler=_restore)


def _url(args: argparse.Namespace) -> str:
    from server.settings import Settings

    return args.db or Settings().database_url


def _backup(args: argparse.Namespace) -> int:
    from server.backup import BackupError, backup

    try:
        path = backup(_url(args), args.out)
    except BackupError as exc:
        print(f"linli admin backup: {exc}", file=sys.stderr)
        return 1
    print(f"backed up to {path}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from server.backup import BackupError, restore

    if not args.yes:
        print("linli admin restore replaces the whole database with the backup; stop every "
              "`linli server` first, then run it again with --yes", file=sys.stderr)
        return 2
    try:
        incarnation = restore(_url(args), args.backup_file)
    except BackupError as exc:
        print(f"linli admin restore: {exc}", file=sys.stderr)
        return 1
    print(f"restored from {args.backup_file}; new incarnation {incarnation}: each kiosk sends "
          "again what it keeps on its next sync")
    return 0
