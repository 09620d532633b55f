"""Templates -> example sentences, bounded: every alternative and every spoken slot value
appears at least once, without the cross product of slot lists.

A template with few structural variants is expanded fully; a larger one is covered greedily
(each pass takes the least-used branch of every group). Slot placeholders are then filled by
cycling through each list's spoken forms, so "买{quantity}{unit}{item}" yields as many
sentences as its longest list has forms, not the product of the three lists. The parser
handles slot values structurally, so these sentences are for the recognizer's grammar, for
snapping and for tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from voice.slots import Capture, Group, Rule, SlotList, build_slots
from voice.templates import CHARACTER_LANGUAGES, Alt, Node, RuleRef, Seq, SlotRef, Text, units

FULL_EXPANSION_LIMIT = 600  # structural variants expanded one by one below this
MAX_PER_TEMPLATE = 400

_SPACES = re.compile(r"\s+")


@dataclass(slots=True, frozen=True)
class Piece:
    """Part of an expanded sentence: literal text, or a slot value with its capture."""

    text: str
    units: tuple[str, ...]
    capture: Capture | None = None


@dataclass(slots=True, frozen=True)
class Sentence:
    """One expanded sentence: its text, intent, slots and the template it came from."""

    text: str
    intent: str
    slots: Mapping[str, Any]
    template: str
    units: tuple[str, ...] = field(repr=False)
    pieces: tuple[Piece, ...] = field(repr=False, compare=False)
    fixed: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(slots=True, frozen=True)
class _Hole:
    ref: SlotRef
    group: Group


_Structure = tuple["str | _Hole", ...]


class Expander:
    """Expands template trees of one language with the given lists and rules."""

    def __init__(
        self, language: str, lists: Mapping[str, SlotList], rules: Mapping[str, Rule]
    ) -> None:
        self.language = language
        self.lists = lists
        self.rules = rules
        self._forms: dict[str, list[tuple[str, Any]]] = {}

    def expand(
        self, node: Node, intent: str, template: str, fixed: Mapping[str, Any]
    ) -> list[Sentence]:
        if self.count(node) <= FULL_EXPANSION_LIMIT:
            structures = self._enumerate(node, None)
        else:
            structures = self._cover(node)
        structures = [s for s in structures if all(self._fillable(i) for i in s)]
        counters: dict[str, int] = {}
        sentences: list[Sentence] = []
        seen: set[tuple[str, ...]] = set()

        def emit(structure: _Structure) -> None:
            sentence = self._fill(structure, counters, intent, template, fixed)
            if sentence.units and sentence.units not in seen:
                seen.add(sentence.units)
                sentences.append(sentence)

        for structure in structures:
            emit(structure)
        # Revisit structures holding lists whose spoken forms were not all said yet.
        while len(sentences) < MAX_PER_TEMPLATE:
            pending = [s for s in structures if any(self._unsaid(i, counters) for i in s)]
            if not pending:
                break
            for structure in pending:
                emit(structure)
        return sentences[:MAX_PER_TEMPLATE]

    # --- structure ----------------------------------------------------------------------

    def count(self, node: Node) -> int:
        """How many structural variants (slots counted once) a tree has."""
        if isinstance(node, Text | SlotRef):
            return 1
        if isinstance(node, Seq):
            total = 1
            for item in node.items:
                total *= self.count(item)
            return total
        if isinstance(node, Alt):
            return sum(self.count(o) for o in node.options) + int(node.optional)
        if isinstance(node, RuleRef):
            return self.count(self.rules[node.name].node)
        raise TypeError(node)  # pragma: no cover

    def _enumerate(self, node: Node, group: Group) -> list[_Structure]:
        if isinstance(node, Text):
            return [(node.text,)]
        if isinstance(node, SlotRef):
            return [(_Hole(node, group),)]
        if isinstance(node, Seq):
            results: list[_Structure] = [()]
            for item in node.items:
                tails = self._enumerate(item, group)
                results = [head + tail for head in results for tail in tails]
            return results
        if isinstance(node, Alt):
            results = [s for option in node.options for s in self._enumerate(option, group)]
            return results + [()] if node.optional else results
        if isinstance(node, RuleRef):
            inner = (*(group or ()), (node.index, node.name))
            return self._enumerate(self.rules[node.name].node, inner)
        raise TypeError(node)  # pragma: no cover

    def _cover(self, node: Node) -> list[_Structure]:
        """Few structures that together take every branch of every group at least once."""
        branches: set[tuple[int, int]] = set()
        self._branches(node, branches)
        usage: dict[tuple[int, int], int] = {}
        results: list[_Structure] = []
        while not branches <= usage.keys() and len(results) < MAX_PER_TEMPLATE:
            results.append(self._pick(node, usage, None))
        return results

    def _branches(self, node: Node, into: set[tuple[int, int]]) -> None:
        if isinstance(node, Seq):
            for item in node.items:
                self._branches(item, into)
        elif isinstance(node, Alt):
            for i, option in enumerate(node.options):
                into.add((id(node), i))
                self._branches(option, into)
            if node.optional:
                into.add((id(node), len(node.options)))
        elif isinstance(node, RuleRef):
            self._branches(self.rules[node.name].node, into)

    def _pick(
        self, node: Node, usage: dict[tuple[int, int], int], group: Group
    ) -> _Structure:
        if isinstance(node, Text):
            return (node.text,)
        if isinstance(node, SlotRef):
            return (_Hole(node, group),)
        if isinstance(node, Seq):
            return tuple(part for item in node.items for part in self._pick(item, usage, group))
        if isinstance(node, Alt):
            n = len(node.options) + int(node.optional)
            choice = min(range(n), key=lambda i: usage.get((id(node), i), 0))
            usage[(id(node), choice)] = usage.get((id(node), choice), 0) + 1
            if choice == len(node.options):
                return ()
            return self._pick(node.options[choice], usage, group)
        if isinstance(node, RuleRef):
            inner = (*(group or ()), (node.index, node.name))
            return self._pick(self.rules[node.name].node, usage, inner)
        raise TypeError(node)  # pragma: no cover

    # --- filling slots ------------------------------------------------------------------

    def forms(self, list_name: str) -> list[tuple[str, Any]]:
        found = self._forms.get(list_name)
        if found is None:
            slot_list = self.lists.get(list_name)
            found = slot_list.spoken_forms(self.language) if slot_list else []
            self._forms[list_name] = found
        return found

    def _fillable(self, part: str | _Hole) -> bool:
        return isinstance(part, str) or bool(self.forms(part.ref.list_name))

    def _unsaid(self, part: str | _Hole, counters: Mapping[str, int]) -> bool:
        if isinstance(part, str):
            return False
        name = part.ref.list_name
        return counters.get(name, 0) < len(self.forms(name))

    def _fill(
        self,
        structure: _Structure,
        counters: dict[str, int],
        intent: str,
        template: str,
        fixed: Mapping[str, Any],
    ) -> Sentence:
        pieces: list[Piece] = []
        literal: list[str] = []

        def flush() -> None:
            if literal:
                text = "".join(literal)
                pieces.append(Piece(text, units(text, self.language)))
                literal.clear()

        for part in structure:
            if isinstance(part, str):
                literal.append(part)
                continue
            flush()
            name = part.ref.list_name
            forms = self.forms(name)
            index = counters.get(name, 0)
            counters[name] = index + 1
            text, value = forms[index % len(forms)]
            capture = (part.ref.slot, name, value, part.group)
            pieces.append(Piece(text, units(text, self.language), capture))
        flush()
        separator = "" if self.language in CHARACTER_LANGUAGES else " "
        text = _SPACES.sub(" ", separator.join(p.text for p in pieces)).strip()
        captures = [p.capture for p in pieces if p.capture is not None]
        slots = build_slots(captures, fixed, self.lists, self.rules)
        sentence_units = tuple(u for p in pieces for u in p.units)
        return Sentence(text, intent, slots, template, sentence_units, tuple(pieces), fixed)
