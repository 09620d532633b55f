"""Snapping: near misses snap with a calibrated score, anything else is NotUnderstood."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from voice.intents import GroceryLine, IntentMatch, NotUnderstood, load_intents
from voice.matching import DEFAULT_THRESHOLD, edit_distance, similarity, snap


@pytest.fixture(scope="module")
def zh():
    return load_intents("zh", {"caregiver": ["王芳", "李强"]})


@pytest.fixture(scope="module")
def en():
    return load_intents("en", {"caregiver": ["Mary"]})


@pytest.fixture(scope="module")
def ko():
    return load_intents("ko", {"caregiver": ["김영희"]})


def _naive(a, b) -> int:
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev, row[0] = row[:], i
        for j in range(1, len(b) + 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
    return row[-1]


def test_bit_parallel_distance_equals_the_textbook_one() -> None:
    rng = random.Random(4)
    for _ in range(2000):
        a = [rng.choice("abcde") for _ in range(rng.randint(0, 14))]
        b = [rng.choice("abcde") for _ in range(rng.randint(0, 14))]
        assert edit_distance(a, b) == _naive(a, b)


def test_score_calibration_one_error_in_six_passes_two_do_not() -> None:
    six = list("我要买五斤土豆")[:6]
    assert similarity(six, six[:5] + ["X"]) >= DEFAULT_THRESHOLD  # one wrong
    assert similarity(six, six[:5]) >= DEFAULT_THRESHOLD  # one missing
    assert similarity(six, six + ["X"]) >= DEFAULT_THRESHOLD  # one extra
    assert similarity(six, six[:4] + ["X", "Y"]) < DEFAULT_THRESHOLD  # two wrong


def test_exact_parse_scores_one(zh) -> None:
    match = snap("帮我叫一下我女儿", zh)
    assert isinstance(match, IntentMatch) and match.score == 1.0
    assert match.intent == "call_caregiver" and dict(match.slots) == {"relation": "daughter"}


NEAR_MISSES = [
    ("zh", "帮我叫一下我女二", "call_caregiver", {"relation": "daughter"}),
    ("zh", "手环还有多少点", "battery", {}),
    ("zh", "给王方打个电话", "call_caregiver", {"caregiver": "王芳"}),  # misheard name
    ("zh", "我想挂明天上午的牙科号", "clinic_booking",
     {"day": "tomorrow", "time_of_day": "morning", "department": "dental"}),
    ("zh", "我要买三斤苹过", "groceries",
     {"items": (GroceryLine("apples", Decimal(3), "斤"),)}),
    ("zh", "买三斤西红市", "groceries",
     {"items": (GroceryLine("tomatoes", Decimal(3), "斤"),)}),
    ("zh", "我要报修水管坏了", "repair", {"what": "water"}),
    ("en", "i want to sea the dentist", "clinic_booking", {"department": "dental"}),
    ("en", "could you call my daughter for me right away", None, None),
    ("en", "the fridge is not working properly", "repair", {"what": "appliance"}),
    ("en", "buy two bags of rise", "groceries", {}),  # the line is not invented
    ("ko", "우리 딸한테 전화해 주세여", "call_caregiver", {"relation": "daughter"}),
    ("ko", "내일 오전 치과 예약해 주셔요", "clinic_booking",
     {"day": "tomorrow", "time_of_day": "morning", "department": "dental"}),
]


@pytest.mark.parametrize(("language", "said", "intent", "slots"), NEAR_MISSES,
                         ids=[n[1] for n in NEAR_MISSES])
def test_near_misses_snap(zh, en, ko, language, said, intent, slots) -> None:
    intents = {"zh": zh, "en": en, "ko": ko}[language]
    result = snap(said, intents)
    if intent is None:
        assert isinstance(result, NotUnderstood)
        return
    assert isinstance(result, IntentMatch), result
    assert DEFAULT_THRESHOLD <= result.score < 1.0
    assert (result.intent, dict(result.slots)) == (intent, slots)


def test_a_misheard_slot_is_dropped_not_invented(zh) -> None:
    # "一代米": 代 is no unit; the rice line is not guessed, the eggs line stays.
    result = snap("我想买两斤鸡蛋和一代米", zh)
    assert isinstance(result, IntentMatch) and result.intent == "groceries"
    assert dict(result.slots) == {"items": (GroceryLine("eggs", Decimal(2), "斤"),)}
    # a star rating out of range is no rating
    result = snap("我给七颗星", zh)
    assert isinstance(result, NotUnderstood) or "stars" not in result.slots


NOISE = [
    ("zh", ""), ("zh", "嗯"), ("zh", "嗯 啊"), ("zh", "12345"), ("zh", "一二三四五六"),
    ("zh", "今天天气很好"), ("zh", "的了是在有"), ("zh", "他们在那里"), ("zh", "你好"),
    ("zh", "救命阿"),  # 3 units, one wrong: too short to risk
    ("en", "um"), ("en", "1 2 3 4"), ("en", "the weather is nice today"),
    ("en", "banana telephone purple"), ("ko", "음"), ("ko", "세요 세요 주세요"),
    ("ko", "오늘 날씨 좋네요"), ("ko", "123"),
]


@pytest.mark.parametrize(("language", "said"), NOISE, ids=[n[1] or "empty" for n in NOISE])
def test_noise_and_unrelated_sentences_are_not_understood(zh, en, ko, language, said) -> None:
    result = snap(said, {"zh": zh, "en": en, "ko": ko}[language])
    assert isinstance(result, NotUnderstood), result
    assert result.score < DEFAULT_THRESHOLD


def test_random_syllables_are_not_understood(zh, ko) -> None:
    rng = random.Random(7)
    zh_chars = "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会"
    ko_syllables = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조"
    understood = []
    for chars, intents in ((zh_chars, zh), (ko_syllables, ko)):
        for _ in range(100):
            said = "".join(rng.choice(chars) for _ in range(rng.randint(3, 10)))
            result = snap(said, intents)
            if isinstance(result, IntentMatch):
                understood.append((said, result.intent, result.score))
    assert len(understood) <= 2, understood  # chance hits of a real phrase are tolerated


def test_results_serialise(zh) -> None:
    match = snap("买两斤鸡蛋和一袋米", zh)
    assert match.to_dict()["slots"] == {
        "items": [{"item": "eggs", "quantity": "2", "unit": "斤"},
                  {"item": "rice", "quantity": "1", "unit": "袋"}]
    }
    assert snap("嗯", zh).to_dict()["intent"] is None
