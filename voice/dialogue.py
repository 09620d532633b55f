"""The spoken dialogue as a pure state machine: events in (heard, tapped, ticks), effects out.

The kiosk and the tests drive it the same way: feed `Heard`/`NotHeard` from the recognizer,
`Tapped` from the screen and `Tick` from a timer, and carry out the returned effects (`Say`
through the Speaker, `ShowChoices`/`OfferButtons` on screen, `Listen` on the microphone,
`Act` through the same controller call a button would make). Nothing here sleeps or touches
audio; time comes from an injectable clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from voice.prompts import Prompts

log = logging.getLogger(__name__)


class State(StrEnum):
    IDLE = "idle"  # nothing asked; the home screen's buttons are the way in
    LISTENING = "listening"  # asked "what do you need?", waiting for a request
    FILLING = "filling"  # asked for a missing detail (what to buy, what is broken)
    ADDING_MORE = "adding_more"  # read back the grocery list, asked "anything else?"
    CONFIRMING = "confirming"  # read back what was understood, asked "is that right?"
    ACTING = "acting"  # the request was handed to the kiosk


class Choice(StrEnum):
    """On-screen buttons that mean the same as a spoken word: a tap and a word are one event."""

    TALK = "talk"
    YES = "yes"
    NO = "no"
    CANCEL = "cancel"
    REPEAT = "repeat"
    MORE_TIME = "more_time"
    HOME = "home"


# Intent names (values of the templates' IntentName) that are answers, not requests.
_CONTROL: Mapping[str, Choice] = {
    "yes": Choice.YES,
    "no": Choice.NO,
    "cancel": Choice.CANCEL,
    "repeat": Choice.REPEAT,
    "more_time": Choice.MORE_TIME,
    "go_home": Choice.HOME,
}
# Acted on without "is that right?": a call for help must not wait for a second answer (the
# kiosk's SOS countdown with its huge Cancel is the confirmation), "I'm OK" must beat the
# fall countdown, and the read-only screens are harmless to open by mistake.
ACT_AT_ONCE = frozenset({"sos", "cancel_alarm", "my_health", "battery", "my_points"})
# Details a request cannot go without; the question for each is in the prompts files.
REQUIRED_SLOTS: Mapping[str, tuple[str, ...]] = {
    "repair": ("thing",),
    "rate_service": ("stars",),
}
GROCERIES = "groceries"
_AWAITING = frozenset({State.LISTENING, State.FILLING, State.ADDING_MORE, State.CONFIRMING})
_CHOICES: Mapping[State, tuple[Choice, ...]] = {
    State.LISTENING: (Choice.REPEAT, Choice.CANCEL),
    State.FILLING: (Choice.REPEAT, Choice.CANCEL),
    State.ADDING_MORE: (Choice.YES, Choice.NO, Choice.REPEAT, Choice.CANCEL),
    State.CONFIRMING: (Choice.YES, Choice.NO, Choice.REPEAT, Choice.CANCEL),
}


# -- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heard:
    """The recognizer's result: anything with `.intent` (None when not understood) and
    `.slots`, i.e. voice.recognizer.Understanding or voice.matching's IntentMatch /
    NotUnderstood."""

    understanding: Any


@dataclass(frozen=True, slots=True)
class NotHeard:
    """Listening ended with no speech (silence until the recognizer's cap)."""

    reason: str = "silence"


@dataclass(frozen=True, slots=True)
class Tapped:
    choice: Choice


@dataclass(frozen=True, slots=True)
class Tick:
    now: float


Event = Heard | NotHeard | Tapped | Tick


# -- effects --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Say:
    """Speak this (interrupting anything being said) and show it as text."""

    text: str
    language: str


@dataclass(frozen=True, slots=True)
class StopSpeaking:
    """A touch interrupts speech at once."""


@dataclass(frozen=True, slots=True)
class Listen:
    """Open the microphone for the answer (push-to-talk otherwise: no always-on listening)."""


@dataclass(frozen=True, slots=True)
class ShowChoices:
    """The answer buttons to show now (empty: none)."""

    choices: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class Act:
    """Do what the resident asked, exactly as the matching button would."""

    intent: str
    slots: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OfferButtons:
    """Voice gave up or was dismissed: show the touch screen for `intent` (None: home)."""

    intent: str | None = None


Effect = Say | StopSpeaking | Listen | ShowChoices | Act | OfferButtons


@dataclass(frozen=True, slots=True)
class Timings:
    """How long the resident has to answer, and how early the spoken warning comes."""

    answer_seconds: float = 30.0
    warn_before_seconds: float = 10.0


def grocery_lines(slots: Mapping[str, Any]) -> list[Any]:
    """The grocery lines of an understanding, as the template engine gave them: its `items`
    (lines with item, quantity and unit), or a lone `item` with its `quantity` and `unit`."""
    items = slots.get("items")
    if isinstance(items, Sequence) and not isinstance(items, str):
        return [line for line in items if _field(line, "item")]
    if slots.get("item"):
        return [{k: slots.get(k) for k in ("item", "quantity", "unit")}]
    return []


def _field(line: Any, name: str) -> Any:
    return line.get(name) if isinstance(line, Mapping) else getattr(line, name, None)


Describe = Callable[[str, Any], str]


def plain_words(slot: str, value: Any) -> str:
    """The default way to read a slot value back: its text as it is.

    Slot values are canonical ("eggs", Decimal(2)); a kiosk passes a `describe` built from its
    intent set to say them in the resident's language.
    """
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return str(value.get("text") or value.get("value") or "")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(getattr(value, "text", value))


def _join_sentences(first: str, second: str) -> str:
    # Chinese sentences end in full-width punctuation and take no space after it.
    return first + ("" if first.endswith(("。", "？", "！")) else " ") + second


class Dialogue:
    """One kiosk's spoken dialogue in one language."""

    def __init__(
        self,
        prompts: Prompts,
        *,
        clock: Callable[[], float] = time.monotonic,
        timings: Timings = Timings(),
        describe: Describe = plain_words,
    ) -> None:
        """Args:
        describe: (slot name, value) -> words, to read back details in this language.
        """
        self.prompts = prompts
        self._describe = describe
        self.timings = timings
        self._clock = clock
        self.state = State.IDLE
        self.intent: str | None = None  # the request being built or confirmed
        self.slots: dict[str, Any] = {}
        self.asking: str | None = None  # the slot asked for in FILLING
        self.items: list[Any] = []  # grocery lines, kept as the template engine made them
        self.misses = 0  # not-understood answers to the current question
        self.deadline: float | None = None
        self.warned = False
        self.question: str | None = None  # the question now waiting for an answer
        self.last_said: str | None = None  # what "repeat" says again

    @property
    def language(self) -> str:
        return self.prompts.language

    # -- entry point --------------------------------------------------------------------------

    def handle(self, event: Event) -> list[Effect]:
        before = self.state
        if isinstance(event, Tapped):
            effects: list[Effect] = [StopSpeaking(), *self._choice(event.choice)]
        elif isinstance(event, Heard):
            effects = self._heard(event.understanding)
        elif isinstance(event, NotHeard):
            effects = self._not_understood()
        elif isinstance(event, Tick):
            effects = self._tick(event.now)
        else:
            raise TypeError(f"not a dialogue event: {event!r}")
        if self.state is not before:
            log.info("dialogue %s -> %s on %s", before, self.state, type(event).__name__)
        return effects

    # -- events -------------------------------------------------------------------------------

    def _heard(self, understanding: Any) -> list[Effect]:
        intent = getattr(understanding, "intent", None)
        if intent is None:
            return self._not_understood()
        intent = str(intent)
        slots = dict(getattr(understanding, "slots", None) or {})
        if intent in _CONTROL:
            return self._choice(_CONTROL[intent])
        if self.state is State.FILLING and self.asking == "items" and grocery_lines(slots):
            return self._add_items(grocery_lines(slots))
        if self.state is State.ADDING_MORE and intent == GROCERIES and grocery_lines(slots):
            return self._add_items(grocery_lines(slots))
        if self.state is State.FILLING and self.asking in slots:
            self.slots[self.asking] = slots[self.asking]
            return self._next_step()
        # A new request, also while confirming another: "no, a repair" corrects the request.
        return self._request(intent, slots)

    def _choice(self, choice: Choice) -> list[Effect]:
        if choice is Choice.TALK:
            self._reset()
            return self._ask(State.LISTENING, self.prompts.say("listen"))
        if choice is Choice.CANCEL:
            return self._cancel()
        if choice is Choice.HOME:
            self._reset()
            return [ShowChoices(()), OfferButtons(None)]
        if choice is Choice.REPEAT:
            if self.last_said is None:
                return []
            return self._ask(self.state, self.last_said) if self.state in _AWAITING else [
                self._say(self.last_said)
            ]
        if self.state not in _AWAITING:
            return []  # yes / no / more time with nothing asked: nothing to answer
        if choice is Choice.MORE_TIME:
            question = self.question or self.prompts.say("listen")
            return self._ask(self.state, question, prefix=self.prompts.say("more_time"))
        if self.state is State.CONFIRMING:
            if choice is Choice.YES:
                return self._act()
            self._reset()
            return self._ask(State.LISTENING, self.prompts.say("confirm_again"))
        if self.state is State.ADDING_MORE:
            if choice is Choice.YES:
                self.asking = "items"
                return self._ask(State.FILLING, self.prompts.groceries["ask_more"])
            return self._confirm()
        return self._not_understood()  # yes / no where a request or a detail was asked for

    def _tick(self, now: float) -> list[Effect]:
        if self.deadline is None or self.state not in _AWAITING:
            return []
        if now >= self.deadline:
            log.info("dialogue: no answer within %.0f s, back to the buttons",
                     self.timings.answer_seconds)
            self._reset()
            return [self._say(self.prompts.say("timed_out")), ShowChoices(()), OfferButtons(None)]
        if not self.warned and now >= self.deadline - self.timings.warn_before_seconds:
            self.warned = True
            text = self.prompts.say("time_warning")
            return [
                self._say(text),
                ShowChoices((*_CHOICES[self.state], Choice.MORE_TIME)),
                Listen(),
            ]
        return []

    # -- steps --------------------------------------------------------------------------------

    def _request(self, intent: str, slots: dict[str, Any]) -> list[Effect]:
        self._reset()
        self.intent = intent
        self.slots = slots
        if intent in ACT_AT_ONCE:
            return self._act()
        if intent == GROCERIES:
            lines = grocery_lines(slots)
            if lines:
                return self._add_items(lines)
            self.asking = "items"
            return self._ask(State.FILLING, self.prompts.groceries["ask_items"])
        return self._next_step()

    def _next_step(self) -> list[Effect]:
        assert self.intent is not None
        for slot in REQUIRED_SLOTS.get(self.intent, ()):
            if not self.slots.get(slot):
                self.asking = slot
                self.misses = 0
                return self._ask(State.FILLING, self.prompts.intents[self.intent].ask[slot])
        return self._confirm()

    def _add_items(self, lines: list[Any]) -> list[Effect]:
        self.intent = GROCERIES
        self.items.extend(lines)
        self.asking = None
        self.misses = 0
        text = self.prompts.groceries["read_back"].format(items=self._items_text())
        return self._ask(State.ADDING_MORE, text)

    def _items_text(self) -> str:
        return self.prompts.join(self._line_text(line) for line in self.items)

    def _line_text(self, line: Any) -> str:
        words = {
            name: self._describe(name, value) if (value := _field(line, name)) else ""
            for name in ("item", "quantity", "unit")
        }
        # Collapse the gaps an absent quantity or unit leaves in "{quantity} {unit} {item}".
        return " ".join(self.prompts.groceries["line"].format(**words).split())

    def _confirm(self) -> list[Effect]:
        self.misses = 0
        return self._ask(State.CONFIRMING, self.prompts.say("confirm", what=self._what()))

    def _what(self) -> str:
        """The request read back in words, details included when the prompts say how."""
        assert self.intent is not None
        spec = self.prompts.intents.get(self.intent)
        if spec is None:
            return self.intent
        values = {k: self._describe(k, v) for k, v in self.slots.items()}
        if self.intent == GROCERIES:
            values["items"] = self._items_text()
        if spec.with_slots:
            try:
                return spec.with_slots.format(**values)
            except KeyError:
                pass  # an optional detail not heard: the plain name reads back fine
        return spec.name

    def _act(self) -> list[Effect]:
        assert self.intent is not None
        slots = dict(self.slots)
        if self.intent == GROCERIES:
            slots["items"] = list(self.items)
        self.state = State.ACTING
        self.deadline = None
        log.info("dialogue: acting on %s %s", self.intent, slots)
        name = self.prompts.intent_name(self.intent)
        acting = self._say(self.prompts.say("acting", name=name))
        return [ShowChoices(()), Act(self.intent, slots), acting]

    def _cancel(self) -> list[Effect]:
        if self.state is State.ACTING and self.intent == "sos":
            # "取消" right after a spoken call for help cancels it, as the countdown's button does.
            self._reset()
            return [ShowChoices(()), Act("cancel_alarm", {}),
                    self._say(self.prompts.say("alarm_cancelled"))]
        was_idle = self.state in (State.IDLE, State.ACTING)
        self._reset()
        key = "nothing_to_cancel" if was_idle else "cancelled"
        return [ShowChoices(()), self._say(self.prompts.say(key))]

    def _not_understood(self) -> list[Effect]:
        if self.state not in _AWAITING:
            if self.state is State.IDLE:
                # Heard without asking (e.g. the kiosk forwarded a stray result): start over.
                self.state = State.LISTENING
            else:
                return []
        self.misses += 1
        sorry = self.prompts.say("not_caught")
        if self.state is State.CONFIRMING or self.state is State.ADDING_MORE:
            if self.misses == 1:
                question = self.question
                effects = self._ask(self.state, self.prompts.say("yes_no_hint"), prefix=sorry)
                self.question = question  # "more time" re-asks the real question, not the hint
                return effects
            # The yes/no buttons are on screen: stop listening and let a tap answer.
            text = self.prompts.say("tap_answer")
            self._restart_clock()
            return [self._say(text), ShowChoices(_CHOICES[self.state])]
        if self.misses == 1:
            if self.state is State.FILLING:
                question = self._filling_question()
            else:
                examples = self.prompts.join(self.prompts.examples)
                question = self.prompts.say("reprompt", examples=examples)
            return self._ask(self.state, question, prefix=sorry)
        offer = self.intent if self.state is State.FILLING else None
        log.info("dialogue: not understood twice, offering the buttons (%s)", offer or "home")
        self._reset()
        return [self._say(self.prompts.say("offer_buttons")), ShowChoices(()), OfferButtons(offer)]

    def _filling_question(self) -> str:
        if self.asking == "items":
            return self.prompts.groceries["ask_more" if self.items else "ask_items"]
        assert self.intent is not None and self.asking is not None
        return self.prompts.intents[self.intent].ask[self.asking]

    # -- helpers ------------------------------------------------------------------------------

    def _ask(self, state: State, question: str, prefix: str | None = None) -> list[Effect]:
        """Say a question (after `prefix`, e.g. "sorry, I did not catch that"), show its
        answer buttons, open the microphone and start the answer clock."""
        self.state = state
        self.question = question
        self._restart_clock()
        text = _join_sentences(prefix, question) if prefix else question
        return [self._say(text), ShowChoices(_CHOICES[state]), Listen()]

    def _say(self, text: str) -> Say:
        self.last_said = text
        return Say(text, self.language)

    def _restart_clock(self) -> None:
        self.deadline = self._clock() + self.timings.answer_seconds
        self.warned = False

    def _reset(self) -> None:
        self.state = State.IDLE
        self.intent = None
        self.slots = {}
        self.asking = None
        self.items = []
        self.misses = 0
        self.question = None
        self.deadline = None
        self.warned = False
