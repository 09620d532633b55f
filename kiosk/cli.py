"""`linli kiosk`: the touch screen full-screen on a real display, or its screenshots offscreen."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def add_commands(subparsers: Any) -> None:
    from sync.cli import DEFAULT_STORE, STORE_ENV, TOKEN_ENV

    kiosk = subparsers.add_parser("kiosk", help="the large-button touch screen for residents")
    kiosk.add_argument("--store", type=Path, default=None,
                       help=f"kiosk store file (default: ${STORE_ENV} or {DEFAULT_STORE})")
    kiosk.add_argument("--server", default=None, help="server base URL, e.g. http://10.0.0.2:8000")
    kiosk.add_argument("--kiosk-token", default=None,
                       help=f"kiosk token (default: ${TOKEN_ENV}; the environment keeps it out of `ps`)")
    kiosk.add_argument("--lang", choices=["zh", "en", "ko"], default="zh",
                       help="language shown first (Chinese is always on screen too)")
    kiosk.add_argument("--simulate-wristbands", type=int, default=0, metavar="N",
                       help="N virtual wristbands on a simulated radio instead of Bluetooth")
    kiosk.add_argument("--no-wristbands", action="store_true",
                       help="do not look for wristbands (a kiosk without Bluetooth)")
    kiosk.add_argument("--screen", default="15.6:1920x1080",
                       help="physical screen as DIAGONAL_INCHES:WIDTHxHEIGHT (sizes touch targets)")
    kiosk.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    kiosk.add_argument("--screenshots", type=Path, default=None, metavar="DIR",
                       help="render every screen in each language offscreen to DIR and exit")
    kiosk.set_defaults(handler=run_kiosk)


def run_kiosk(args: argparse.Namespace) -> int:
    from kiosk import kivy_env, theme

    try:
        screen = theme.ScreenSpec.parse(args.screen)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    theme.use(theme.Theme(screen=screen))
    if args.screenshots is not None:
        return _screenshots(args.screenshots, screen)
    # No display: say so instead of Kivy's opaque SDL error, and offer what does work.
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") \
            and os.environ.get("SDL_VIDEODRIVER") not in ("offscreen", "kmsdrm"):
        print("error: no display here (DISPLAY is not set). On a kiosk, run it in its desktop "
              "session; without a screen use `linli kiosk --screenshots DIR`, or set "
              "SDL_VIDEODRIVER=offscreen to run it invisibly.", file=sys.stderr)
        return 2
    kivy_env.prepare(screen, offscreen=os.environ.get("SDL_VIDEODRIVER") == "offscreen",
                     fullscreen=not args.windowed)
    from kiosk.wiring import KioskConfigError, build_controller

    try:
        controller = build_controller(
            store_path=args.store, server=args.server, token=args.kiosk_token, lang=args.lang,
            simulate_wristbands=args.simulate_wristbands, wristbands=not args.no_wristbands)
    except KioskConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from kiosk.app import KioskApp

    app = KioskApp(controller)
    stop_on_signals(app)
    app.run()
    return 0


def stop_on_signals(app: Any) -> None:
    """Ctrl-C or a service manager's SIGTERM ends the app through Kivy's own stop, so the
    controller stops the wristbands and the sync loop and closes the store (a
    KeyboardInterrupt inside Kivy's loop would skip all of that)."""
    import signal

    from kivy.clock import Clock

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping the kiosk", signum)
        Clock.schedule_once(lambda _dt: app.stop())

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def _screenshots(out_dir: Path, screen: Any) -> int:
    from kiosk import kivy_env

    kivy_env.prepare(screen, offscreen=True)
    from kiosk.screenshots import take_screenshots

    run = take_screenshots(out_dir.resolve())
    print(json.dumps({"screenshots": [str(path) for path in run.files],
                      "first_frame_s": run.first_frame_s}, ensure_ascii=False, indent=1))
    return 0
