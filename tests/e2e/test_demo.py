"""`linli demo` through the real command: server, demo kiosk and demo staff as separate parts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from linli.server_process import free_port

pytestmark = pytest.mark.slow


def test_demo_runs_the_whole_record_path(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "linli", "demo", "--port", str(free_port()), "--data-dir", str(tmp_path),
               "--duration", "12", "--step-seconds", "0.3"]
    demo = subprocess.run(command, capture_output=True, text=True, timeout=120)

    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "/api/v1/health" in demo.stdout
    # Each request went kiosk -> server, staff moved it on, and the kiosk learned it by pulling.
    assert demo.stdout.count("is now delivered by 志愿者小刘") == 1
    assert demo.stdout.count("is now done by 网格员老陈") == 1

    status = subprocess.run(
        [sys.executable, "-m", "linli", "sync", "status", "--store", str(tmp_path / "kiosk.sqlite3"), "--json"],
        capture_output=True, text=True, timeout=60,
    )
    assert status.returncode == 0, status.stderr
    outbox = json.loads(status.stdout)
    assert (outbox["pending"], outbox["sent"], outbox["dead_count"]) == (0, 2, 0)


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
