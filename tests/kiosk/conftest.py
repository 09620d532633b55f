"""Kiosk tests: Kivy offscreen on Mesa, one 1920x1080 window for the whole session.

Kivy reads its environment when first imported and fixes the window size when its window
module is first imported, so this runs before any test module imports kivy.
"""

from __future__ import annotations

import os
import tempfile

from kiosk import kivy_env
from kiosk.theme import ScreenSpec

os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="linli-kivy-test-"))
kivy_env.prepare(ScreenSpec(), offscreen=True)

import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from kiosk_harness import ManualTime, make_kiosk  # noqa: E402


@pytest.fixture
def manual_time() -> ManualTime:
    return ManualTime()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    from sync import LocalStore

    store = LocalStore.open(tmp_path / "kiosk.sqlite3", uuid.uuid4())
    yield store
    store.close()


@pytest.fixture
def kiosk(store: Any, manual_time: ManualTime) -> Iterator[Any]:
    """The real screens on the real window, over a real store file; torn down after."""
    from kiosk.theme import apply_font_scale

    kiosk = make_kiosk(store, manual_time)
    try:
        yield kiosk
    finally:
        kiosk.close()
        apply_font_scale(1.0)
