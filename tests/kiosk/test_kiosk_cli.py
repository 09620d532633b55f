"""`linli kiosk` as a user runs it: screenshots offscreen, and a clear error without a display."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

from kiosk.i18n import Lang

SCREENS = ("home", "home_{}_text150", "help_countdown", "help_alarm_offline",
           "help_alarm_acknowledged", "fall", "groceries", "grocery_confirm", "grocery_sent",
           "requests", "services", "service_repair", "service_confirm", "service_sent",
           "clinic_confirm", "service_callback", "callback_sent", "health",
           "listening_confirm", "listening", "listening_unavailable", "who",
           "still_there",
           "activities", "activity_confirm", "activity_sent", "points", "rewards",
           "reward_confirm", "reward_sent", "feedback", "feedback_thanks")


def run_linli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "linli", *args], capture_output=True,
                          text=True, timeout=300, env=env)


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_screenshots_of_every_screen_in_every_language(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("KIVY_", "SDL_"))}  # as from a plain shell
    result = run_linli("kiosk", "--screenshots", str(tmp_path / "shots"), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    expected = set()
    for lang in Lang:
        for screen in SCREENS:
            name = screen.format(lang) if "{}" in screen else f"{screen}_{lang}"
            expected.add(tmp_path / "shots" / f"{name}.png")
    assert {Path(p) for p in report["screenshots"]} == expected
    for path in expected:
        assert png_size(path) == (1920, 1080)
        assert path.stat().st_size > 20_000  # drawn, not a blank frame
    assert 0 < report["first_frame_s"] < 10


def test_without_a_display_it_says_what_to_do(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    result = run_linli("kiosk", "--store", str(tmp_path / "k.sqlite3"), env=env)
    assert result.returncode == 2
    assert "no display" in result.stderr and "--screenshots" in result.stderr
