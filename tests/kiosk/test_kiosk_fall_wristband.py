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


def kiosk_with_a_band(store: Any, manual_time: Any) -> tuple[Any, Any]:
    """A kiosk with one virtual band, connected; closes the kiosk if the band never comes."""
    kiosk = make_kiosk(store, manual_time, wristbands=simulated_wristbands(1))
    try:
        kiosk.until(lambda: kiosk.controller.status.bands_connected == 1, timeout=20,
                    what="the virtual band connected")
    except BaseException:
        kiosk.close()
        raise
    return kiosk, kiosk.controller.wristband_service.fleet[0]


def test_call_for_help_on_the_fall_screen_is_one_fall_alarm_that_the_screen_follows(
        store: Any, manual_time: Any) -> None:
    import uuid

    kiosk, band = kiosk_with_a_band(store, manual_time)
    controller = kiosk.controller
    try:
        controller.background.submit(band.detect_fall())
        kiosk.until(lambda: kiosk.root.current == "fall", timeout=10, what="fall screen")

        kiosk.tap("fall_call")
        kiosk.until(lambda: records(store, "help_call"), timeout=5, what="the fall alarm stored")
        kiosk.until(lambda: controller.flow.state.help_call_id is not None, timeout=5,
                    what="the latched alarm follows the stored help call")
        with store.engine.connect() as conn:
            [(record_id, payload)] = conn.execute(text(
                "SELECT id, payload FROM records WHERE kind = 'help_call'")).all()
        assert (json.loads(payload) if isinstance(payload, str) else payload)["source"] == "fall"
        assert controller.flow.state.help_call_id == uuid.UUID(str(record_id))
        # The band's own countdown is over: no second help call at its deadline.
        assert controller.wristband_service.engine.fall_deadline(band.address) is None
    finally:
        kiosk.close()


def test_a_wristband_sos_latches_and_shows_who_acknowledged(store: Any, manual_time: Any) -> None:
    from datetime import UTC, datetime

    kiosk, band = kiosk_with_a_band(store, manual_time)
    controller = kiosk.controller
    try:
        controller.background.submit(band.press_sos())
        kiosk.until(lambda: kiosk.root.current == "help_alarm", timeout=10, what="latched alarm")
        kiosk.until(lambda: controller.alarm.help_call_id is not None, timeout=5,
                    what="the alarm follows the band's help call")
        [call] = records(store, "help_call")
        assert call["source"] == "wristband_sos"

        store.apply_pull([{"seq": 1, "kind": "help_call_status", "changed_at": datetime.now(UTC).isoformat(),
                           "payload": {"help_call_id": str(controller.alarm.help_call_id),
                                       "state": "acknowledged", "acknowledged_by": "张阿姨"}}], next_cursor=1)
        kiosk.until(lambda: controller.alarm.acknowledged, timeout=10, what="acknowledgement noticed")
        assert "张阿姨" in kiosk.screen.ids.message.text
    finally:
        kiosk.close()
