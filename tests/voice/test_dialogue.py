"""Dialogue state machine tests: driven by events exactly as the kiosk drives it, no audio."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from voice.dialogue import (
    ACT_AT_ONCE,
    REQUIRED_SLOTS,
    Act,
    Choice,
    Dialogue,
    Effect,
    Heard,
    Listen,
    NotHeard,
    OfferButtons,
    Say,
    ShowChoices,
    State,
    StopSpeaking,
    Tapped,
    Tick,
    Timings,
    plain_words,
)
from voice.prompts import CHOICE_KEYS, PROMPTS_DIR, PromptsError, load_prompts, parse_prompts
from voice.speaker import RecordingSpeaker

# The template engine's IntentName values (voice/intents.py), as agreed for issue 4.
INTENT_NAMES = (
    "sos cancel_alarm call_caregiver call_service_centre groceries repair certificate "
    "clinic_booking activity_booking mediation my_health battery my_points redeem_points "
    "rate_service yes no cancel repeat go_home more_time"
).split()


@dataclass(frozen=True, slots=True)
class Match:
    """Stand-in for an understood result (voice.matching.IntentMatch / recognizer.Understanding)."""

    intent: str
    slots: dict[str, Any] = field(default_factory=dict)
    score: float = 0.9


@dataclass(frozen=True, slots=True)
class Unclear:
    """Stand-in for "not understood": no intent."""

    transcript: str = "嗯嗯"
    intent: None = None


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def zh(clock: FakeClock) -> Dialogue:
    return Dialogue(load_prompts("zh"), clock=clock)


def said(effects: Iterable[Effect]) -> list[str]:
    return [e.text for e in effects if isinstance(e, Say)]


def heard(intent: str, **slots: Any) -> Heard:
    return Heard(Match(intent, dict(slots)))


# -- the main path ----------------------------------------------------------------------------


def test_talk_listen_understand_confirm_act(zh: Dialogue) -> None:
    effects = zh.handle(Tapped(Choice.TALK))
    assert effects == [
        StopSpeaking(),
        Say("请说您要办的事。", "zh"),
        ShowChoices((Choice.REPEAT, Choice.CANCEL)),
        Listen(),
    ]
    assert zh.state is State.LISTENING

    effects = zh.handle(heard("clinic_booking"))
    assert said(effects) == ["我听到：预约看病。对吗？"]
    assert ShowChoices((Choice.YES, Choice.NO, Choice.REPEAT, Choice.CANCEL)) in effects
    assert zh.state is State.CONFIRMING

    effects = zh.handle(heard("yes"))
    assert Act("clinic_booking", {}) in effects
    assert said(effects) == ["好的，马上为您办：预约看病。"]
    assert zh.state is State.ACTING


def test_yes_by_voice_and_by_tap_are_the_same_event(clock: FakeClock) -> None:
    results = []
    for answer in (heard("yes"), Tapped(Choice.YES)):
        dialogue = Dialogue(load_prompts("zh"), clock=clock)
        dialogue.handle(Tapped(Choice.TALK))
        dialogue.handle(heard("certificate"))
        results.append([e for e in dialogue.handle(answer) if not isinstance(e, StopSpeaking)])
    assert results[0] == results[1]
    assert Act("certificate", {}) in results[0]


def test_no_means_ask_again(zh: Dialogue) -> None:
    zh.handle(Tapped(Choice.TALK))
    zh.handle(heard("mediation"))
    effects = zh.handle(Tapped(Choice.NO))
    assert said(effects) == ["好的，请再说一遍您要办的事。"]
    assert Listen() in effects and zh.state is State.LISTENING and zh.intent is None
    assert not any(isinstance(e, Act) for e in effects)


def test_another_request_while_confirming_replaces_the_first(zh: Dialogue) -> None:
    zh.handle(Tapped(Choice.TALK))
    zh.handle(heard("certificate"))
    effects = zh.handle(heard("repair", thing="水管"))
    assert said(effects) == ["我听到：报修：水管。对吗？"]
    assert zh.handle(Tapped(Choice.YES))[1:2] == [ShowChoices(())]
    assert zh.state is State.ACTING


# -- slot filling -----------------------------------------------------------------------------


def test_groceries_items_are_read_back_and_more_can_be_added(zh: Dialogue) -> None:
    zh.handle(Tapped(Choice.TALK))
    effects = zh.handle(heard("groceries"))
    assert said(effects) == ["您要买什么？比如：两斤鸡蛋、一袋米。"]
    assert zh.state is State.FILLING

    effects = zh.handle(
        heard(
            "groceries",
            items=[
                {"item": "鸡蛋", "quantity": "两", "unit": "斤"},
                {"item": "米", "quantity": "一", "unit": "袋"},
            ],
        )
    )
    assert said(effects) == ["好的，两斤鸡蛋、一袋米。还要别的吗？"]
    assert zh.state is State.ADDING_MORE

    effects = zh.handle(heard("yes"))
    assert said(effects) == ["请说您还要买什么。"] and zh.state is State.FILLING
    effects = zh.handle(heard("groceries", item="酱油"))
    assert said(effects) == ["好的，两斤鸡蛋、一袋米、酱油。还要别的吗？"]

    effects = zh.handle(heard("no"))
    assert said(effects) == ["我听到：买菜代购：两斤鸡蛋、一袋米、酱油。对吗？"]
    effects = zh.handle(Tapped(Choice.YES))
    assert Act(
        "groceries",
        {
            "items": [
                {"item": "鸡蛋", "quantity": "两", "unit": "斤"},
                {"item": "米", "quantity": "一", "unit": "袋"},
                {"item": "酱油", "quantity": None, "unit": None},
            ]
        },
    ) in effects


def test_groceries_said_with_items_at_once_go_straight_to_the_read_back(zh: Dialogue) -> None:
    zh.handle(Tapped(Choice.TALK))
    effects = zh.handle(heard("groceries", item="鸡蛋", quantity="两", unit="斤"))
    assert said(effects) == ["好的，两斤鸡蛋。还要别的吗？"]
    # More items may also simply be said instead of answering "yes" first.
    effects = zh.handle(heard("groceries", item="米", quantity="一", unit="袋"))
    assert said(effects) == ["好的，两斤鸡蛋、一袋米。还要别的吗？"]


def test_repair_asks_what_is_broken_then_reads_it_back(zh: Dialogue) -> None:
    zh.handle(Tapped(Choice.TALK))
    effects = zh.handle(heard("repair"))
    assert said(effects) == ["哪里坏了？比如：水管、电、门锁。"]
    assert zh.state is State.FILLING and zh.asking == "thing"
    effects = zh.handle(heard("repair", thing={"text": "门锁", "value": "door"}))
    assert said(effects) == ["我听到：报修：门锁。对吗？"]
    effects = zh.handle(heard("yes"))
    assert Act("repair", {"thing": {"text": "门锁", "value": "door"}}) in effects


def test_rating_asks_for_stars(zh: Dialogue) -> None:
    zh.handle(Tapped(Choice.TALK))
    assert said(zh.handle(heard("rate_service"))) == ["您给几颗星？一颗到五颗。"]
    assert said(zh.handle(heard("rate_service", stars=5))) == ["我听到：服务评价：5颗星。对吗？"]


@dataclass(frozen=True, slots=True)
class Line:
    """Stand-in for the template engine's grocery line (canonical item, Decimal quantity)."""

    item: str
    quantity: Decimal
    unit: str


