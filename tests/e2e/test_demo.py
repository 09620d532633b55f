"""`linli demo` through the real command: server, demo kiosk and demo staff as separate parts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linli.server_process import free_port

pytestmark = pytest.mark.slow


def _demo(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "linli", "demo", "--port", str(free_port()),
               "--data-dir", str(tmp_path), "--step-seconds", "0.3", *options]
    # No display here: the kiosk must run offscreen and say so.
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


def _outbox(tmp_path: Path) -> dict:
    status = subprocess.run(
        [sys.executable, "-m", "linli", "sync", "status", "--store",
         str(tmp_path / "kiosk.sqlite3"), "--json"],
        capture_output=True, text=True, timeout=60,
    )
    assert status.returncode == 0, status.stderr
    return json.loads(status.stdout)


def test_the_tour_orders_groceries_by_taps_and_follows_them_to_delivery(tmp_path: Path) -> None:
    demo = _demo(tmp_path, "--scenario", "tour", "--duration", "2")

    assert demo.returncode == 0, demo.stderr[-3000:]
    out = demo.stdout
    # Three residents share the demo kiosk: the tour picks one on the who-is-using screen,
    # orders by tapping, and the volunteer's steps come back by pull.
    assert "taps their name" in out and "groceries ordered" in out
    for step in ("claimed", "bought", "delivered"):
        assert out.count(f"[server] 志愿者小刘 volunteer Liu: grocery -> {step}") == 1
    assert out.count("is now delivered by 志愿者小刘") == 1  # as the kiosk learnt it
    assert "scenario 'tour' finished" in out
    shots = sorted(path.name for path in (tmp_path / "screens").glob("*.png"))
    assert shots[0] == "01_home.png" and "02_who_is_using.png" in shots
    assert any(name.endswith("_grocery_delivered.png") for name in shots)
    assert _outbox(tmp_path)["dead_count"] == 0


def test_the_sos_scenario_runs_from_the_wristband_to_the_acknowledged_alarm(
        tmp_path: Path) -> None:
    demo = _demo(tmp_path, "--scenario", "sos", "--duration", "3")

    assert demo.returncode == 0, demo.stderr[-3000:]
    out = demo.stdout
    assert "offscreen (no display here)" in out and "/api/v1/health" in out
    # The band's SOS reached the server as a help call, the demo caregiver acknowledged it,
    # and the kiosk learned it by pulling and shows who is coming.
    assert "Linli-Band-01 (C0:4C:1A:00:00:01): SOS pressed" in out
    assert out.count("张阿姨 acknowledged help call") == 1
    assert "the screen says help is coming: 张阿姨" in out
    assert "scenario 'sos' finished" in out
    shots = sorted(path.name for path in (tmp_path / "screens").glob("*.png"))
    assert shots == ["01_home.png", "02_sos_alarm.png", "03_sos_delivered.png",
                     "04_sos_acknowledged.png"]
    # The bands' heart-rate samples keep coming until the demo stops, so a few may still be
    # pending; none may be refused.
    outbox = _outbox(tmp_path)
    assert outbox["dead_count"] == 0
    assert outbox["sent"] >= 1  # the help call at least


def test_a_terminated_demo_takes_its_server_down(tmp_path: Path) -> None:
    import signal
    import time

    import requests

    port = free_port()
    demo = subprocess.Popen([sys.executable, "-m", "linli", "demo", "--port", str(port), "--data-dir", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in demo.stdout:
            if "Linli demo is running" in line:
                break
        assert requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).ok
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=60) == 0
    finally:
        demo.kill()
    time.sleep(0.5)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
