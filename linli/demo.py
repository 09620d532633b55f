"""`linli demo`: the central server with demo data and a headless demo kiosk syncing to it."""

from __future__ import annotations

import argparse
import logging
import threading
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path("var/demo")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser("demo", help="server + demo data + a demo kiosk on one machine")
    demo.add_argument("--port", type=int, default=8000, help="server port (default 8000)")
    demo.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="where the demo's databases live"
    )
    demo.add_argument(
        "--duration", type=float, default=None, help="stop after this many seconds (default: Ctrl-C)"
    )
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from linli.server_process import ServerProcess
    from server.db import upgrade
    from server.demo_data import seed_demo
    from sync import LocalStore, SyncClient, Syncer, SyncLoop, kiosk_id_from_token

    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{data_dir / 'server.sqlite3'}"
    upgrade(db_url)
    from server.db import create_db_engine

    engine = create_db_engine(db_url)
    info = seed_demo(engine)
    engine.dispose()

    store = LocalStore.open(data_dir / "kiosk.sqlite3", kiosk_id_from_token(info.token))
    server = ServerProcess(db_url, args.port, log_path=data_dir / "server.log").start()
    loop = SyncLoop(Syncer(store, SyncClient(server.url, info.token)), interval=2.0)
    stop = threading.Event()
    try:
        loop.on_state(lambda status: print(f"[demo kiosk] {status.describe()}", flush=True))
        loop.start()
        _print_welcome(server.url, info, store.path, data_dir)
        _queue_demo_request(store, info)
        loop.wake()
        stop.wait(args.duration)
    except KeyboardInterrupt:
        pass
    finally:
        loop.stop()
        server.stop()
        store.close()
    print("Demo stopped; its data stays in", data_dir)
    return 0


def _queue_demo_request(store, info) -> None:  # type: ignore[no-untyped-def]
    """The demo kiosk orders groceries once, as a resident would, so the record path runs."""
    from sync.records import GroceryDetails, GroceryItem, RecordKind, ServiceRequest

    if store.outbox_status().sent or store.outbox_status().pending:
        return
    details = GroceryDetails(
        items=[GroceryItem(name="鸡蛋 eggs", quantity=2, unit="斤"), GroceryItem(name="大米 rice", quantity=1, unit="袋")]
    )
    record_id = store.create_record(
        RecordKind.SERVICE_REQUEST, ServiceRequest(resident_id=info.resident_ids[0], details=details)
    )
    print(f"[demo kiosk] queued a grocery request {record_id} for resident {info.resident_ids[0]}")


def _print_welcome(url: str, info, store_path: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    print(
        f"""
Linli demo is running.
  Server health      {url}/api/v1/health
  API documentation  {url}/docs
  OpenAPI schema     {url}/openapi.json
  Demo kiosk id      {info.kiosk_id}
  Demo kiosk token   {info.token}   (a new one each demo start)
  Kiosk store        {store_path}
  Outbox status      linli sync status --store {store_path}
  Server log         {data_dir / 'server.log'}
Press Ctrl-C to stop.
""",
        flush=True,
    )
