"""A check over the whole test run: no kiosk token, session cookie or password in any log.

Every log record of the test process (INFO and up) is written to one file, and at the end
of the session that file and every `*.log` the tests' server processes wrote under the
run's temporary folder are searched for the shapes of secrets (kiosk tokens, session
tokens in cookies) and for the passwords the tests use. A hit fails the run and prints
where it was, but not the secret itself.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

# lk1.<kiosk id hex>.<43 urlsafe characters>; a cookie or header carrying a session token.
SECRET_SHAPES = {
    "kiosk token": re.compile(r"lk1\.[0-9a-f]{32}\.[A-Za-z0-9_-]{20,}"),
    "session cookie": re.compile(r"linli_session=[A-Za-z0-9_-]{20,}"),
    "bearer header": re.compile(r"Bearer\s+[A-Za-z0-9_.-]{20,}"),
}
TEST_PASSWORDS = ("correct horse battery",)

_handler: logging.Handler | None = None
_log_path: Path | None = None


def pytest_sessionstart(session: pytest.Session) -> None:
    global _handler, _log_path
    base = session.config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    _log_path = Path(base) / "whole-run.log"
    _handler = logging.FileHandler(_log_path, encoding="utf-8")
    _handler.setLevel(logging.INFO)
    _handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(_handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def find_secrets(paths: list[Path]) -> list[str]:
    """'file:line: what' for every secret-shaped string or test password in these files."""
    hits = []
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for number, line in enumerate(lines, 1):
            for what, shape in SECRET_SHAPES.items():
                if shape.search(line):
                    hits.append(f"{path}:{number}: {what}")
            if any(password in line for password in TEST_PASSWORDS):
                hits.append(f"{path}:{number}: a test password")
    return hits


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _handler is None or _log_path is None:
        return
    _handler.close()
    logging.getLogger().removeHandler(_handler)
    logs = [_log_path, *(p for p in _log_path.parent.rglob("*.log") if p != _log_path)]
    hits = find_secrets(logs)
    if hits:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["secrets found in logs of this run:", *hits[:50]]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
