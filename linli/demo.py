"""`linli demo`: the central server with demo data, a headless demo kiosk syncing to it, and
demo staff moving the kiosk's requests along, so the whole record path runs on one machine."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.demo_accounts import DemoLogins
    from server.demo_data import DemoInfo
    from sync import LocalStore

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
    demo.add_argument(
        "--step-seconds", type=float, default=3.0, help="pause between the demo staff's steps"
    )
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from linli.server_process import ServerProcess
    from server.db import create_db_engine, upgrade
    from server.demo_accounts import seed_demo_accounts
    from server.demo_data import seed_demo
    from sync import LocalStore, SyncClient, Syncer, SyncLoop, kiosk_id_from_token

    # `make demo` stopped by a service manager or a timeout gets SIGTERM: run the same
    # clean-up as for Ctrl-C, or the server child (its own session) would outlive the demo.
    signal.signal(signal.SIGTERM, _interrupt)
    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{data_dir / 'server.sqlite3'}"
    upgrade(db_url)
    engine = create_db_engine(db_url)
    info = seed_demo(engine)
    logins = seed_demo_accounts(engine, info.resident_ids)

    store = LocalStore.open(data_dir / "kiosk.sqlite3", kiosk_id_from_token(info.token))
    server = ServerProcess(db_url, args.port, log_path=data_dir / "server.log").start()
    loop = SyncLoop(Syncer(store, SyncClient(server.url, info.token)), interval=1.0)
    stop = threading.Event()
    staff = None
    try:
        loop.on_state(lambda status: print(f"[kiosk] sync: {status.describe()}", flush=True))
        loop.start()
        _print_welcome(server.url, info, store.path, data_dir, logins)
        orders = _order_like_a_resident(store, info)
        loop.wake()
        staff = threading.Thread(
            target=_work_like_staff, args=(engine, orders, args.step_seconds, stop), daemon=True
        )
        staff.start()
        _watch_requests(store, info.resident_ids[0], args.duration)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if staff is not None:
            staff.join(timeout=10)
        loop.stop()
        server.stop()
        store.close()
        engine.dispose()
    print("Demo stopped; its data stays in", data_dir, flush=True)
    return 0


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _order_like_a_resident(store: LocalStore, info: DemoInfo) -> dict[str, uuid.UUID]:
    """What a resident would do at the kiosk: order groceries and report a leaking tap."""
    from sync.records import GroceryDetails, GroceryItem, RecordKind, RepairDetails, ServiceRequest

    resident_id = info.resident_ids[0]
    groceries = GroceryDetails(
        items=[GroceryItem(name="鸡蛋 eggs", quantity=2, unit="斤"), GroceryItem(name="大米 rice", quantity=1, unit="袋")]
    )
    repair = RepairDetails(what="water", description="厨房水龙头漏水 kitchen tap leaks")
    orders = {
        "groceries": store.create_record(RecordKind.SERVICE_REQUEST, ServiceRequest(resident_id=resident_id, details=groceries)),
        "repair": store.create_record(RecordKind.SERVICE_REQUEST, ServiceRequest(resident_id=resident_id, details=repair)),
    }
    for what, record_id in orders.items():
        print(f"[kiosk] resident ordered {what}: request {record_id}", flush=True)
    return orders


def _work_like_staff(engine, orders: dict[str, uuid.UUID], step_seconds: float, stop: threading.Event) -> None:  # type: ignore[no-untyped-def]
    """A volunteer and a grid worker move the requests along on the server, step by step."""
    from server.db import session_scope
    from server.errors import NotFoundError
    from server.services.requests import set_request_status
    from sync.records import RequestStatus

    steps = [
        ("groceries", RequestStatus.CLAIMED, "志愿者小刘 volunteer Liu"),
        ("repair", RequestStatus.ASSIGNED, "网格员老陈 grid worker Chen"),
        ("groceries", RequestStatus.BOUGHT, "志愿者小刘 volunteer Liu"),
        ("repair", RequestStatus.IN_PROGRESS, "网格员老陈 grid worker Chen"),
        ("groceries", RequestStatus.DELIVERED, "志愿者小刘 volunteer Liu"),
        ("repair", RequestStatus.DONE, "网格员老陈 grid worker Chen"),
    ]
    for what, status, who in steps:
        while not stop.wait(step_seconds):
            try:
                with session_scope(engine) as session:
                    set_request_status(session, orders[what], status, handled_by=who, actor="demo staff")
                break
            except NotFoundError:  # the kiosk has not pushed it yet; staff check again later
                continue
        else:
            return
        print(f"[server] {who}: {what} -> {status.value}", flush=True)


def _watch_requests(store: LocalStore, resident_id: uuid.UUID, duration: float | None) -> None:
    """Print each status change as the kiosk learns it from its pulls."""
    deadline = None if duration is None else time.monotonic() + duration
    seen: dict[uuid.UUID, str | None] = {}
    while deadline is None or time.monotonic() < deadline:
        for request in store.requests_of(resident_id):
            status = request.status.value if request.status else None
            if status and seen.get(request.id) != status:
                by = f" by {request.handled_by}" if request.handled_by else ""
                print(f"[kiosk] request {request.id} is now {status}{by}", flush=True)
            seen[request.id] = status
        time.sleep(0.5)


def _print_welcome(url: str, info: DemoInfo, store_path: Path, data_dir: Path,
                   logins: DemoLogins) -> None:
    users = ", ".join(f"{username} ({role})" for username, role in logins.accounts)
    print(
        f"""
Linli demo is running.
  Server health      {url}/api/v1/health
  API documentation  {url}/docs
  OpenAPI schema     {url}/openapi.json
  Web console        {url}/login
    accounts         {users}
    password         {logins.password}   (the same for each; a new one at each demo start)
  Demo kiosk id      {info.kiosk_id}
  Demo kiosk token   {info.token}   (a new one at each demo start)
  Kiosk store        {store_path}
  Outbox status      linli sync status --store {store_path}
  Server log         {data_dir / 'server.log'}
Press Ctrl-C to stop.
""",
        flush=True,
    )