def test_canonical_slot_values_are_read_back_through_describe(clock: FakeClock) -> None:
    words = {("item", "eggs"): "鸡蛋", ("item", "rice"): "米", ("quantity", Decimal(2)): "两",
             ("quantity", Decimal(1)): "一", ("thing", "door"): "门锁"}

    def describe(slot: str, value: Any) -> str:
        return words.get((slot, value), str(value))

    d = Dialogue(load_prompts("zh"), clock=clock, describe=describe)
    d.handle(Tapped(Choice.TALK))
    lines = (Line("eggs", Decimal(2), "斤"), Line("rice", Decimal(1), "袋"))
    assert said(d.handle(heard("groceries", items=lines))) == ["好的，两斤鸡蛋、一袋米。还要别的吗？"]
    effects = d.handle(heard("no"))
    assert said(effects) == ["我听到：买菜代购：两斤鸡蛋、一袋米。对吗？"]
    # The action gets the canonical lines, exactly as a grocery button flow would.
    assert Act("groceries", {"items": list(lines)}) in d.handle(Tapped(Choice.YES))

    d.handle(Tapped(Choice.TALK))
    assert said(d.handle(heard("repair", thing="door"))) == ["我听到：报修：门锁。对吗？"]


def test_plain_words_reads_numbers_without_trailing_zeros() -> None:
    assert plain_words("stars", Decimal("5.0")) == "5"
    assert plain_words("quantity", Decimal("0.5")) == "0.5"
    assert plain_words("thing", {"text": "水管", "value": "water"}) == "水管"


# -- not understood ---------------------------------------------------------------------------


