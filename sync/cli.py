"""`linli sync ...`: inspect a kiosk's outbox and run sync by hand."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

DEFAULT_STORE = Path("~/.local/share/linli/kiosk.sqlite3")
STORE_ENV = "LINLI_KIOSK_STORE"
TOKEN_ENV = "LINLI_KIOSK_TOKEN"

# Exit codes of `linli sync run --once`, so scripts can tell the cases apart.
EXIT_OK = 0
EXIT_UNREACHABLE = 3
EXIT_NOT_AUTHORISED = 4
EXIT_ERROR = 1


def default_store_path() -> Path:
    """$LINLI_KIOSK_STORE, else ~/.local/share/linli/kiosk.sqlite3."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE).expanduser()


def add_commands(subparsers: Any) -> None:
    """Add `sync status` and `sync run` to the `linli` command."""
    sync = subparsers.add_parser("sync", help="the kiosk's outbox and its sync with the server")
    commands = sync.add_subparsers(dest="sync_command", metavar="SYNC_COMMAND", required=True)

    store_help = f"kiosk store file (default: ${STORE_ENV} or {DEFAULT_STORE})"
    status = commands.add_parser("status", help="show pending, sent and dead records")
    status.add_argument("--store", type=Path, default=None, help=store_help)
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(handler=_status)

    run = commands.add_parser("run", help="sync the kiosk store with the server")
    run.add_argument("--store", type=Path, default=None, help=store_help)
    run.add_argument("--server", required=True, help="server base URL, e.g. http://10.0.0.2:8000")
    run.add_argument(
        "--token",
        default=None,
        help=f"kiosk token (default: ${TOKEN_ENV}; the environment keeps it out of `ps`)",
    )
    run.add_argument("--once", action="store_true", help="run one cycle and exit")
    run.add_argument("--interval", type=float, default=5.0, help="seconds between cycles")
    run.add_argument("--batch-size", type=int, default=500, help="records per push")
    run.set_defaults(handler=_run)


def _status(args: argparse.Namespace) -> int:
    from sync.errors import SyncError
    from sync.store import LocalStore

    path = args.store or default_store_path()
    try:
        with LocalStore.open_existing(path) as store:
            status = store.outbox_status()
    except SyncError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps({"store": str(path), **status.as_dict()}, ensure_ascii=False))
        return EXIT_OK

    def when(value: Any) -> str:
        return value.isoformat(timespec="seconds") if value is not None else "never"

    print(f"store:            {path}")
    print(f"kiosk:            {status.kiosk_id}")
    if status.not_authorised:
        print(f"NOT AUTHORISED:   {status.not_authorised_code} - syncing is stopped; "
              "configure a new kiosk token")
    print(f"pending:          {status.pending} ({status.urgent_pending} urgent)")
    if status.pending:
        print(f"oldest pending:   {when(status.oldest_pending_at)}")
    print(f"sent:             {status.sent}")
    print(f"dead:             {status.dead_count}")
    for item in status.dead:
        print(f"  {item.record_id} {item.kind}: {item.code} - {item.reason}")
    print(f"last success:     {when(status.last_success_at)}")
    if status.last_error:
        print(f"last error:       {status.last_error}")
    print(f"pull cursor:      {status.cursor}")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from sync.client import SyncClient
    from sync.engine import Syncer, SyncOutcome
    from sync.errors import SyncError
    from sync.kiosk_token import kiosk_id_from_token
    from sync.loop import SyncLoop, SyncStatus
    from sync.store import LocalStore

    token = (args.token or os.environ.get(TOKEN_ENV) or "").strip()
    if not token:
        print(f"error: give the kiosk token with --token or ${TOKEN_ENV}", file=sys.stderr)
        return EXIT_ERROR
    path = args.store or default_store_path()
    try:
        kiosk_id = kiosk_id_from_token(token)
        store = LocalStore.open(path, kiosk_id)
        client = SyncClient(args.server, token)
    except SyncError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    try:
        syncer = Syncer(store, client, batch_size=args.batch_size)
        if args.once:
            report = syncer.sync_once()
            print(json.dumps({
                "outcome": report.outcome.value, "sent": report.sent, "dead": report.dead,
                "retry_scheduled": report.retry_scheduled, "pulled": report.pulled,
                "pending": store.outbox_status().pending, "message": report.message,
                "seconds": round(report.duration, 3),
            }, ensure_ascii=False))
            return {
                SyncOutcome.SYNCED: EXIT_OK,
                SyncOutcome.NOT_AUTHORISED: EXIT_NOT_AUTHORISED,
                SyncOutcome.SERVER_UNREACHABLE: EXIT_UNREACHABLE,
                SyncOutcome.RATE_LIMITED: EXIT_UNREACHABLE,
            }.get(report.outcome, EXIT_ERROR)

        loop = SyncLoop(syncer, interval=args.interval)
        done = threading.Event()

        def show(status: SyncStatus) -> None:
            print(status.describe(), flush=True)

        loop.on_state(show)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: done.set())
        loop.start()
        done.wait()
        loop.stop(timeout=20)
        return EXIT_OK
    except SyncError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        client.close()
        store.close()
