"""The deployment files, run: nginx with TLS in front of two `linli server` processes.

deploy/server/nginx-linli.conf is rendered the way docs/DEPLOY.md says (only Linli's
variables substituted) with a self-signed certificate, and real nginx serves it on
loopback. Through it: plain HTTP is redirected to HTTPS, every answer carries HSTS, a
kiosk pushes with its token, and a signed-in console (Secure cookie) gets a live alarm
through the unbuffered event-stream location while the processes behind share the load.
The systemd units are checked with `systemd-analyze verify`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from linli.server_process import ServerProcess, free_port
from tests.web.conftest import PASSWORD, build_community, csrf_of

pytestmark = pytest.mark.slow

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
LINLI_VARIABLES = ("LINLI_HOSTNAME", "LINLI_TLS_CERT", "LINLI_TLS_KEY", "LINLI_HTTP_PORT",
                   "LINLI_HTTPS_PORT", "LINLI_SERVER_1", "LINLI_SERVER_2")


def render(template: str, values: dict[str, str]) -> str:
    """envsubst restricted to Linli's variables: nginx's own $variables stay as they are."""
    for name in LINLI_VARIABLES:
        template = template.replace("${" + name + "}", values[name])
    assert "${LINLI_" not in template
    return template


def self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def start_nginx(tmp: Path, site: str) -> subprocess.Popen[bytes]:
    (tmp / "linli.conf").write_text(site, encoding="utf-8")
    temp_paths = "\n".join(f"  {kind}_temp_path {tmp / kind};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'};\n"
        f"events {{}}\nhttp {{\n  log_format upstream '$upstream_addr \"$request\"';\n"
        f"  access_log {tmp / 'access.log'} upstream;\n{temp_paths}\n"
        f"  include {tmp / 'linli.conf'};\n}}\n", encoding="utf-8")
    check = subprocess.run(["nginx", "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    return subprocess.Popen(["nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf"),
                             "-g", "daemon off;"])


def wait_until_answers(url: str, verify: Path) -> None:
    for _ in range(100):
        try:
            requests.get(url, timeout=1, verify=str(verify))
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answers on {url}")


def test_tls_proxy_in_front_of_two_processes(db_url: str, tmp_path: Path) -> None:
    if shutil.which("nginx") is None:
        pytest.fail("nginx is missing: `make deps` installs it (Debian package nginx-light)")
    if not db_url.startswith("postgresql"):
        pytest.skip("several server processes share one database only on PostgreSQL")
    from server.db import create_db_engine, upgrade

    upgrade(db_url)
    engine = create_db_engine(db_url)
    community = build_community(engine)
    engine.dispose()
    secure = {"LINLI_WEB_SECURE_COOKIES": "true", "LINLI_LIVE_HEARTBEAT_SECONDS": "0.5"}
    servers = [ServerProcess(db_url, free_port(), log_path=tmp_path / f"s{n}.log", env=secure).start()
               for n in range(2)]
    cert, key = self_signed(tmp_path)
    http_port, https_port = free_port(), free_port()
    site = render((DEPLOY / "server" / "nginx-linli.conf").read_text(encoding="utf-8"), {
        "LINLI_HOSTNAME": "localhost", "LINLI_TLS_CERT": str(cert), "LINLI_TLS_KEY": str(key),
        "LINLI_HTTP_PORT": str(http_port), "LINLI_HTTPS_PORT": str(https_port),
        "LINLI_SERVER_1": f"127.0.0.1:{servers[0].port}",
        "LINLI_SERVER_2": f"127.0.0.1:{servers[1].port}"})
    nginx = start_nginx(tmp_path, site)
    base = f"https://localhost:{https_port}"
    try:
        wait_until_answers(f"{base}/api/v1/health", cert)
        plain = requests.get(f"http://localhost:{http_port}/console", allow_redirects=False, timeout=5)
        assert plain.status_code == 301
        assert plain.headers["location"] == f"https://localhost:{https_port}/console"

        health = requests.get(f"{base}/api/v1/health", verify=str(cert), timeout=5)
        assert health.ok and "max-age" in health.headers["strict-transport-security"]

        browser = requests.Session()
        browser.verify = str(cert)
        browser.trust_env = False  # else $REQUESTS_CA_BUNDLE overrides `verify`
        page = browser.get(f"{base}/login", timeout=5)
        signed_in = browser.post(f"{base}/login", allow_redirects=False, timeout=5, data={
            "username": "ca", "password": PASSWORD, "csrf_token": csrf_of(page.text)})
        assert signed_in.status_code == 303
        assert "secure" in signed_in.headers["set-cookie"].lower()
        stream = browser.get(f"{base}/console/events", stream=True, timeout=(5, 30))
        lines = stream.iter_lines(decode_unicode=True)

        record_id = uuid.uuid4()
        pushed = requests.post(f"{base}/api/v1/sync/push", verify=str(cert), timeout=10,
                               headers=community.kiosk_headers, json={"records": [{
                                   "id": str(record_id), "kind": "help_call",
                                   "kiosk_id": str(community.kiosk_id),
                                   "created_at": datetime.now(UTC).isoformat(),
                                   "payload": {"resident_id": str(community.east_resident),
                                               "source": "wristband_sos"}}]})
        assert pushed.ok and pushed.json()["accepted"] == 1
        wanted, name = f"alert-help_call-{record_id}", None
        for beats, line in enumerate(lines):
            assert beats < 400, "the alarm did not come through the proxy"
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: ") and name == "alert":
                if json.loads(line.removeprefix("data: "))["id"] == wanted:
                    break
        stream.close()
        for _ in range(4):
            requests.get(f"{base}/api/v1/health", verify=str(cert), timeout=5)
        served_by = {line.split(" ")[0] for line in (tmp_path / "access.log").read_text().splitlines()}
        assert {f"127.0.0.1:{server.port}" for server in servers} <= served_by
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for server in servers:
            server.stop()


UNITS = ("kiosk/linli-kiosk.service", "server/linli-server@.service",
         "server/linli-backup.service", "server/linli-backup.timer")


def test_systemd_units_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not on this machine")
    venv = Path(sys.executable).parent.parent
    for unit in UNITS:
        name = Path(unit).name.replace("@.", "@8001.")
        text = (DEPLOY / unit).read_text(encoding="utf-8").replace("/opt/linli/.venv", str(venv))
        (tmp_path / name).write_text(text, encoding="utf-8")
    service_of_timer = tmp_path / "linli-backup.service"
    assert service_of_timer.exists()
    for unit in UNITS:
        name = Path(unit).name.replace("@.", "@8001.")
        result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / name)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and not result.stderr.strip(), (name, result.stderr)
