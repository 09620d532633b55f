"""The table from spoken request to controller method: complete, and the same calls as the
buttons; a method not built yet falls back to "coming soon" instead of failing."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from kiosk.controller import Controller
from kiosk.voice_actions import VOICE_ACTIONS, method_for, perform

@pytest.mark.parametrize("lang", ["zh", "en", "ko"])
def test_every_intent_has_an_entry(lang: str) -> None:
    from voice.intents import load_intents

    intents = {str(name) for name in load_intents(lang).intents}
    assert len(intents) >= 20
    assert intents - set(VOICE_ACTIONS) == set()


def test_every_entry_calls_a_method_the_buttons_call() -> None:
    for intent, action in VOICE_ACTIONS.items():
        for name in (action.method, *action.by_phase.values()):
            assert callable(getattr(Controller, name, None)), f"{intent}: no {name}"
    assert VOICE_ACTIONS["sos"].method == "call_for_help"
    assert VOICE_ACTIONS["cancel_alarm"].method == "cancel_help"
    assert VOICE_ACTIONS["cancel_alarm"].by_phase == {"fall_check": "fall_ok"}
    # An alarm never waits for the who-is-using question; a request for one resident does.
    assert not VOICE_ACTIONS["sos"].resident and not VOICE_ACTIONS["cancel_alarm"].resident
    for intent in ("groceries", "repair", "my_health", "my_points", "rate_service",
                   "call_caregiver", "activity_booking"):
        assert VOICE_ACTIONS[intent].resident, intent


def test_slots_become_the_methods_arguments() -> None:
    assert VOICE_ACTIONS["repair"].args({"what": "water"}) == ("repair", "water")
    assert VOICE_ACTIONS["repair"].args({}) == ("repair", None)
    assert VOICE_ACTIONS["clinic_booking"].args({"department": "dental"}) == \
        ("clinic_booking", "dental")
    assert VOICE_ACTIONS["mediation"].args({"with_whom": "neighbour"}) == \
        ("mediation", "neighbour")
    assert VOICE_ACTIONS["rate_service"].args({"stars": 4}) == (4,)
    assert VOICE_ACTIONS["call_caregiver"].args({}) == ("caregiver",)
    assert VOICE_ACTIONS["call_service_centre"].args({}) == ("service_centre",)
    line = {"item": "eggs", "quantity": 2, "unit": "斤"}
    assert VOICE_ACTIONS["groceries"].args({"items": [line]}) == ([line],)


def test_a_spoken_repair_opens_the_same_read_back_as_the_taps(kiosk: Any) -> None:
    controller = kiosk.controller
    perform(controller, "repair", {"what": "water"})
    kiosk.until(lambda: kiosk.root.current == "service_confirm", what="repair read-back")
    spoken = controller.speech.said[-1]
    controller.go_home()
    kiosk.tap("services")
    kiosk.tap("service_repair")
    kiosk.tap("choice_water")
    assert kiosk.root.current == "service_confirm"
    assert controller.speech.said[-1] == spoken  # the same read-back, word for word
    # Without the choice in the words, the choices are offered.
    controller.go_home()
    perform(controller, "repair", {})
    assert kiosk.root.current == "service_choose"


def test_an_intent_without_a_method_says_coming_soon(kiosk: Any, monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    controller = kiosk.controller
    monkeypatch.setattr(type(controller), "open_health", None)
    assert method_for(controller, "my_health") is None
    with caplog.at_level(logging.INFO, logger="kiosk.voice_actions"):
        perform(controller, "my_health", {})
    kiosk.frames(2)
    assert controller.notice == controller.text("home.coming_soon")
    assert controller.speech.said[-1] == controller.text("say.coming_soon")
    assert "open_health" in caplog.text


def test_cancel_alarm_answers_the_question_on_screen(kiosk: Any) -> None:
    controller = kiosk.controller
    kiosk.tap("help")
    perform(controller, "cancel_alarm", {})  # in the countdown: Cancel
    assert kiosk.root.current == "home"
    assert controller.speech.said[-1] == controller.text("say.help_cancelled")
    perform(controller, "sos", {})
    assert kiosk.root.current == "help_countdown"
