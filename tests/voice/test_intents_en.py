"""English intents: every expanded sentence parses back, and a table of utterances."""

from __future__ import annotations

from decimal import Decimal

import pytest

from voice.intents import GroceryLine, IntentName, load_intents


@pytest.fixture(scope="module")
def en():
    return load_intents("en", {"caregiver": ["Mary", "John Smith"], "activity": ["tai chi"]})


def test_every_expanded_sentence_parses_back_to_its_intent_and_slots(en) -> None:
    sentences = en.sentences()
    assert {s.intent for s in sentences} == set(IntentName)
    wrong = [
        (s.text, s.intent, dict(s.slots), m and (m.intent, dict(m.slots)))
        for s in sentences
        for m in [en.parse(s.text)]
        if m is None or (m.intent, dict(m.slots)) != (s.intent, dict(s.slots))
    ]
    assert not wrong, f"{len(wrong)} sentences do not parse back, e.g. {wrong[:5]}"


def G(item: str, quantity: str | int, unit: str) -> GroceryLine:
    return GroceryLine(item, Decimal(str(quantity)), unit)


CASES = [
    ("Help!", "sos", {}),
    ("help me please", "sos", {}),
    ("I've fallen and I can't get up", None, None),  # two phrases: not one template
    ("I can't get up", "sos", {}),
    ("call an ambulance", "sos", {}),
    ("I'm OK", "cancel_alarm", {}),
    ("I am fine", "cancel_alarm", {}),
    ("cancel the alarm", "cancel_alarm", {}),
    ("can you call my daughter please", "call_caregiver", {"relation": "daughter"}),
    ("I want to talk to my son", "call_caregiver", {"relation": "son"}),
    ("call Mary", "call_caregiver", {"caregiver": "Mary"}),
    ("phone John Smith", "call_caregiver", {"caregiver": "John Smith"}),
    ("call the service centre", "call_service_centre", {}),
    ("I need groceries", "groceries", {}),
    ("buy two bags of rice", "groceries", {"items": (G("rice", 2, "bag"),)}),
    ("buy two bags of rice and a dozen eggs", "groceries",
     {"items": (G("rice", 2, "bag"), G("eggs", 1, "dozen"))}),
    ("I need half a kilo of pork", "groceries", {"items": (G("pork", "0.5", "kg"),)}),
    ("get me some milk", "groceries", {"items": (G("milk", 1, "litre"),)}),
    ("I'd like 3 apples", None, None),  # "I'd like" is not a template phrase
    ("I would like 3 apples", "groceries", {"items": (G("apples", 3, "piece"),)}),
    ("the heating isn't working", "repair", {"what": "heating"}),
    ("please fix my fridge", "repair", {"what": "appliance"}),
    ("there's a leak", "repair", {"what": "water"}),
    ("I need a proof of income", "certificate", {"certificate": "income"}),
    ("I want to see the dentist tomorrow morning", "clinic_booking",
     {"department": "dental", "day": "tomorrow", "time_of_day": "morning"}),
    ("sign me up for tai chi", "activity_booking", {"activity": "tai chi"}),
    ("I had an argument with my neighbours", "mediation", {"with_whom": "neighbour"}),
    ("what's my heart rate", "my_health", {"measure": "heart_rate"}),
    ("how is my health", "my_health", {}),
    ("does my wristband need charging", "battery", {}),
    ("how many points do I have", "my_points", {}),
    ("redeem my points", "redeem_points", {}),
    ("four stars", "rate_service", {"stars": 4}),
    ("give it five stars", "rate_service", {"stars": 5}),
    ("yes", "yes", {}),
    ("that's right", "yes", {}),
    ("no", "no", {}),
    ("stop", "cancel", {}),
    ("never mind", "cancel", {}),
    ("say that again", "repeat", {}),
    ("go home", "go_home", {}),
    ("hold on", "more_time", {}),
    ("give me more time", "more_time", {}),
]


@pytest.mark.parametrize(("said", "intent", "slots"), CASES, ids=[c[0] for c in CASES])
def test_utterances(en, said: str, intent: str | None, slots: dict | None) -> None:
    match = en.parse(said)
    if intent is None:
        assert match is None
    else:
        assert match is not None, f"{said!r} not understood"
        assert (match.intent, dict(match.slots)) == (intent, slots)


def test_vocabulary_is_words(en) -> None:
    assert {"help", "rice", "bags", "mary", "smith"} <= en.vocabulary()
