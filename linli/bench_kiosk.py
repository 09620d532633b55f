"""`linli bench kiosk`: cold start to first frame, tap -> next screen rendered, memory.

Cold starts run in fresh Python processes (imports, Kivy, the font, the store and the home
screen all count), measured from the process's own start time to the first buffer flip.
Taps run in this process on the offscreen window: a real touch through Kivy's input
dispatch, timed from touch down to the end of the first frame that shows the expected
screen alone, drawn and finished (the offscreen window waits for each frame: glFinish). The first visit of a screen builds it (kv rules, widgets) and is reported apart
from later visits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from linli.stats import percentile

# (button action on the current screen, the screen it must lead to); a closed round trip
# starting and ending on home. Extended as screens are added.
ROUTE: tuple[tuple[str, str], ...] = (
    ("groceries", "groceries"),
    ("plus_eggs", "groceries"),
    ("grocery_next", "grocery_confirm"),
    ("grocery_change", "groceries"),
    ("my_requests", "requests"),
    ("home", "home"),
    ("help", "help_countdown"),
    ("cancel", "home"),
    ("services", "services"),
    ("service_repair", "service_choose"),
    ("choice_water", "service_confirm"),
    ("service_no", "service_choose"),
    ("service_back", "services"),
    ("home", "home"),
    ("health", "health"),
    ("home", "home"),
)

TARGET_FIRST_FRAME_S = 2.0
TARGET_TAP_MS = 100.0


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS missing from /proc/self/status")


def cold_start_once(store_path: Path) -> dict[str, Any]:
    """In a fresh process: the kiosk's first frame, as seconds since this process began.

    The store exists already, as on a kiosk that restarts (a new store's migrations are
    a one-off of installation).
    """
    from kiosk.kivy_env import process_age

    phases: dict[str, float | None] = {"python_started": process_age()}
    from kiosk import kivy_env
    from kiosk.theme import ScreenSpec

    kivy_env.prepare(ScreenSpec(), offscreen=True)
    from kivy.base import EventLoop

    from kiosk.controller import Controller
    from kiosk.offscreen import OffscreenKiosk
    from kiosk.speech import NullSpeech
    from sync import LocalStore

    phases["imports_done"] = process_age()
    EventLoop.ensure_window()
    phases["window_open"] = process_age()
    store = LocalStore.open_existing(store_path)
    phases["store_open"] = process_age()
    kiosk = OffscreenKiosk(Controller(store, speech=NullSpeech()))
    first_frame = kiosk.first_frame_s
    rss = rss_mib()
    kiosk.close()
    if first_frame is None:
        raise RuntimeError("no frame was flipped")
    return {"first_frame_s": first_frame, "rss_mib": rss,
            "phases_s": {name: round(at, 3) for name, at in phases.items() if at is not None}}


def _cold_starts(count: int) -> list[dict[str, Any]]:
    from sync import LocalStore

    runs = []
    with tempfile.TemporaryDirectory(prefix="linli-bench-kiosk-") as tmp:
        store_path = Path(tmp) / "kiosk.sqlite3"
        LocalStore.open(store_path, uuid.uuid4()).close()
        for _ in range(count):
            runs.append(_cold_start_process(store_path))
    return runs


def _cold_start_process(store_path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "linli.bench_kiosk", "--cold-start", str(store_path)],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "KIVY_NO_CONSOLELOG": "1"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"cold start failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class _FlipCounter:
    def __init__(self) -> None:
        from kivy.core.window import Window

        self.count = 0
        Window.bind(on_flip=self._flipped)

    def _flipped(self, *_args: Any) -> None:
        self.count += 1


def _timed_tap(kiosk: Any, flips: _FlipCounter, action: str, expected: str) -> float:
    """Milliseconds from touch down to the end of the first frame that shows `expected`
    alone (the screen switched and the old one gone), drawn and finished."""
    from kivy.base import EventLoop
    from kivy.tests.common import UnitTestTouch

    kiosk.frames(2)
    target = kiosk.find(action)
    started = time.perf_counter()
    flips_before = flips.count
    touch = UnitTestTouch(*target.to_window(*target.center))
    touch.touch_down()
    touch.touch_up()
    deadline = started + 10.0
    while True:
        flipped = flips.count
        EventLoop.idle()
        shown = [screen.name for screen in kiosk.root.children] == [expected]
        if shown and flips.count > max(flipped, flips_before):
            return (time.perf_counter() - started) * 1000
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{action!r} did not lead to {expected!r} "
                               f"(still on {kiosk.root.current!r})")


def _taps(rounds: int) -> dict[str, Any]:
    from kiosk import kivy_env
    from kiosk.theme import ScreenSpec

    kivy_env.prepare(ScreenSpec(), offscreen=True)
    from kiosk.controller import Controller
    from kiosk.offscreen import OffscreenKiosk
    from kiosk.speech import NullSpeech
    from sync import LocalStore

    first_visit: list[float] = []
    warm: list[float] = []
    by_step: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="linli-bench-kiosk-") as tmp:
        store = LocalStore.open(Path(tmp) / "kiosk.sqlite3", uuid.uuid4())
        kiosk = OffscreenKiosk(Controller(store, speech=NullSpeech()))
        flips = _FlipCounter()
        try:
            rss_start = rss_mib()
            seen = {kiosk.root.current}
            for round_number in range(rounds):
                for action, expected in ROUTE:
                    changes_screen = expected != kiosk.root.current
                    if not changes_screen:
                        kiosk.tap(action)  # an in-screen step of the route, not timed
                        continue
                    step = f"{kiosk.root.current} -{action}-> {expected}"
                    ms = _timed_tap(kiosk, flips, action, expected)
                    if expected in seen:
                        warm.append(ms)
                        by_step.setdefault(step, []).append(ms)
                    else:
                        first_visit.append(ms)
                    seen.add(expected)
                if round_number == 0:
                    rss_after_first_round = rss_mib()
            rss_end = rss_mib()
        finally:
            kiosk.close()
            store.close()
    return {
        "taps_timed": len(warm),
        "tap_to_screen_ms": {"p50": round(percentile(warm, 50), 1),
                             "p95": round(percentile(warm, 95), 1),
                             "max": round(max(warm), 1)},
        "slowest_steps_ms": {step: {"p50": round(percentile(times, 50), 1),
                                    "max": round(max(times), 1)}
                             for step, times in sorted(by_step.items(),
                                                       key=lambda item: -max(item[1]))[:3]},
        "first_visit_ms": {"p50": round(percentile(first_visit, 50), 1),
                           "max": round(max(first_visit), 1)},
        "rss_mib": {"start": round(rss_start, 1),
                    "after_first_round": round(rss_after_first_round, 1),
                    "end": round(rss_end, 1)},
    }


def run_kiosk_benchmark(starts: int = 5, rounds: int = 20) -> dict[str, Any]:
    cold = _cold_starts(starts)
    taps = _taps(rounds)
    first_frames = [run["first_frame_s"] for run in cold]
    return {
        "benchmark": "kiosk",
        "screen": "1920x1080 offscreen (Mesa)",
        "cold_starts": starts,
        "first_frame_s": {"p50": round(percentile(first_frames, 50), 3),
                          "max": round(max(first_frames), 3),
                          "target": TARGET_FIRST_FRAME_S},
        "cold_start_rss_mib": round(max(run["rss_mib"] for run in cold), 1),
        "cold_start_phases_s": cold[len(cold) // 2]["phases_s"],
        **taps,
        "targets_met": {
            "first_frame": max(first_frames) <= TARGET_FIRST_FRAME_S,
            "tap_to_screen_p95": taps["tap_to_screen_ms"]["p95"] <= TARGET_TAP_MS,
        },
    }


if __name__ == "__main__" and sys.argv[1:2] == ["--cold-start"]:
    print(json.dumps(cold_start_once(Path(sys.argv[2]))))
