"""The points screens read the local store on the background loop, never on the UI thread.

A store read can take tens of milliseconds on slow flash; on the UI thread it would hold up
the frame after a tap (and every frame of the one-second poll while a points screen is
shown). The real store's points reads are watched (each still reads the real SQLite file)
and the thread each ran on is recorded.
"""

from __future__ import annotations

import threading
from typing import Any

from catalogue_seed import demo_rewards, points_entry, pull, request_status
from test_kiosk_catalogue_flow import resident_kiosk  # noqa: F401  (fixture)
from test_kiosk_groceries_flow import RESIDENT

# What the points screens read (sync.LocalStore).
POINTS_READS = ("points_balance", "uncounted_redemption_points", "points_ledger", "rewards",
                "record_state")


def watch_reads(store: Any) -> list[tuple[str, threading.Thread]]:
    """Record (read, thread) for each of the store's points reads from now on."""
    seen: list[tuple[str, threading.Thread]] = []
    for name in POINTS_READS:
        real = getattr(store, name)

        def watched(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            seen.append((_name, threading.current_thread()))
            return _real(*args, **kwargs)

        setattr(store, name, watched)
    return seen


def test_the_points_screens_read_the_store_off_the_ui_thread(
        resident_kiosk: Any, store: Any) -> None:  # noqa: F811
    kiosk, controller = resident_kiosk, resident_kiosk.controller
    pull(store, points_entry(RESIDENT, 120, 120, "社区志愿活动"), *demo_rewards())
    ui_thread = threading.current_thread()  # Kivy's touches, Clock and frames run here
    seen = watch_reads(store)

    kiosk.tap("points")
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    assert kiosk.screen.ids.balance.text == "您有 120 分"
    # The poll keeps reading while the screen is shown (a new ledger line appears).
    pull(store, points_entry(RESIDENT, 30, 150, "帮邻居买菜"))
    kiosk.until(lambda: kiosk.screen.ids.balance.text == "您有 150 分", what="polled balance")

    kiosk.tap("redeem")
    kiosk.until(lambda: controller.wallet.loaded, what="rewards read")
    kiosk.tap("reward_1")
    kiosk.tap("reward_yes")
    kiosk.until(lambda: controller.wallet.stored, what="redemption stored")
    pull(store, request_status(controller.wallet.record_id, "received"))
    kiosk.until(lambda: controller.wallet.outcome == "points.received", what="received read")

    assert {name for name, _ in seen} == set(POINTS_READS)
    on_ui = [name for name, thread in seen if thread is ui_thread]
    assert on_ui == [], f"read on the UI thread: {on_ui}"