@pytest.mark.parametrize("miss", [Heard(Unclear()), NotHeard()], ids=["unclear", "silence"])
def test_one_helpful_reprompt_then_the_buttons(zh: Dialogue, miss: Heard | NotHeard) -> None:
    zh.handle(Tapped(Choice.TALK))
    effects = zh.handle(miss)
    assert said(effects) == ["对不起，我没听清。您可以这样说：买菜、报修、叫护工、我的积分。"]
    assert Listen() in effects and zh.state is State.LISTENING

    effects = zh.handle(miss)
    assert said(effects) == ["还是没听清。请点屏幕上的大按钮。"]
    assert OfferButtons(None) in effects and Listen() not in effects
    assert zh.state is State.IDLE


def test_understood_after_a_reprompt_resets_the_count(zh: Dialogue) -> None:
    zh.handle(Tapped(Choice.TALK))
    zh.handle(NotHeard())
    zh.handle(heard("certificate"))
    zh.handle(Tapped(Choice.NO))
    effects = zh.handle(NotHeard())
    assert not any(isinstance(e, OfferButtons) for e in effects)  # a fresh question, a fresh try


def test_a_detail_not_understood_twice_offers_that_request_s_screen(zh: Dialogue) -> None:
    zh.handle(Tapped(Choice.TALK))
    zh.handle(heard("repair"))
    effects = zh.handle(NotHeard())
    assert said(effects) == ["对不起，我没听清。哪里坏了？比如：水管、电、门锁。"]
    effects = zh.handle(NotHeard())
    assert OfferButtons("repair") in effects and zh.state is State.IDLE


def test_an_unclear_answer_to_is_that_right_falls_back_to_tapping(zh: Dialogue) -> None:
    zh.handle(Tapped(Choice.TALK))
    zh.handle(heard("certificate"))
    effects = zh.handle(Heard(Unclear()))
    assert said(effects) == ['对不起，我没听清。请说"对"或者"不对"，也可以点屏幕上的按钮。']
    assert Listen() in effects
    effects = zh.handle(NotHeard())
    assert said(effects) == ["请点屏幕上的按钮。"]
    assert Listen() not in effects and zh.state is State.CONFIRMING
    assert Act("certificate", {}) in zh.handle(Tapped(Choice.YES))


# -- cancel, repeat, home -------------------------------------------------------------------------


def _to_listening(d: Dialogue) -> None:
    d.handle(Tapped(Choice.TALK))


def _to_filling(d: Dialogue) -> None:
    _to_listening(d)
    d.handle(heard("repair"))


def _to_adding_more(d: Dialogue) -> None:
    _to_listening(d)
    d.handle(heard("groceries", item="米"))


def _to_confirming(d: Dialogue) -> None:
    _to_listening(d)
    d.handle(heard("certificate"))


def _to_acting(d: Dialogue) -> None:
    _to_confirming(d)
    d.handle(heard("yes"))


def _to_reprompted(d: Dialogue) -> None:
    _to_listening(d)
    d.handle(NotHeard())


def _to_warned(d: Dialogue) -> None:
    _to_confirming(d)
    d.handle(Tick(25.0))


REACH: dict[str, tuple[Callable[[Dialogue], None], State]] = {
    "idle": (lambda d: None, State.IDLE),
    "listening": (_to_listening, State.LISTENING),
    "reprompted": (_to_reprompted, State.LISTENING),
    "filling": (_to_filling, State.FILLING),
    "adding_more": (_to_adding_more, State.ADDING_MORE),
    "confirming": (_to_confirming, State.CONFIRMING),
    "warned": (_to_warned, State.CONFIRMING),
    "acting": (_to_acting, State.ACTING),
}


@pytest.mark.parametrize("how", ["voice", "tap"])
@pytest.mark.parametrize("where", list(REACH))
def test_cancel_works_in_every_state(zh: Dialogue, where: str, how: str) -> None:
    reach, state = REACH[where]
    reach(zh)
    assert zh.state is state
    effects = zh.handle(heard("cancel") if how == "voice" else Tapped(Choice.CANCEL))
    assert zh.state is State.IDLE and zh.intent is None and zh.deadline is None
    assert not any(isinstance(e, Act) for e in effects)
    assert ShowChoices(()) in effects and Listen() not in effects
    expected = "好的。" if state in (State.IDLE, State.ACTING) else "好的，已经取消了。"
    assert said(effects) == [expected]
    # Nothing left behind: a later tick neither warns nor times out.
    assert zh.handle(Tick(1000.0)) == []


def test_cancel_right_after_a_spoken_sos_cancels_the_alarm(zh: Dialogue) -> None:
    zh.handle(Tapped(Choice.TALK))
    effects = zh.handle(heard("sos"))
    assert Act("sos", {}) in effects  # no "is that right?" before calling for help
    effects = zh.handle(heard("cancel"))
    assert Act("cancel_alarm", {}) in effects
    assert said(effects) == ["好的，已经取消呼救。"]


