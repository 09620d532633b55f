"""Kivy settings that only work before kivy is first imported: call `prepare()` first."""

from __future__ import annotations

import os
import sys
import tempfile

from kiosk.theme import ScreenSpec

# How often Kivy's loop turns (and reads touches) at most.
MAX_FPS = 120


def kivy_imported() -> bool:
    return "kivy" in sys.modules


def prepare(screen: ScreenSpec, *, offscreen: bool, fullscreen: bool = False) -> None:
    """Set Kivy's environment and window size for this process.

    Kivy reads its environment when `kivy` is first imported and fixes the window size when
    `kivy.core.window` is first imported (one window per process), so this must run before
    either; afterwards it raises rather than silently showing a window of the wrong size.
    """
    if "kivy.core.window" in sys.modules:
        raise RuntimeError("prepare() must run before kivy.core.window is imported")
    # Kivy parses sys.argv as its own options unless told not to: `linli kiosk --lang` would
    # otherwise be eaten (or rejected) by Kivy.
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # A kiosk must not depend on a ~/.kivy/config.ini someone edited by hand.
    os.environ.setdefault("KIVY_USE_DEFAULTCONFIG", "1")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="linli-kivy-"))
    # SDL would take over SIGINT/SIGTERM while its window opens; the kiosk stops through
    # its own handlers (kiosk.cli.stop_on_signals), which close the store cleanly.
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    if offscreen:
        # Mesa renders without any display; "dummy" does not work with Kivy (exit 102).
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
        os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    from kivy.config import Config

    Config.set("graphics", "width", str(screen.width_px))
    Config.set("graphics", "height", str(screen.height_px))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    # Seniors do not right-click: Kivy's default red multitouch dots on right-click would
    # look like an error on screen.
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "exit_on_escape", "0")
    # Kivy reads touches once per loop turn, after sleeping out the frame cap: at 60 a tap
    # waits up to 16.7 ms before it is even seen, at 120 up to 8.3 ms. A turn with nothing
    # to draw is cheap (idle kiosk: 2.1 % of a core at 60, 2.3 % at 120, measured here), and
    # frames are drawn only when something changed, so the cap costs no extra frames.
    Config.set("graphics", "maxfps", str(MAX_FPS))


def process_age() -> float | None:
    """Seconds since this process started (Linux), for "start to first frame"."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return up - start_ticks / os.sysconf("SC_CLK_TCK")
