"""The help flow through real touches, checked in the real local store and its outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from kiosk.alarm import Phase


def help_calls(store: Any) -> list[dict[str, Any]]:
    """Help-call outbox items as the sync engine would push them (read for the test only)."""
    with store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT envelope, priority, state FROM outbox WHERE kind = 'help_call' ORDER BY seq"
        )).all()
    return [{"envelope": json.loads(env), "priority": prio, "state": state}
            for env, prio, state in rows]


def pull_status(store: Any, call_id: Any, state: str, by: str | None, seq: int) -> None:
    """A help_call_status change as a sync pull brings it."""
    store.apply_pull([{"seq": seq, "kind": "help_call_status",
                       "changed_at": datetime.now(UTC).isoformat(),
                       "payload": {"help_call_id": str(call_id), "state": state,
                                   "acknowledged_by": by}}], next_cursor=seq)


def test_cancel_within_the_countdown_stores_nothing(kiosk: Any, store: Any,
                                                    manual_time: Any) -> None:
    kiosk.tap("help")
    assert kiosk.root.current == "help_countdown"
    assert kiosk.screen.ids.seconds.text == "5"
    manual_time.advance(3.2)
    # The number on screen counts down (the controller ticks every 0.1 s).
    kiosk.until(lambda: kiosk.screen.ids.seconds.text == "2", timeout=2, what="2 s left")
    kiosk.tap("cancel")
    assert kiosk.root.current == "home"
    manual_time.advance(60)  # long past the deadline: still nothing
    kiosk.frames(20)
    assert help_calls(store) == []
    assert store.outbox_status().pending == 0
    said = kiosk.controller.speech.said
    assert said[-1] == "已取消，没有发出呼叫。"


def test_countdown_running_out_stores_one_urgent_help_call_and_latches_until_acknowledged(
        kiosk: Any, store: Any, manual_time: Any) -> None:
    controller = kiosk.controller
    kiosk.tap("help")
    manual_time.advance(5.05)
    kiosk.until(lambda: controller.alarm.saved, what="help call stored")
    assert kiosk.root.current == "help_alarm"

    calls = help_calls(store)
    assert len(calls) == 1
    call = calls[0]
    assert call["priority"] == 0 and call["state"] == "pending"  # urgent, in the outbox
    assert call["envelope"]["payload"]["source"] == "kiosk_button"
    assert call["envelope"]["id"] == str(controller.alarm.help_call_id)

    # No server configured: the screen says the community cannot be reached (latched).
    assert kiosk.screen.ids.offline.opacity == 1
    assert "010" not in kiosk.screen.ids.phone.text  # no number known yet: advice instead

    # Latched: tapping around and time passing do not dismiss it; the red button shows it.
    manual_time.advance(120)
    kiosk.frames(5)
    kiosk.tap(kiosk.screen.ids.message)
    assert controller.alarm.phase is Phase.LATCHED and kiosk.root.current == "help_alarm"
    assert kiosk.screen.ids.done.parent.opacity == 0

    # Escalated is not acknowledged: still latched.
    pull_status(store, controller.alarm.help_call_id, "escalated", None, seq=1)
    kiosk.frames(10)
    assert controller.alarm.phase is Phase.LATCHED

    pull_status(store, controller.alarm.help_call_id, "acknowledged", "王护士", seq=2)
    kiosk.until(lambda: controller.alarm.acknowledged, what="acknowledgement noticed")
    assert "王护士" in kiosk.screen.ids.message.text
    assert controller.speech.said[-1] == "王护士 已收到，马上来帮您。"
    assert len(help_calls(store)) == 1  # still exactly one

    kiosk.tap("done")
    assert kiosk.root.current == "home" and controller.alarm.phase is Phase.IDLE


def test_unreachable_server_shows_the_community_phone(kiosk: Any, store: Any,
                                                      manual_time: Any) -> None:
    store.apply_pull([{"seq": 1, "kind": "kiosk_info",
                       "changed_at": datetime.now(UTC).isoformat(),
                       "payload": {"kiosk_id": str(store.kiosk_id), "name": "3号楼",
                                   "community_phone": "010-12345678"}}], next_cursor=1)
    kiosk.until(lambda: kiosk.controller.status.community_phone == "010-12345678",
                what="kiosk info read")
    kiosk.tap("help")
    manual_time.advance(6)
    kiosk.until(lambda: kiosk.controller.alarm.saved, what="help call stored")
    assert kiosk.screen.ids.offline.opacity == 1
    assert "010-12345678" in kiosk.screen.ids.phone.text
    assert any("010-12345678" in line for line in kiosk.controller.speech.said)


def test_any_touch_stops_speech(kiosk: Any) -> None:
    kiosk.tap("lang_en")
    calls = kiosk.controller.speech.calls
    stop = calls.index(("stop",))
    assert calls[stop + 1][0] == "speak"  # stopped first, then the new language speaks
