"""`linli demo`: the central server with demo data, the kiosk with three virtual wristbands,
and demo staff acting on what the kiosk sends, all on one machine.

With a display the kiosk opens in a window for a person to use. Without one it runs
offscreen, says so, and plays a scripted scenario (`--scenario tour|sos`), saving a
screenshot of each step; the server side can be watched meanwhile.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linli.demo_kiosk import SCENARIOS, DemoStopped

if TYPE_CHECKING:
    from server.demo_accounts import DemoLogins
    from server.demo_data import DemoInfo
    from sync import LocalStore

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path("var/demo")
DEMO_BANDS = 3  # the demo data pairs bands 1-3 (C0:4C:1A:00:00:01..03) to its residents


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo", help="server + demo data + the kiosk with virtual wristbands on one machine")
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
    demo.add_argument("--scenario", choices=SCENARIOS, default="tour",
                      help="what the offscreen kiosk does (no display): tour (groceries) or "
                           "sos (a wristband's SOS, acknowledged by a caregiver)")
    demo.add_argument("--no-auto-ack", action="store_true",
                      help="the demo caregiver does not acknowledge help calls: a person does")
    demo.add_argument("--offscreen", action="store_true",
                      help="run the kiosk offscreen even when there is a display")
    demo.set_defaults(handler=run_demo)


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_demo(args: argparse.Namespace) -> int:
    from linli.demo_staff import DemoStaff
    from linli.server_process import ServerProcess
    from server.db import create_db_engine, upgrade
    from server.demo_accounts import seed_demo_accounts
    from server.demo_data import seed_demo
    from sync import LocalStore, SyncClient, Syncer, SyncLoop, kiosk_id_from_token

    # Ctrl-C, or SIGTERM from a service manager or a timeout, sets a flag that every wait
    # of the demo checks, so the clean-up always runs (the server child is in its own
    # session and would outlive the demo) and never starts halfway through a step.
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _signum, _frame: stopping.set())
    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{data_dir / 'server.sqlite3'}"
    upgrade(db_url)
    engine = create_db_engine(db_url)
    info = seed_demo(engine)
    offscreen = args.offscreen or not has_display()
    logins = seed_demo_accounts(engine, info.resident_ids)

    store = LocalStore.open(data_dir / "kiosk.sqlite3", kiosk_id_from_token(info.token))
    server = ServerProcess(db_url, args.port, log_path=data_dir / "server.log").start()
    loop = SyncLoop(Syncer(store, SyncClient(server.url, info.token)), interval=1.0)
    stop = threading.Event()
    staff_thread = None
    try:
        loop.on_state(lambda status: print(f"[kiosk] sync: {status.describe()}", flush=True))
        _print_welcome(server.url, info, store.path, data_dir, logins, offscreen, args.scenario)
        staff = DemoStaff(engine, info.kiosk_id, acknowledge_help=not args.no_auto_ack,
                          say=lambda line: print(line, flush=True))
        thread = threading.Thread(target=staff.run, args=(args.step_seconds, stop), daemon=True)
        thread.start()
        staff_thread = thread  # only a started thread can be joined in `finally`
        watcher = threading.Thread(target=_watch_requests, args=(store, stop), daemon=True)
        watcher.start()
        _run_kiosk(store, loop, data_dir, offscreen, args.scenario, args.duration, stopping)
    except DemoStopped:
        pass
    finally:
        stop.set()
        if staff_thread is not None:
            staff_thread.join(timeout=10)
        loop.stop()
        server.stop()
        store.close()
        engine.dispose()
    print("Demo stopped; its data stays in", data_dir, flush=True)
    return 0


def _run_kiosk(store: LocalStore, loop: Any, data_dir: Path, offscreen: bool, scenario: str,
               duration: float | None, stopping: threading.Event) -> None:
    """The kiosk on this thread (Kivy's own): windowed for a person, or the scripted scenario."""
    from kiosk import kivy_env
    from kiosk.theme import ScreenSpec

    kivy_env.prepare(ScreenSpec(), offscreen=offscreen, fullscreen=False)
    # The residents and their bands' pairings come from the server: pull them before the
    # bands start, or the simulator would pair the bands to made-up local residents.
    loop.start()
    deadline = time.monotonic() + 60
    while len(store.wristbands()) < DEMO_BANDS:
        if time.monotonic() > deadline:
            raise RuntimeError("the demo kiosk did not receive its residents from the server")
        if stopping.wait(0.2):
            raise DemoStopped
    from kiosk.controller import Controller
    from kiosk.speech import default_speech
    from kiosk.wiring import simulated_wristbands

    controller = Controller(store, sync_loop=loop, wristbands=simulated_wristbands(DEMO_BANDS),
                            speech=default_speech(), close_store=False)
    if not offscreen:
        _run_windowed(controller, duration)
        return
    from linli.demo_kiosk import OffscreenDemo

    started = time.monotonic()
    demo = OffscreenDemo(controller, data_dir / "screens", stopping,
                         say=lambda line: print(line, flush=True))
    try:
        demo.run(scenario)
        print(f"[demo] scenario '{scenario}' finished; the kiosk keeps running", flush=True)
        remaining = None if duration is None else max(0.0, duration - (time.monotonic() - started))
        demo.idle(remaining)
    finally:
        demo.close()


def _run_windowed(controller: Any, duration: float | None) -> None:
    from kivy.clock import Clock

    from kiosk.app import KioskApp
    from kiosk.cli import stop_on_signals

    app = KioskApp(controller)
    stop_on_signals(app)  # from here Ctrl-C and SIGTERM stop Kivy's loop
    if duration is not None:
        Clock.schedule_once(lambda _dt: app.stop(), duration)
    app.run()


def _watch_requests(store: LocalStore, stop: threading.Event) -> None:
    """Print each status change as the kiosk learns it from its pulls."""
    seen: dict[uuid.UUID, str | None] = {}
    while not stop.wait(0.5):
        for resident in store.residents():
            for request in store.requests_of(resident.resident_id):
                status = request.status.value if request.status else None
                if status and seen.get(request.id) != status:
                    by = f" by {request.handled_by}" if request.handled_by else ""
                    print(f"[kiosk] request {request.id} is now {status}{by}", flush=True)
                seen[request.id] = status


def _print_welcome(url: str, info: DemoInfo, store_path: Path, data_dir: Path,
                   logins: DemoLogins, offscreen: bool, scenario: str) -> None:
    users = ", ".join(f"{username} ({role})" for username, role in logins.accounts)
    if offscreen:
        kiosk = (f"offscreen (no display here): scenario '{scenario}', a screenshot of each "
                 f"step in {data_dir / 'screens'}")
    else:
        kiosk = "in a window: tap it like a resident (the demo staff answer within seconds)"
    print(
        f"""
Linli demo is running.
  Kiosk              {kiosk}
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
