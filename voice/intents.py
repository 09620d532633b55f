"""One language's intents: load them, expand them into sentences, parse a transcript.

    >>> intents = load_intents("zh", {"caregiver": ["王芳"]})
    >>> intents.parse("帮我叫一下王芳").intent
    <IntentName.CALL_CAREGIVER: 'call_caregiver'>
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from voice import numbers
from voice.expansion import Expander, Sentence
from voice.intent_data import (
    IntentData,
    IntentName,
    TemplateEntry,
    base_language,
    intents_path,
    read_intents,
)
from voice.slots import (
    GroceryLine,
    ListKind,
    Rule,
    SlotList,
    build_slots,
    runtime_list,
    slots_to_json,
)
from voice.template_match import Matcher
from voice.templates import (
    CHARACTER_LANGUAGES,
    IntentDataError,
    Node,
    RuleRef,
    SlotRef,
    Text,
    join_units,
    units,
)

__all__ = [
    "GroceryLine",
    "IntentMatch",
    "IntentName",
    "IntentSet",
    "NotUnderstood",
    "Sentence",
    "load_intents",
]

SlotValues = Mapping[str, Sequence[str] | Mapping[str, Sequence[str]]]

_DIGITS = re.compile(r"\d+(?:\.\d+)?\Z")


@dataclass(slots=True, frozen=True)
class IntentMatch:
    """A transcript understood as `intent` with `slots`.

    `score` is 1.0 for an exact (structural) parse and the snapping similarity otherwise;
    `sentence` is the template sentence that was matched (what to read back to the user).
    """

    intent: IntentName
    slots: Mapping[str, Any]
    score: float
    sentence: str
    template: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "intent": str(self.intent),
            "slots": slots_to_json(self.slots),
            "score": round(self.score, 3),
            "sentence": self.sentence,
        }


@dataclass(slots=True, frozen=True)
class NotUnderstood:
    """Nothing close enough: never a guess. `best_guess` is only for logs and hints."""

    transcript: str
    best_guess: str | None
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"intent": None, "transcript": self.transcript, "best_guess": self.best_guess,
                "score": round(self.score, 3)}


def load_intents(language: str, slot_values: SlotValues | None = None) -> IntentSet:
    """The intents of `language` ("zh", "en", "ko"; "zh-CN" works too).

    Args:
        language: language code; its file is assets/intents/<language>.yaml.
        slot_values: values of run-time lists, e.g. {"caregiver": ["王芳", "李强"]} or
            {"caregiver": {"王芳": ["王芳", "芳芳"]}} (canonical -> spoken forms).

    Raises:
        IntentDataError: the file is missing or malformed (file, intent and template named).
    """
    data = read_intents(intents_path(base_language(language)))
    return IntentSet(data, slot_values or {})


@dataclass(slots=True, frozen=True)
class _Filter:
    """Units a template can consume: a transcript with any other unit cannot match it."""

    allowed: frozenset[str]
    numeric: bool  # a number slot also takes digit strings


class IntentSet:
    """The intents of one language with its run-time slot values bound."""

    __slots__ = ("language", "_data", "_lists", "_runtime", "_matcher", "_filters",
                 "_skip_units", "_sentences", "cache")

    def __init__(self, data: IntentData, slot_values: SlotValues) -> None:
        self.language = data.language
        self._data = data
        self._runtime = dict(slot_values)
        lists = {k: v for k, v in data.lists.items() if v.kind is not ListKind.RUNTIME}
        for name, given in slot_values.items():
            declared = data.lists.get(name)
            if declared is None or declared.kind is not ListKind.RUNTIME:
                runtime = sorted(k for k, v in data.lists.items() if v.kind is ListKind.RUNTIME)
                raise IntentDataError(
                    f"{data.path}: {name!r} is not a run-time slot list (those are {runtime})"
                )
            filled = runtime_list(name, given)
            if filled.values:
                filled.unit_table(self.language)  # two names said the same way -> error
                lists[name] = filled
        self._lists: Mapping[str, SlotList] = lists
        skip = [units(w, self.language) for w in data.skip_words]
        self._skip_units = frozenset(u for w in skip for u in w)
        self._matcher = Matcher(self.language, lists, data.rules, skip)
        self._filters = [self._filter(e.node) for e in data.templates]
        self._sentences: list[Sentence] | None = None
        self.cache: dict[str, Any] = {}  # for the snapping index (voice.matching)

    def with_slot_values(self, slot_values: SlotValues) -> IntentSet:
        """The same intents with other (or more) run-time values."""
        return IntentSet(self._data, {**self._runtime, **slot_values})

    @property
    def intents(self) -> tuple[IntentName, ...]:
        return tuple(dict.fromkeys(e.intent for e in self._data.templates))

    @property
    def skip_words(self) -> tuple[str, ...]:
        return self._data.skip_words

    @property
    def templates(self) -> tuple[TemplateEntry, ...]:
        return self._data.templates

    @property
    def rules(self) -> Mapping[str, Rule]:
        """The named sub-templates (`rules:` in the file)."""
        return self._data.rules

    def slot_list(self, name: str) -> SlotList | None:
        return self._lists.get(name)

    # --- parsing ------------------------------------------------------------------------

    def parse(self, text: str) -> IntentMatch | None:
        """Exact structural match of `text` (skip words allowed anywhere), else None.

        When several templates match, the one that skips the fewest units wins, then the
        one with the fewest slot values (literal phrases are the most specific), then the
        first in the file.
        """
        tokens = units(text, self.language)
        if not tokens:
            return None
        content = set(tokens) - self._skip_units
        reach = self._matcher.reach(tokens)
        best: tuple[int, TemplateEntry, tuple] | None = None
        for entry, flt in zip(self._data.templates, self._filters):
            if flt is None or not all(
                t in flt.allowed or (flt.numeric and _DIGITS.match(t)) for t in content
            ):
                continue
            found = self._matcher.matches(entry.node, tokens, reach)
            if found:
                captures, skipped = min(found, key=lambda f: (f[1], len(f[0])))
                rank = (skipped, len(captures))
                if best is None or rank < best[0]:
                    best = (rank, entry, captures)
                    if rank == (0, 0):
                        break
        if best is None:
            return None
        _, entry, captures = best
        return IntentMatch(
            entry.intent, self.build_slots(captures, entry.fixed), 1.0,
            self._display(text, tokens), entry.text,
        )

    def _display(self, text: str, tokens: tuple[str, ...]) -> str:
        """What was understood, as text: Korean keeps its spacing, Chinese needs none."""
        if self.language == "zh" or self.language not in CHARACTER_LANGUAGES:
            return join_units(tokens, self.language)
        words = ("".join(units(word, self.language)) for word in text.split())
        return " ".join(word for word in words if word)

    def build_slots(self, captures: Sequence, fixed: Mapping[str, Any]) -> Mapping[str, Any]:
        """Captured values -> the intent's (read-only) slots, grocery lines built."""
        return MappingProxyType(build_slots(captures, fixed, self._lists, self._data.rules))

    def matcher(self) -> Matcher:
        return self._matcher

    # --- expansion ----------------------------------------------------------------------

    def sentences(
        self, slot_values: SlotValues | None = None, limit: int | None = None
    ) -> list[Sentence]:
        """Example sentences of every template, each with its intent and slots.

        Every alternative and every spoken slot value appears at least once; slot lists are
        cycled, not multiplied. With `limit`, templates take turns so each keeps sentences.
        """
        if slot_values:
            return self.with_slot_values(slot_values).sentences(limit=limit)
        if self._sentences is None:
            expander = Expander(self.language, self._lists, self._data.rules)
            per_template = [
                expander.expand(e.node, e.intent, e.text, e.fixed) for e in self._data.templates
            ]
            self._sentences = _dedupe([s for group in per_template for s in group])
            self.cache["per_template"] = per_template
        if limit is None or len(self._sentences) <= limit:
            return list(self._sentences)
        return _round_robin(self.cache["per_template"], limit)

    def vocabulary(self, slot_values: SlotValues | None = None) -> frozenset[str]:
        """What the sentences are made of: characters (zh), words (en), or the words as
        written between spaces (ko, whose recognizer splits them into its own pieces)."""
        sentences = self.sentences(slot_values)
        if self.language == "zh":
            return frozenset(u for s in sentences for u in s.units)
        if self.language in CHARACTER_LANGUAGES:
            return frozenset(w for s in sentences for w in s.text.split())
        return frozenset(u for s in sentences for u in s.units)

    # --- helpers ------------------------------------------------------------------------

    def _filter(self, node: Node) -> _Filter | None:
        allowed: set[str] = set()
        numeric = False
        rules = self._data.rules

        def walk(n: Node) -> bool:
            nonlocal numeric
            if isinstance(n, Text):
                allowed.update(units(n.text, self.language))
                return True
            if isinstance(n, SlotRef):
                slot_list = self._lists.get(n.list_name)
                if slot_list is None:
                    return False
                if slot_list.kind is ListKind.NUMBER:
                    numeric = True
                    allowed.update(numbers.number_units(self.language))
                else:
                    allowed.update(u for key in slot_list.unit_table(self.language) for u in key)
                return True
            if isinstance(n, RuleRef):
                return walk(rules[n.name].node)
            children = n.items if hasattr(n, "items") else n.options
            results = [walk(c) for c in children]
            return all(results) if hasattr(n, "items") else any(results) or n.optional

        usable = walk(node)
        return _Filter(frozenset(allowed), numeric) if usable else None


def _dedupe(sentences: list[Sentence]) -> list[Sentence]:
    seen: set[tuple[str, ...]] = set()
    out = []
    for sentence in sentences:
        if sentence.units not in seen:
            seen.add(sentence.units)
            out.append(sentence)
    return out


def _round_robin(groups: list[list[Sentence]], limit: int) -> list[Sentence]:
    out: list[Sentence] = []
    seen: set[tuple[str, ...]] = set()
    depth = 0
    while len(out) < limit and any(depth < len(g) for g in groups):
        for group in groups:
            if depth < len(group) and group[depth].units not in seen and len(out) < limit:
                seen.add(group[depth].units)
                out.append(group[depth])
        depth += 1
    return out

