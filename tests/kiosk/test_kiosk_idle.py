"""A kiosk left alone: warned after N seconds without a touch, home 15 s later; never
during an alarm, never on home; "More time" keeps everything as it was."""

from __future__ import annotations

from typing import Any

import pytest
from kiosk_harness import make_kiosk
from kiosk_people import add_residents

from kiosk.alarm import Phase
from kiosk.idle_watch import DEFAULT_IDLE_S, IDLE_GRACE_S


def wait(kiosk: Any, manual_time: Any, seconds: float) -> None:
    manual_time.advance(seconds)
    kiosk.controller._tick(0)  # the tick the Clock runs every 0.1 s, now, not after a sleep
    kiosk.frames(2)


def test_warning_then_more_time_keeps_the_order(kiosk: Any, store: Any,
                                                manual_time: Any) -> None:
    add_residents(store, "李奶奶")
    controller = kiosk.controller
    assert controller.idle_seconds == DEFAULT_IDLE_S == 60
    kiosk.tap("groceries")
    kiosk.tap("plus_eggs")
    wait(kiosk, manual_time, 59)
    assert kiosk.root.current == "groceries"
    wait(kiosk, manual_time, 2)
    assert kiosk.root.current == "still_there"
    assert controller.speech.said[-1] == controller.text("idle.say", seconds=15)
    assert kiosk.screen.ids.seconds.text == controller.text("idle.countdown", seconds=15)
    wait(kiosk, manual_time, 5)
    assert kiosk.screen.ids.seconds.text == controller.text("idle.countdown", seconds=10)
    kiosk.tap("idle_more_time")
    assert kiosk.root.current == "groceries"
    assert controller.grocery.quantity("eggs") == 1
    # The count starts again from the touch.
    wait(kiosk, manual_time, 59)
    assert kiosk.root.current == "groceries"


def test_nobody_answers_home_and_the_half_order_is_gone(kiosk: Any, store: Any,
                                                        manual_time: Any) -> None:
    add_residents(store, "李奶奶")
    controller = kiosk.controller
    kiosk.tap("groceries")
    kiosk.tap("plus_eggs")
    wait(kiosk, manual_time, 61)
    assert kiosk.root.current == "still_there"
    wait(kiosk, manual_time, IDLE_GRACE_S - 1)
    assert kiosk.root.current == "still_there"
    wait(kiosk, manual_time, 1.5)
    assert kiosk.root.current == "home"
    assert controller.speech.said[-1] == controller.text("idle.say_home")
    assert controller.grocery.empty


def test_touches_keep_it_awake(kiosk: Any, manual_time: Any) -> None:
    kiosk.tap("groceries")
    for _ in range(4):
        wait(kiosk, manual_time, 45)
        kiosk.tap("plus_rice")
    assert kiosk.root.current == "groceries"


def test_home_is_never_warned(kiosk: Any, manual_time: Any) -> None:
    wait(kiosk, manual_time, 1000)
    assert kiosk.root.current == "home"
    assert kiosk.controller.text("idle.say", seconds=15) not in kiosk.controller.speech.said


def test_never_during_an_alarm(kiosk: Any, manual_time: Any) -> None:
    controller = kiosk.controller
    kiosk.tap("help")
    wait(kiosk, manual_time, 5.1)
    kiosk.until(lambda: controller.alarm.saved, what="help call stored")
    for _ in range(5):
        wait(kiosk, manual_time, 100)
    assert kiosk.root.current == "help_alarm" and controller.alarm.phase is Phase.LATCHED
    assert controller.text("idle.say", seconds=15) not in controller.speech.said


@pytest.mark.parametrize("seconds", [10.0])
def test_the_wait_is_configurable(store: Any, manual_time: Any, seconds: float) -> None:
    kiosk = make_kiosk(store, manual_time, idle_seconds=seconds)
    try:
        kiosk.tap("groceries")
        wait(kiosk, manual_time, seconds - 1)
        assert kiosk.root.current == "groceries"
        wait(kiosk, manual_time, 2)
        assert kiosk.root.current == "still_there"
    finally:
        kiosk.close()
