"""What a spoken request does: intent name -> the controller method its button calls.

One table, so a word and a tap can never do different things. An entry names a method and
how its arguments come from the intent's slots. An entry whose method the controller lacks
falls back to `controller.not_ready(intent)` with a log line (the tests require every
entry's method to exist).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

Slots = Mapping[str, Any]


def _none(_slots: Slots) -> tuple[Any, ...]:
    return ()


def _slot(name: str, default: Any = None) -> Callable[[Slots], tuple[Any, ...]]:
    def args(slots: Slots) -> tuple[Any, ...]:
        value = slots.get(name)
        return (default if value is None else value,)

    return args


def _constant(*values: Any) -> Callable[[Slots], tuple[Any, ...]]:
    return lambda _slots: values


def _kind_and_slot(kind: str, name: str) -> Callable[[Slots], tuple[Any, ...]]:
    """(the service kind, the choice the words named or None)."""
    return lambda slots: (kind, slots.get(name))


def _grocery_lines(slots: Slots) -> tuple[Any, ...]:
    from voice.dialogue import grocery_lines

    return (grocery_lines(slots),)


@dataclass(frozen=True, slots=True)
class VoiceAction:
    """The controller method a request calls, and with what.

    `by_phase`: another method while the alarm is in that phase (an "I'm OK" answers the
    fall question, not the SOS countdown). `resident`: the action is for one resident, so
    the who-is-using question comes first when several live here.
    """

    method: str
    args: Callable[[Slots], tuple[Any, ...]] = _none
    resident: bool = False
    by_phase: Mapping[str, str] = field(default_factory=dict)


VOICE_ACTIONS: Mapping[str, VoiceAction] = {
    # The alarm: never waits for a question (it goes with the band's resident, or none).
    "sos": VoiceAction("call_for_help"),
    "cancel_alarm": VoiceAction("cancel_help", by_phase={"fall_check": "fall_ok"}),
    # Built here.
    "groceries": VoiceAction("order_groceries", _grocery_lines, resident=True),
    "my_requests": VoiceAction("open_requests", resident=True),
    "go_home": VoiceAction("go_home"),
    "repeat": VoiceAction("repeat_speech"),
    # Answers to the dialogue's questions: the listening screen's buttons.
    "yes": VoiceAction("voice_choice", _constant("yes")),
    "no": VoiceAction("voice_choice", _constant("no")),
    "cancel": VoiceAction("voice_choice", _constant("cancel")),
    "more_time": VoiceAction("voice_choice", _constant("more_time")),
    # Services: straight to the read-back when the words named the choice.
    "repair": VoiceAction("open_service", _kind_and_slot("repair", "what"), resident=True),
    "certificate": VoiceAction("open_service", _kind_and_slot("certificate", "certificate"),
                               resident=True),
    "clinic_booking": VoiceAction("open_service",
                                  _kind_and_slot("clinic_booking", "department"), resident=True),
    "mediation": VoiceAction("open_service", _kind_and_slot("mediation", "with_whom"),
                             resident=True),
    "activity_booking": VoiceAction("open_activities", resident=True),
    "my_health": VoiceAction("open_health", resident=True),
    "battery": VoiceAction("open_health", resident=True),  # the band's battery is shown there
    "my_points": VoiceAction("open_points", resident=True),
    "redeem_points": VoiceAction("open_rewards", resident=True),
    "rate_service": VoiceAction("rate_by_voice", _slot("stars"), resident=True),
    "call_caregiver": VoiceAction("request_callback", _slot("caregiver", "caregiver"),
                                  resident=True),
    "call_service_centre": VoiceAction("request_callback", _constant("service_centre"),
                                       resident=True),
}


def method_for(controller: Any, intent: str) -> Callable[..., Any] | None:
    """The bound method a request calls now, or None when that screen is not built yet."""
    action = VOICE_ACTIONS[intent]
    phase = str(getattr(getattr(controller, "flow", None), "phase", ""))
    name = action.by_phase.get(phase, action.method)
    method = getattr(controller, name, None)
    return method if callable(method) else None


def perform(controller: Any, intent: str, slots: Slots) -> None:
    """Carry out a spoken request exactly as its button would (UI thread)."""
    action = VOICE_ACTIONS.get(intent)
    if action is None:
        log.warning("no kiosk action for the intent %r", intent)
        controller.not_ready(intent)
        return
    method = method_for(controller, intent)
    if method is None:
        log.info("voice: %s would call %s(), which this kiosk does not have yet",
                 intent, action.method)
        controller.not_ready(intent)
        return
    args = action.args(slots)
    log.info("voice: %s -> %s%r", intent, method.__name__, args)
    if action.resident:
        controller.for_resident(lambda: method(*args))
    else:
        method(*args)
