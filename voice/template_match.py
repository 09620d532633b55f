"""Structural matching of a transcript's units against one template tree.

The match runs on sets of states (position, captured values) so alternatives and optional
parts never backtrack exponentially. Skip words ("请", "please", "좀") may be consumed at any
unit boundary; each match reports how many units it skipped, so the caller can prefer the
template that explains the most of what was said.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from voice import numbers
from voice.slots import Capture, Group, ListKind, Rule, SlotList
from voice.templates import Alt, Node, RuleRef, Seq, SlotRef, Text, units

# (position, captures) -> units skipped so far
_States = dict[tuple[int, tuple[Capture, ...]], int]
# For each position: the (position, units skipped) reachable by consuming skip words.
Reach = list[list[tuple[int, int]]]


class Matcher:
    """Matches token sequences of one language against template trees."""

    __slots__ = ("language", "lists", "rules", "skip_words", "_text_units", "_tables")

    def __init__(
        self,
        language: str,
        lists: Mapping[str, SlotList],
        rules: Mapping[str, Rule],
        skip_words: Sequence[tuple[str, ...]],
    ) -> None:
        self.language = language
        self.lists = lists
        self.rules = rules
        self.skip_words = tuple(w for w in skip_words if w)
        self._text_units: dict[str, tuple[str, ...]] = {}
        self._tables: dict[str, tuple[dict[tuple[str, ...], Any], int]] = {}

    def reach(self, tokens: tuple[str, ...]) -> Reach:
        """Where skip words can take each position of `tokens` (and how many units they skip)."""
        n = len(tokens)
        reach: Reach = [[] for _ in range(n + 1)]
        reach[n] = [(n, 0)]
        for pos in range(n - 1, -1, -1):
            best: dict[int, int] = {pos: 0}
            for word in self.skip_words:
                end = pos + len(word)
                if tokens[pos:end] == word:
                    for p2, skipped in reach[end]:
                        total = len(word) + skipped
                        if total < best.get(p2, n + 1):
                            best[p2] = total
            reach[pos] = sorted(best.items())
        return reach

    def matches(
        self, node: Node, tokens: tuple[str, ...], reach: Reach
    ) -> list[tuple[tuple[Capture, ...], int]]:
        """Every way `node` spans all of `tokens`: (captures, units skipped)."""
        states = self._step(node, {(0, ()): 0}, tokens, reach, None)
        n = len(tokens)
        found: dict[tuple[Capture, ...], int] = {}
        for (pos, captures), skipped in states.items():
            for p2, more in reach[pos]:
                if p2 == n and skipped + more < found.get(captures, n + 1):
                    found[captures] = skipped + more
        return sorted(found.items(), key=lambda item: item[1])

    # --- one tree node over a set of states -----------------------------------------------

    def _step(
        self,
        node: Node,
        states: _States,
        tokens: tuple[str, ...],
        reach: Reach,
        group: Group,
    ) -> _States:
        if not states:
            return states
        if isinstance(node, Text):
            for unit in self._units_of(node.text):
                states = self._unit(unit, states, tokens, reach)
            return states
        if isinstance(node, Seq):
            for item in node.items:
                states = self._step(item, states, tokens, reach, group)
                if not states:
                    break
            return states
        if isinstance(node, Alt):
            out: _States = dict(states) if node.optional else {}
            for option in node.options:
                _merge(out, self._step(option, states, tokens, reach, group))
            return out
        if isinstance(node, SlotRef):
            return self._slot(node, states, tokens, reach, group)
        if isinstance(node, RuleRef):
            rule = self.rules[node.name]
            inner = (*(group or ()), (node.index, node.name))
            return self._step(rule.node, states, tokens, reach, inner)
        raise TypeError(f"not a template node: {node!r}")  # pragma: no cover

    def _unit(self, unit: str, states: _States, tokens: tuple[str, ...], reach: Reach) -> _States:
        out: _States = {}
        n = len(tokens)
        for (pos, captures), skipped in states.items():
            for p2, more in reach[pos]:
                if p2 < n and tokens[p2] == unit:
                    _put(out, (p2 + 1, captures), skipped + more)
        return out

    def _slot(
        self,
        ref: SlotRef,
        states: _States,
        tokens: tuple[str, ...],
        reach: Reach,
        group: Group,
    ) -> _States:
        slot_list = self.lists.get(ref.list_name)
        out: _States = {}
        if slot_list is None:  # a run-time list nobody filled: the template cannot match
            return out
        for (pos, captures), skipped in states.items():
            for p2, more in reach[pos]:
                for end, value in self.values_at(slot_list, tokens, p2):
                    capture = (ref.slot, ref.list_name, value, group)
                    _put(out, (end, (*captures, capture)), skipped + more)
        return out

    def values_at(
        self, slot_list: SlotList, tokens: tuple[str, ...], pos: int
    ) -> list[tuple[int, Any]]:
        """Every (end, value) of `slot_list` said at tokens[pos:end]."""
        if slot_list.kind is ListKind.NUMBER:
            found = []
            for end, number in numbers.scan(tokens, pos, self.language):
                value = slot_list.number_value(number)
                if value is not None:
                    found.append((end, value))
            return found
        table, longest = self._table(slot_list)
        found = []
        for end in range(pos + 1, min(len(tokens), pos + longest) + 1):
            value = table.get(tokens[pos:end], _MISSING)
            if value is not _MISSING:
                found.append((end, value))
        return found

    def _table(self, slot_list: SlotList) -> tuple[dict[tuple[str, ...], Any], int]:
        cached = self._tables.get(slot_list.name)
        if cached is None:
            table = slot_list.unit_table(self.language)
            cached = (table, max((len(k) for k in table), default=0))
            self._tables[slot_list.name] = cached
        return cached

    def _units_of(self, text: str) -> tuple[str, ...]:
        found = self._text_units.get(text)
        if found is None:
            found = self._text_units[text] = units(text, self.language)
        return found


_MISSING = object()


def _put(states: _States, key: tuple[int, tuple[Capture, ...]], skipped: int) -> None:
    if skipped < states.get(key, 1 << 30):
        states[key] = skipped


def _merge(into: _States, other: _States) -> None:
    for key, skipped in other.items():
        _put(into, key, skipped)
