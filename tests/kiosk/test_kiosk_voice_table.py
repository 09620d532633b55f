"""The table from spoken request to controller method: complete, and the same calls as the
buttons; a method not built yet falls back to "coming soon" instead of failing."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from kiosk.controller import Controller
from kiosk.voice_actions import VOICE_ACTIONS, method_for, perform

# The methods the screens of later versions will add (the merge adds just these).
LATER = {
    "repair": "open_repair", "certificate": "open_certificate", "clinic_booking": "open_clinic",
    "activity_booking": "open_activities", "mediation": "open_mediation",
    "my_health": "open_health", "battery": "open_health", "my_points": "open_points",
    "redeem_points": "open_points", "rate_service": "rate_service",
    "call_caregiver": "request_callback", "call_service_centre": "request_callback",
}


@pytest.mark.parametrize("lang", ["zh", "en", "ko"])
def test_every_intent_has_an_entry(lang: str) -> None:
    from voice.intents import load_intents

    intents = {str(name) for name in load_intents(lang).intents}
    assert len(intents) >= 20
    assert intents - set(VOICE_ACTIONS) == set()


def test_built_entries_call_the_buttons_methods() -> None:
    built = {intent: action.method for intent, action in VOICE_ACTIONS.items()
             if intent not in LATER}
    for intent, method in built.items():
        assert callable(getattr(Controller, method, None)), f"{intent}: no {method}"
    assert built["sos"] == "call_for_help"
    assert built["cancel_alarm"] == "cancel_help"
    assert VOICE_ACTIONS["cancel_alarm"].by_phase == {"fall_check": "fall_ok"}
    assert {intent: VOICE_ACTIONS[intent].method for intent in LATER} == LATER
    # An alarm never waits for the who-is-using question; a request for one resident does.
    assert not VOICE_ACTIONS["sos"].resident and not VOICE_ACTIONS["cancel_alarm"].resident
    assert all(VOICE_ACTIONS[intent].resident for intent in (*LATER, "groceries"))


def test_slots_become_the_methods_arguments() -> None:
    assert VOICE_ACTIONS["repair"].args({"thing": "water"}) == ("water",)
    assert VOICE_ACTIONS["rate_service"].args({"stars": 4}) == (4,)
    assert VOICE_ACTIONS["call_caregiver"].args({}) == ("caregiver",)
    assert VOICE_ACTIONS["call_service_centre"].args({}) == ("service_centre",)
    line = {"item": "eggs", "quantity": 2, "unit": "斤"}
    assert VOICE_ACTIONS["groceries"].args({"items": [line]}) == ([line],)


def test_a_screen_not_built_yet_says_coming_soon(kiosk: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    controller = kiosk.controller
    if hasattr(controller, "open_certificate"):
        pytest.skip("the certificate screen exists now")
    assert method_for(controller, "certificate") is None
    with caplog.at_level(logging.INFO, logger="kiosk.voice_actions"):
        perform(controller, "certificate", {})
    kiosk.frames(2)
    assert controller.notice == controller.text("home.coming_soon")
    assert controller.speech.said[-1] == controller.text("say.coming_soon")
    assert "open_certificate" in caplog.text


def test_cancel_alarm_answers_the_question_on_screen(kiosk: Any) -> None:
    controller = kiosk.controller
    kiosk.tap("help")
    perform(controller, "cancel_alarm", {})  # in the countdown: Cancel
    assert kiosk.root.current == "home"
    assert controller.speech.said[-1] == controller.text("say.help_cancelled")
    perform(controller, "sos", {})
    assert kiosk.root.current == "help_countdown"