@pytest.mark.parametrize("intent", sorted(ACT_AT_ONCE))
def test_urgent_and_read_only_requests_act_without_confirming(zh: Dialogue, intent: str) -> None:
    zh.handle(Tapped(Choice.TALK))
    effects = zh.handle(heard(intent))
    assert Act(intent, {}) in effects and zh.state is State.ACTING


@pytest.mark.parametrize("how", ["voice", "tap"])
def test_repeat_says_the_last_prompt_again(zh: Dialogue, how: str) -> None:
    zh.handle(Tapped(Choice.TALK))
    zh.handle(heard("groceries", item="鸡蛋", quantity="两", unit="斤"))
    effects = zh.handle(heard("repeat") if how == "voice" else Tapped(Choice.REPEAT))
    assert said(effects) == ["好的，两斤鸡蛋。还要别的吗？"]
    assert Listen() in effects and zh.state is State.ADDING_MORE
    # After acting, repeat still says the last thing said.
    zh.handle(heard("no"))
    zh.handle(heard("yes"))
    assert said(zh.handle(Tapped(Choice.REPEAT))) == ["好的，马上为您办：买菜代购。"]


def test_every_tap_stops_speech_first(zh: Dialogue) -> None:
    for choice in Choice:
        assert zh.handle(Tapped(choice))[0] == StopSpeaking()


def test_home_leaves_the_dialogue_silently(zh: Dialogue) -> None:
    _to_filling(zh)
    effects = zh.handle(heard("go_home"))
    assert effects == [ShowChoices(()), OfferButtons(None)] and zh.state is State.IDLE


def test_answers_with_nothing_asked_are_ignored(zh: Dialogue) -> None:
    assert zh.handle(Tapped(Choice.YES)) == [StopSpeaking()]
    _to_acting(zh)
    assert zh.handle(heard("no")) == []


def test_yes_when_a_request_was_asked_for_counts_as_not_understood(zh: Dialogue) -> None:
    zh.handle(Tapped(Choice.TALK))
    effects = zh.handle(heard("yes"))
    assert said(effects)[0].startswith("对不起，我没听清。")


# -- time limits ------------------------------------------------------------------------------


def test_time_limit_is_warned_aloud_with_more_time_then_expires(
    zh: Dialogue, clock: FakeClock
) -> None:
    zh.handle(Tapped(Choice.TALK))
    zh.handle(heard("certificate"))
    assert zh.deadline == 30.0
    assert zh.handle(Tick(19.9)) == []
    effects = zh.handle(Tick(20.0))
    assert said(effects) == ['您还需要时间吗？请说"还要时间"，或者点"更多时间"。']
    assert ShowChoices(
        (Choice.YES, Choice.NO, Choice.REPEAT, Choice.CANCEL, Choice.MORE_TIME)
    ) in effects
    assert zh.handle(Tick(21.0)) == []  # warned once, not every tick

    effects = zh.handle(Tick(30.0))
    assert said(effects) == ['时间到了，已经回到首页。有事请再点"说话"。']
    assert OfferButtons(None) in effects and zh.state is State.IDLE


@pytest.mark.parametrize("how", ["voice", "tap"])
def test_more_time_extends_the_limit_and_asks_again(
    zh: Dialogue, clock: FakeClock, how: str
) -> None:
    zh.handle(Tapped(Choice.TALK))
    zh.handle(heard("certificate"))
    zh.handle(Tick(22.0))
    clock.now = 25.0
    effects = zh.handle(heard("more_time") if how == "voice" else Tapped(Choice.MORE_TIME))
    assert said(effects) == ["好的，不着急，您慢慢来。我听到：开证明。对吗？"]
    assert zh.deadline == 55.0 and zh.state is State.CONFIRMING
    assert zh.handle(Tick(30.0)) == []
    assert said(zh.handle(Tick(45.0)))[0].startswith("您还需要时间吗")  # warned again
    assert Act("certificate", {}) in zh.handle(Tapped(Choice.YES))


def test_any_answer_restarts_the_clock(zh: Dialogue, clock: FakeClock) -> None:
    zh.handle(Tapped(Choice.TALK))
    clock.now = 25.0
    zh.handle(heard("repair"))
    assert zh.deadline == 55.0
    assert zh.handle(Tick(40.0)) == []


