"""The fall screen against a virtual wristband on the simulated radio and the real service."""

from __future__ import annotations

import json
from typing import Any

from kiosk_harness import make_kiosk
from sqlalchemy import text

from kiosk.wiring import simulated_wristbands


def records(store: Any, kind: str) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT payload FROM records WHERE kind = :kind ORDER BY rowid"),
                            {"kind": kind}).all()
    return [json.loads(row[0]) if isinstance(row[0], str) else row[0] for row in rows]


def test_a_band_fall_asks_are_you_ok_and_im_ok_cancels_it_on_the_band_service(
        store: Any, manual_time: Any) -> None:
    kiosk = make_kiosk(store, manual_time, wristbands=simulated_wristbands(1))
    controller = kiosk.controller
    try:
        kiosk.until(lambda: controller.status.bands_connected == 1, timeout=20,
                    what="the virtual band connected")
        assert "手环已连上" in controller.status_text
        service = controller.wristband_service
        band = service.fleet[0]  # the simulator's handle, set by simulated_wristbands
        controller.background.submit(band.detect_fall())
        kiosk.until(lambda: kiosk.root.current == "fall", timeout=10, what="fall screen")
        assert "您还好吗" in controller.speech.said[-1]

        kiosk.tap("fall_ok")
        assert kiosk.root.current == "home"
        kiosk.until(lambda: records(store, "wristband_alert"), timeout=5,
                    what="the cancelled fall recorded by the wristband service")
        cancelled = records(store, "wristband_alert")[-1]
        assert (cancelled["alert"], cancelled["phase"]) == ("fall_cancelled", "ended")
        assert records(store, "help_call") == []  # "I'm OK": no alarm
    finally:
        kiosk.close()
