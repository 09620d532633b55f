"""Korean intents: every expanded sentence parses back, and a table of utterances."""

from __future__ import annotations

from decimal import Decimal

import pytest

from voice.intents import GroceryLine, IntentName, load_intents


@pytest.fixture(scope="module")
def ko():
    return load_intents("ko", {"caregiver": ["김영희"], "activity": ["서예 교실"]})


def test_every_expanded_sentence_parses_back_to_its_intent_and_slots(ko) -> None:
    sentences = ko.sentences()
    assert {s.intent for s in sentences} == set(IntentName)
    wrong = [
        (s.text, s.intent, dict(s.slots), m and (m.intent, dict(m.slots)))
        for s in sentences
        for m in [ko.parse(s.text)]
        if m is None or (m.intent, dict(m.slots)) != (s.intent, dict(s.slots))
    ]
    assert not wrong, f"{len(wrong)} sentences do not parse back, e.g. {wrong[:5]}"


def G(item: str, quantity: int, unit: str) -> GroceryLine:
    return GroceryLine(item, Decimal(quantity), unit)


CASES = [
    ("살려 주세요", "sos", {}),
    ("도와주세요", "sos", {}),
    ("도와 주세요", "sos", {}),  # the model's pieces come back with spaces
    ("넘어졌어요", "sos", {}),
    ("괜찮아요", "cancel_alarm", {}),
    ("알람 취소", "cancel_alarm", {}),
    ("우리 딸한테 전화해 주세요", "call_caregiver", {"relation": "daughter"}),
    ("아들 좀 불러 주세요", "call_caregiver", {"relation": "son"}),
    ("김영희 씨 불러 주세요", "call_caregiver", {"caregiver": "김영희"}),
    ("복지관에 전화해 주세요", "call_service_centre", {}),
    ("장 봐 주세요", "groceries", {}),
    ("쌀 한 포대 사 주세요", "groceries", {"items": (G("rice", 1, "포대"),)}),
    ("쌀 한 포대하고 계란 두 판 주세요", "groceries",
     {"items": (G("rice", 1, "포대"), G("eggs", 2, "판"))}),
    ("사과 세 개 사 주세요", "groceries", {"items": (G("apples", 3, "개"),)}),
    ("우유 사 주세요", "groceries", {"items": (G("milk", 1, "팩"),)}),
    ("수도 고장 났어요", "repair", {"what": "water"}),
    ("전기가 나갔어요", "repair", {"what": "electricity"}),
    ("등본 떼 주세요", "certificate", {"certificate": "residence"}),
    ("내일 오전 치과 예약해 주세요", "clinic_booking",
     {"day": "tomorrow", "time_of_day": "morning", "department": "dental"}),
    ("서예 교실 신청할게요", "activity_booking", {"activity": "서예 교실"}),
    ("옆집하고 싸웠어요", "mediation", {"with_whom": "neighbour"}),
    ("내 심박수 알려 주세요", "my_health", {"measure": "heart_rate"}),
    ("팔찌 배터리 얼마나 남았어요", "battery", {}),
    ("내 포인트 얼마예요", "my_points", {}),
    ("포인트 사용할게요", "redeem_points", {}),
    ("별 다섯 개", "rate_service", {"stars": 5}),
    ("별 네 개 줄게요", "rate_service", {"stars": 4}),
    ("오 점이요", "rate_service", {"stars": 5}),
    ("네", "yes", {}),
    ("아니요", "no", {}),
    ("그만", "cancel", {}),
    ("취소", "cancel", {}),
    ("다시 말해 주세요", "repeat", {}),
    ("처음으로", "go_home", {}),
    ("잠깐만요", "more_time", {}),
]


@pytest.mark.parametrize(("said", "intent", "slots"), CASES, ids=[c[0] for c in CASES])
def test_utterances(ko, said: str, intent: str, slots: dict) -> None:
    match = ko.parse(said)
    assert match is not None, f"{said!r} not understood"
    assert (match.intent, dict(match.slots)) == (intent, slots)


@pytest.mark.parametrize("said", ["음", "세요 세요 주세요", "별 일곱 개", "119119"])
def test_no_parse(ko, said: str) -> None:
    assert ko.parse(said) is None


def test_vocabulary_is_words_as_written(ko) -> None:
    vocabulary = ko.vocabulary()
    assert {"살려", "주세요", "포대", "김영희"} <= vocabulary
