"""Mandarin intents: every expanded sentence parses back, and what seniors actually say."""

from __future__ import annotations

import typing
from decimal import Decimal

import pytest

from sync.records import (
    CertificateDetails,
    ClinicBookingDetails,
    MediationDetails,
    RepairDetails,
)
from voice.intents import GroceryLine, IntentName, load_intents

CAREGIVERS = {"caregiver": ["王芳", "李强"], "activity": ["太极拳", "书法班"]}


@pytest.fixture(scope="module")
def zh():
    return load_intents("zh", CAREGIVERS)


def test_every_expanded_sentence_parses_back_to_its_intent_and_slots(zh) -> None:
    sentences = zh.sentences()
    assert len(sentences) > 1000
    assert {s.intent for s in sentences} == set(IntentName)
    wrong = []
    for sentence in sentences:
        match = zh.parse(sentence.text)
        got = None if match is None else (match.intent, dict(match.slots))
        if got != (sentence.intent, dict(sentence.slots)):
            wrong.append((sentence.text, sentence.intent, dict(sentence.slots), got))
    assert not wrong, f"{len(wrong)} sentences do not parse back, e.g. {wrong[:5]}"


def G(item: str, quantity: str | int, unit: str) -> GroceryLine:
    return GroceryLine(item, Decimal(str(quantity)), unit)


CASES = [
    # sos
    ("救命啊", "sos", {}),
    ("帮帮我", "sos", {}),
    ("快来人啊", "sos", {}),
    ("我摔倒了", "sos", {}),
    ("我起不来了", "sos", {}),
    ("快叫救护车", "sos", {}),
    ("打120", "sos", {}),
    # cancel_alarm
    ("我没事", "cancel_alarm", {}),
    ("没事儿", "cancel_alarm", {}),
    ("取消报警", "cancel_alarm", {}),
    ("我按错了", "cancel_alarm", {}),
    # call_caregiver
    ("帮我叫一下我女儿", "call_caregiver", {"relation": "daughter"}),
    ("给我儿子打个电话", "call_caregiver", {"relation": "son"}),
    ("我想找我闺女", "call_caregiver", {"relation": "daughter"}),
    ("叫我老伴过来", "call_caregiver", {"relation": "spouse"}),
    ("给王芳打电话", "call_caregiver", {"caregiver": "王芳"}),
    ("麻烦你联系一下李强", "call_caregiver", {"caregiver": "李强"}),
    # call_service_centre
    ("给社区打个电话", "call_service_centre", {}),
    ("我要找居委会", "call_service_centre", {}),
    # groceries
    ("我要买菜", "groceries", {}),
    ("买菜代购", "groceries", {}),
    ("买两斤鸡蛋和一袋米", "groceries", {"items": (G("eggs", 2, "斤"), G("rice", 1, "袋"))}),
    ("帮我买十个鸡蛋", "groceries", {"items": (G("eggs", 10, "个"),)}),
    ("我想买一斤半猪肉还有两根黄瓜", "groceries",
     {"items": (G("pork", "1.5", "斤"), G("cucumbers", 2, "根"))}),
    ("来半斤肉", "groceries", {"items": (G("pork", "0.5", "斤"),)}),
    ("给我带点西红柿", "groceries", {"items": (G("tomatoes", 1, "斤"),)}),
    ("买3斤苹果", "groceries", {"items": (G("apples", 3, "斤"),)}),
    ("家里没米了", "groceries", {"items": (G("rice", 1, "袋"),)}),
    # repair
    ("我要报修", "repair", {}),
    ("家里的水管坏了", "repair", {"what": "water"}),
    ("停电了", "repair", {"what": "electricity"}),
    ("有煤气味", "repair", {"what": "gas"}),
    ("门打不开了", "repair", {"what": "door"}),
    ("修一下窗户", "repair", {"what": "window"}),
    ("冰箱坏了", "repair", {"what": "appliance"}),
    ("暖气不热了", "repair", {"what": "heating"}),
    # certificate
    ("我要开证明", "certificate", {}),
    ("我想开个居住证明", "certificate", {"certificate": "residence"}),
    ("办老年证", "certificate", {"certificate": "elderly_card"}),
    # clinic_booking
    ("我要看病", "clinic_booking", {}),
    ("挂明天上午的牙科", "clinic_booking",
     {"day": "tomorrow", "time_of_day": "morning", "department": "dental"}),
    ("明天看眼睛", "clinic_booking", {"day": "tomorrow", "department": "eye"}),
    # activity_booking
    ("我要报名参加活动", "activity_booking", {}),
    ("我想报名太极拳", "activity_booking", {"activity": "太极拳"}),
    # mediation
    ("我要调解", "mediation", {}),
    ("我跟邻居吵架了", "mediation", {"with_whom": "neighbour"}),
    ("楼上太吵了", "mediation", {"with_whom": "neighbour"}),
    # health, battery, points
    ("我的心率是多少", "my_health", {"measure": "heart_rate"}),
    ("我身体怎么样", "my_health", {}),
    ("手环还有多少电", "battery", {}),
    ("我有多少积分", "my_points", {}),
    ("用积分换东西", "redeem_points", {}),
    # rating
    ("五颗星", "rate_service", {"stars": 5}),
    ("给你们打四星", "rate_service", {"stars": 4}),
    ("两颗星", "rate_service", {"stars": 2}),
    # short answers and navigation
    ("对", "yes", {}),
    ("好的", "yes", {}),
    ("不对", "no", {}),
    ("不要", "no", {}),
    ("取消", "cancel", {}),
    ("不要了", "cancel", {}),
    ("算了吧", "cancel", {}),
    ("再说一遍", "repeat", {}),
    ("你说什么", "repeat", {}),
    ("我没听清楚", "repeat", {}),
    ("回首页", "go_home", {}),
    ("等一下", "more_time", {}),
    ("再给我点时间", "more_time", {}),
]


