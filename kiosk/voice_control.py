"""The microphone tile: voice/'s spoken dialogue run on the kiosk's speech, audio and screens.

Push-to-talk: the microphone opens only when the resident taps "说话" and when the dialogue
asks a question (its `Listen` effect), never otherwise. Each listening turn runs on its own
thread (endpointing and recognition block for seconds); its result comes back through
Kivy's Clock and is dropped if a tap or another turn came first. Taps on the listening
screen and spoken answers are the same dialogue events; a request the dialogue acts on goes
through kiosk.voice_actions to the controller method its button calls.

The audio source and the recognizer are injected: the microphone and voice.choose in
production, WAV files in the tests. A language without a speech model (or a kiosk without
a microphone) says so plainly and leaves the buttons, which do everything.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.properties import ObjectProperty

from kiosk.alarm import Phase
from kiosk.i18n import Lang
from kiosk.voice_actions import perform

if TYPE_CHECKING:
    from voice.audio import AudioSource
    from voice.dialogue import Dialogue, Effect
    from voice.intents import IntentSet
    from voice.recognizer import Recognizer, Understanding

log = logging.getLogger(__name__)

# A fresh audio source for each listening turn (the microphone, or a WAV file in tests).
AudioFactory = Callable[[], "AudioSource"]
# The recognizer and the intents it snaps to, for a language ("zh", "en", "ko").
RecognizerFactory = Callable[[str], tuple["Recognizer", "IntentSet"]]

LISTENING_SCREEN = "listening"
# The kiosk's own prompt must not be heard as the answer: wait this long at most for it.
SPEECH_WAIT_S = 20.0


@dataclass(frozen=True, slots=True)
class VoiceView:
    """What the listening screen shows.

    phase: "preparing" (loading the model), "listening" (microphone open, or recognising
    what it heard), "waiting" (a question is on screen, answer by tap), "unavailable".
    """

    phase: str = "preparing"
    prompt: str = ""  # what the kiosk said last: the question or the read-back
    heard: str | None = None  # what was recognised in the last turn ("" = nothing)
    choices: tuple[str, ...] = ()  # the dialogue's answer buttons (voice.dialogue.Choice)


def microphone() -> AudioSource:
    from voice.audio import MicrophoneSource

    return MicrophoneSource()


def installed_recognizer(language: str) -> tuple[Recognizer, IntentSet]:
    """Vosk for the language's installed model; pocketsphinx for English without one."""
    from voice.cepstral_mean import default_state_path
    from voice.choose import recognizer_for
    from voice.intents import load_intents

    intents = load_intents(language)
    # The kiosk keeps its microphone's cepstral mean across restarts (English fallback).
    return recognizer_for(language, intents, cmn_path=default_state_path()), intents


def _line_field(line: Any, name: str) -> Any:
    """A grocery line's field: the template engine's GroceryLine, or a plain mapping."""
    return line.get(name) if isinstance(line, Mapping) else getattr(line, name, None)


@dataclass(slots=True)
class _Engine:
    recognizer: Recognizer
    intents: IntentSet
    lock: threading.Lock  # one recognition at a time per recognizer


