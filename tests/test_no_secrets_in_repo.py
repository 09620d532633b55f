"""No secrets in the repository: every tracked file is searched for the shapes of secrets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from log_secrets import SECRET_SHAPES

ROOT = Path(__file__).resolve().parents[1]
REPO_SHAPES = {
    **SECRET_SHAPES,
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    # (a documented placeholder, USER:PASSWORD@HOST, is not a password)
    "password in a database URL": re.compile(r"postgresql(\+\w+)?://[^:@/\s]+:(?!PASSWORD@)[^@/\s]+@"),
    "cloud access key": re.compile(r"AKIA[0-9A-Z]{16}"),
}
# This file and the log check's own test describe the shapes with made-up examples.
ALLOWED = {"tests/test_no_secrets_in_repo.py", "tests/test_log_secrets.py"}


def tracked_text_files() -> list[Path]:
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    names = [name for name in listing.stdout.decode().split("\0") if name and name not in ALLOWED]
    return [ROOT / name for name in names
            if not name.endswith((".png", ".wav", ".ttc", ".ttf", ".pdf", ".zip"))]


def test_no_tracked_file_holds_a_secret() -> None:
    files = tracked_text_files()
    assert len(files) > 100  # the listing worked
    hits = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        hits += [f"{path.relative_to(ROOT)}: {what}"
                 for what, shape in REPO_SHAPES.items() if shape.search(text)]
    assert hits == []