@pytest.mark.parametrize(("said", "intent", "slots"), CASES, ids=[c[0] for c in CASES])
def test_what_seniors_say(zh, said: str, intent: str, slots: dict) -> None:
    match = zh.parse(said)
    assert match is not None, f"{said!r} not understood"
    assert (match.intent, dict(match.slots)) == (intent, slots)
    assert match.score == 1.0


@pytest.mark.parametrize("said", ["嗯", "", "12345", "七颗星", "今天天气很好", "我要"])
def test_no_parse(zh, said: str) -> None:
    assert zh.parse(said) is None


def test_caregiver_names_come_at_run_time() -> None:
    without = load_intents("zh")
    assert without.parse("给王芳打电话") is None
    assert not any("王芳" in s.text for s in without.sentences())
    sentences = without.sentences(slot_values={"caregiver": ["王芳"]})
    assert any("王芳" in s.text for s in sentences)
    named = without.with_slot_values({"caregiver": {"王芳": ["王芳", "芳芳"]}})
    assert dict(named.parse("叫芳芳").slots) == {"caregiver": "王芳"}


def test_canonical_values_are_the_wire_values() -> None:
    zh = load_intents("zh")

    def literal(model, field: str) -> set[str]:
        return set(typing.get_args(model.model_fields[field].annotation))

    for list_name, model, field in [
        ("repair_what", RepairDetails, "what"),
        ("certificate_kind", CertificateDetails, "certificate"),
        ("department", ClinicBookingDetails, "department"),
        ("time_of_day", ClinicBookingDetails, "time_of_day"),
        ("party", MediationDetails, "with_whom"),
    ]:
        assert set(zh.slot_list(list_name).values) <= literal(model, field), list_name
    assert set(zh.slot_list("repair_what").values) == literal(RepairDetails, "what") - {"other"}


def test_vocabulary_is_the_characters_of_the_sentences(zh) -> None:
    vocabulary = zh.vocabulary()
    assert {"救", "命", "鸡", "蛋", "王", "芳"} <= vocabulary
    assert all(len(unit) == 1 for unit in vocabulary)


def test_limit_keeps_every_template(zh) -> None:
    limited = zh.sentences(limit=300)
    assert len(limited) == 300
    assert {s.template for s in limited} == {s.template for s in zh.sentences()}