def test_timings_are_configurable(clock: FakeClock) -> None:
    timings = Timings(answer_seconds=60, warn_before_seconds=15)
    d = Dialogue(load_prompts("en"), clock=clock, timings=timings)
    d.handle(Tapped(Choice.TALK))
    assert d.handle(Tick(44.0)) == []
    assert said(d.handle(Tick(45.0))) == [
        'Do you need more time? Say "more time", or tap "More time".'
    ]


def test_acting_has_no_time_limit(zh: Dialogue) -> None:
    _to_acting(zh)
    assert zh.handle(Tick(10_000.0)) == []


# -- other languages --------------------------------------------------------------------------


def test_english_flow(clock: FakeClock) -> None:
    d = Dialogue(load_prompts("en"), clock=clock)
    d.handle(Tapped(Choice.TALK))
    eggs = {"item": "eggs", "quantity": "a", "unit": "dozen"}
    effects = d.handle(heard("groceries", items=[eggs]))
    assert effects[0] == Say("All right: a dozen eggs. Anything else?", "en")
    assert said(d.handle(heard("no"))) == ["I heard: groceries: a dozen eggs. Is that right?"]
    assert said(d.handle(NotHeard())) == [
        "Sorry, I did not catch that. Please say yes or no, or tap a button on the screen."
    ]


def test_korean_flow(clock: FakeClock) -> None:
    d = Dialogue(load_prompts("ko"), clock=clock)
    d.handle(Tapped(Choice.TALK))
    effects = d.handle(NotHeard())
    assert effects[0] == Say(
        "죄송해요, 잘 못 들었어요. 이렇게 말씀해 보세요: 장보기, 수리, 보호자에게 전화, 내 포인트.",
        "ko",
    )
    effects = d.handle(heard("repair", thing="수도"))
    assert said(effects) == ["이렇게 들었어요: 수리 신청: 수도. 맞아요?"]


# -- the prompts files ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh", "en", "ko"])
def test_prompts_cover_every_intent_choice_and_required_detail(language: str) -> None:
    prompts = load_prompts(language)
    assert sorted(prompts.intents) == sorted(INTENT_NAMES)
    assert all(prompts.label(c) for c in Choice) and set(CHOICE_KEYS) == {str(c) for c in Choice}
    for intent, slots in REQUIRED_SLOTS.items():
        for slot in slots:
            assert prompts.intents[intent].ask[slot]


def test_prompt_keys_match_across_languages() -> None:
    zh, en, ko = (load_prompts(lang) for lang in ("zh", "en", "ko"))
    assert set(zh.sentences) == set(en.sentences) == set(ko.sentences)
    for intent in zh.intents:
        shapes = {
            (bool(p.intents[intent].with_slots), tuple(p.intents[intent].ask)) for p in (zh, en, ko)
        }
        assert len(shapes) == 1, intent


def test_intent_names_match_the_template_engine() -> None:
    intents = pytest.importorskip("voice.intents", reason="the intent templates have not landed")
    assert sorted(str(i) for i in intents.IntentName) == sorted(INTENT_NAMES)


def test_a_bare_yes_key_and_bad_placeholders_are_refused() -> None:
    import yaml

    data = yaml.safe_load((PROMPTS_DIR / "prompts_en.yaml").read_text(encoding="utf-8"))
    data["choices"][True] = "Yes"  # what an unquoted `yes:` key becomes in YAML 1.1
    with pytest.raises(PromptsError, match="must be quoted"):
        parse_prompts(data, "en")
    del data["choices"][True]
    data["confirm"] = "I heard {wat}"
    with pytest.raises(PromptsError, match="wat"):
        parse_prompts(data, "en")
    del data["listen"]
    with pytest.raises(PromptsError, match="missing listen"):
        parse_prompts(data, "en")


# -- with a speaker ---------------------------------------------------------------------------


def run(dialogue: Dialogue, speaker: RecordingSpeaker, event: Any) -> list[Effect]:
    """What the kiosk does with the effects, minus the screen."""
    effects = dialogue.handle(event)
    for effect in effects:
        if isinstance(effect, StopSpeaking):
            speaker.stop()
        elif isinstance(effect, Say):
            speaker.speak(effect.text, effect.language)
    return effects


def test_a_touch_interrupts_the_prompt_being_spoken(zh: Dialogue) -> None:
    speaker = RecordingSpeaker()
    run(zh, speaker, Tapped(Choice.TALK))
    run(zh, speaker, heard("certificate"))
    assert speaker.speaking is not None and speaker.speaking.text == "我听到：开证明。对吗？"
    run(zh, speaker, Tapped(Choice.YES))
    assert speaker.interrupted[-1].text == "我听到：开证明。对吗？"
    assert speaker.speaking is not None and speaker.speaking.text == "好的，马上为您办：开证明。"