class VoiceControl:
    """Mixed into the Controller. Needs its lang, screen, flow, speech, translator, notice,
    _show, say, text, go_home, not_ready, for_resident and the grocery actions."""

    voice = ObjectProperty(VoiceView())

    _voice_audio: AudioFactory = staticmethod(microphone)  # type: ignore[assignment]
    _voice_recognizer: RecognizerFactory = staticmethod(installed_recognizer)  # type: ignore[assignment]
    _dialogue: Dialogue | None = None
    _voice_turn = 0
    _voice_listening = False

    def setup_voice(self, audio: AudioFactory | None, recognizer: RecognizerFactory | None,
                    ) -> None:
        if audio is not None:
            self._voice_audio = audio
        if recognizer is not None:
            self._voice_recognizer = recognizer
        self._voice_engines: dict[str, _Engine | str] = {}  # language -> engine or problem
        self._voice_source: AudioSource | None = None
        self._voice_source_lock = threading.Lock()

    # --- the screen's actions (UI thread) ----------------------------------------------------

    def open_voice(self) -> None:
        """The microphone tile: start a spoken request (loads the model the first time)."""
        if self.flow.phase is not Phase.IDLE:
            return
        self._stop_listening()
        self._dialogue = None
        lang = self.lang
        engine = self._voice_engines.get(lang)
        self._show(LISTENING_SCREEN, spoken=None)
        if engine is None:
            self.voice = VoiceView("preparing", self.text("voice.preparing"))
            self.say("voice.preparing")
            threading.Thread(target=self._load_engine, args=(lang,), name="linli-voice-load",
                             daemon=True).start()
        elif isinstance(engine, str):
            self._voice_unavailable(engine)
        else:
            self._start_dialogue(lang)

    def voice_tap(self, choice: str) -> None:
        """A button of the listening screen: the same event as the spoken word."""
        from voice.dialogue import Choice, Tapped

        if self._dialogue is None:
            if choice in ("cancel", "home"):
                self.go_home()
            return
        self._stop_listening()
        self._run(self._dialogue.handle(Tapped(Choice(choice))))

    def voice_choice(self, choice: str) -> None:
        """The spoken answer intents' table entry (kiosk.voice_actions)."""
        self.voice_tap(choice)

    def voice_home(self) -> None:
        self.voice_stop()
        self.go_home()

    @property
    def voice_waiting(self) -> bool:
        """The dialogue is waiting for an answer (it keeps its own time; idle must not)."""
        from voice.dialogue import State

        if self.screen != LISTENING_SCREEN:
            return False
        return self.voice.phase == "preparing" or (
            self._dialogue is not None and self._dialogue.state not in (State.IDLE, State.ACTING))

    def voice_say_screen(self) -> None:
        """On a language switch, start again in the new language; otherwise say it again."""
        dialogue = self._dialogue
        if dialogue is None or dialogue.language != self.lang:
            self.open_voice()  # also reloads "not available" / "preparing" for the language
        elif self.voice.prompt:
            self.speech.speak(self.voice.prompt, self.lang)

    def voice_tick(self, now: float) -> None:
        from voice.dialogue import Tick

        if self.screen != LISTENING_SCREEN:
            if self._voice_listening:
                self._stop_listening()  # an alarm or a tap took the resident elsewhere
            return
        if self._dialogue is not None:
            effects = self._dialogue.handle(Tick(now))
            if effects:
                self._run(effects)

    def idle_gone_home(self) -> None:
        self.voice_stop()

    def voice_stop(self) -> None:
        """End the dialogue and close the microphone (idle return, kiosk shutdown)."""
        self._stop_listening()
        self._dialogue = None

    # --- spoken requests -> the buttons' methods ---------------------------------------------

    def order_groceries(self, lines: Iterable[Any]) -> None:
        """A spoken, confirmed grocery list, sent as the "对" button does: items with a tile
        on their tiles, any other item the intents know ("香蕉") as an extra line."""
        from kiosk.screens.groceries import GroceryOrder

        order = GroceryOrder()
        for line in lines:
            item, quantity = _line_field(line, "item"), _line_field(line, "quantity")
            count = max(1, int(round(float(quantity or 1))))
            try:
                order = order.with_spoken(str(item), count)
            except KeyError:
                log.warning("spoken grocery item %r is not a grocery item; left out", item)
        if order.empty:
            self.open_groceries()  # nothing the tiles know: let the resident choose
            return
        self.grocery = order
        self.grocery_confirm()

    # --- internals ---------------------------------------------------------------------------

    def _load_engine(self, lang: str) -> None:
        """Background thread: the recognizer for `lang`, or why there is none."""
        from voice.errors import VoiceError

        result: _Engine | str
        try:
            if self._voice_audio is microphone:
                from voice.audio import microphone_problem

                problem = microphone_problem()
                if problem:
                    raise RuntimeError(f"no microphone: {problem}")
            recognizer, intents = self._voice_recognizer(lang)
            result = _Engine(recognizer, intents, threading.Lock())
        except (VoiceError, RuntimeError, OSError, ImportError) as exc:
            log.warning("speaking is not available in %s: %s", lang, exc)
            result = str(exc)
        except Exception as exc:  # a broken model must not take the kiosk down
            log.exception("speech recognizer for %s failed to load", lang)
            result = str(exc)
        Clock.schedule_once(partial(self._engine_ready, lang, result))

    def _engine_ready(self, lang: str, result: _Engine | str, _dt: float = 0) -> None:
        self._voice_engines[lang] = result
        if self.screen != LISTENING_SCREEN or self.lang != lang or \
                self.voice.phase != "preparing":
            return  # the resident went elsewhere meanwhile
        if isinstance(result, str):
            self._voice_unavailable(result)
        else:
            self._start_dialogue(lang)

    def _voice_unavailable(self, problem: str) -> None:
        log.info("speaking not available (%s): the buttons work", problem)
        self._dialogue = None
        self.voice = VoiceView("unavailable", self.text("voice.unavailable"))
        self.say("voice.unavailable")

    def _start_dialogue(self, lang: str) -> None:
        from voice.dialogue import Choice, Dialogue, Tapped
        from voice.prompts import load_prompts

        self._dialogue = Dialogue(load_prompts(lang), clock=self._now, describe=self._describe)
        self.voice = VoiceView("waiting")
        self._run(self._dialogue.handle(Tapped(Choice.TALK)))

    def _describe(self, slot: str, value: Any) -> str:
        """Canonical slot values in the resident's words (the grocery tiles' names)."""
        from kiosk.screens.groceries import ICON_OF, UNIT_KEYS
        from voice.dialogue import plain_words

        lang = Lang(self.lang)
        if slot == "item" and value in ICON_OF:
            return self.translator.text(f"grocery.item.{value}", lang)
        if slot == "unit" and value in UNIT_KEYS:
            return self.translator.text(f"grocery.unit.{UNIT_KEYS[value]}", lang)
        return plain_words(slot, value)

    def _run(self, effects: Sequence[Effect]) -> None:
        """Carry out the dialogue's effects: words first, then the request, then listening."""
        from voice.dialogue import Act, Listen, OfferButtons, Say, ShowChoices, StopSpeaking

        view = self.voice
        listen = False
        acts: list[Act] = []
        offer: OfferButtons | None = None
        for effect in effects:
            if isinstance(effect, Say):
                self.speech.speak(effect.text, self.lang)
                view = replace(view, prompt=effect.text)
            elif isinstance(effect, StopSpeaking):
                self.speech.stop()
            elif isinstance(effect, ShowChoices):
                view = replace(view, choices=tuple(str(c) for c in effect.choices))
            elif isinstance(effect, Listen):
                listen = True
            elif isinstance(effect, Act):
                acts.append(effect)
            elif isinstance(effect, OfferButtons):
                offer = effect
        self.voice = replace(view, phase="waiting")
        for act in acts:
            perform(self, act.intent, act.slots)
        if offer is not None:
            self._offer_buttons(offer.intent, view.prompt)
        elif self._dialogue is not None and self.screen == LISTENING_SCREEN:
            from voice.dialogue import State

            if self._dialogue.state is State.IDLE and not acts:
                # Cancelled, or "home": the touch screen, with what was said on it.
                self._offer_buttons(None, view.prompt)
            elif listen:
                self._listen()

    def _offer_buttons(self, intent: str | None, words: str) -> None:
        self._stop_listening()
        self._dialogue = None
        if intent is not None:
            from kiosk.voice_actions import method_for

            if method_for(self, intent) is not None:
                # That request's touch screen (groceries: the tiles; repair: what is broken).
                perform(self, intent, {})
                return
        self._show("home", spoken=None)
        self.notice = words

    def _listen(self) -> None:
        engine = self._voice_engines.get(self.lang)
        if not isinstance(engine, _Engine):
            return
        self._stop_listening()
        self._voice_turn += 1
        self._voice_listening = True
        self.voice = replace(self.voice, phase="listening")
        threading.Thread(target=self._hear_turn, args=(self._voice_turn, engine),
                         name="linli-voice-turn", daemon=True).start()

    def _stop_listening(self) -> None:
        """Drop the running turn's result and close its microphone."""
        self._voice_listening = False
        with self._voice_source_lock:  # with the turn check of _hear_turn: none left open
            self._voice_turn += 1
            source, self._voice_source = self._voice_source, None
        if source is not None:
            try:
                source.close()
            except Exception:
                log.exception("closing the audio source failed")

    def _hear_turn(self, turn: int, engine: _Engine) -> None:
        """Background thread: one listening turn, its result sent to the UI thread."""
        from voice.pipeline import hear

        wait = getattr(self.speech, "wait_until_idle", None)
        if callable(wait):
            wait(SPEECH_WAIT_S)
        result: Understanding | None = None
        problem: str | None = None
        with engine.lock:
            if turn != self._voice_turn:
                return
            try:
                source = self._voice_audio()
            except Exception as exc:  # NoAudioDevice: unplugged, busy
                log.warning("microphone not opened: %s", exc)
                problem = str(exc)
            else:
                with self._voice_source_lock:
                    stale = turn != self._voice_turn  # a tap came while it was opening
                    if not stale:
                        self._voice_source = source
                if stale:
                    source.close()
                    return
                try:
                    result = hear(source.chunks(), engine.recognizer, engine.intents)
                except Exception:
                    log.exception("listening turn failed")
                finally:
                    with self._voice_source_lock:
                        if self._voice_source is source:
                            self._voice_source = None
                    source.close()
        Clock.schedule_once(partial(self._heard, turn, result, problem))

    def _heard(self, turn: int, result: Understanding | None, problem: str | None,
               _dt: float = 0) -> None:
        from voice.dialogue import Heard, NotHeard
        from voice.recognizer import Outcome

        if turn != self._voice_turn or self._dialogue is None or \
                self.screen != LISTENING_SCREEN:
            return  # a tap, the language switch or an alarm came first
        self._voice_listening = False
        if problem is not None:
            self._voice_unavailable(problem)
            return
        text = result.transcript.text if result is not None else ""
        log.info("heard %r: %s", text, result.to_dict() if result is not None else None)
        self.voice = replace(self.voice, phase="waiting", heard=text)
        if result is None or result.outcome is Outcome.NO_SPEECH:
            self._run(self._dialogue.handle(NotHeard()))
        else:
            self._run(self._dialogue.handle(Heard(result)))
