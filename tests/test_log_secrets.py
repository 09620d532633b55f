"""The log check itself finds what it must and nothing else."""

from __future__ import annotations

from pathlib import Path

from log_secrets import find_secrets


def test_secret_shapes_and_test_passwords_are_found(tmp_path: Path) -> None:
    log = tmp_path / "sample.txt"  # not *.log: the run-wide check would find these
    log.write_text(
        "sync push from kiosk 3f2a ok\n"
        "Authorization: Bearer lk1.0123456789abcdef0123456789abcdef.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd\n"
        "cookie linli_session=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0\n"
        "login with correct horse battery\n"
        "kiosk token hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n",
        encoding="utf-8")
    hits = find_secrets([log])
    assert [hit.split(": ", 1)[1] for hit in hits] == [
        "kiosk token", "bearer header", "session cookie", "a test password"]
    assert all(":2:" in hit or ":3:" in hit or ":4:" in hit for hit in hits)
