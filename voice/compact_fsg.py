"""The structural JSGF grammar as a small word automaton for pocketsphinx's FSG search.

pocketsphinx turns JSGF into a finite-state grammar by copying every rule reference in
place, joined by null transitions, and its search then puts a silence and a noise loop on
every state. The English kiosk grammar became 2,850 states with 7,459 null transitions,
and searching that was most of the fallback's CPU. Here pocketsphinx still compiles each
intent's rule (so the language is exactly the JSGF one), and that part is then made
deterministic and minimal: subset construction, then Moore's partition refinement. The
whole grammar is 473 states; decoder CPU per audio second fell from ~0.11 to ~0.06 with the
same accuracy (docs/VOICE.md).

Weights. Every intent and the rejection loop get an equal share at the start, as in the
JSGF top rule. Within an intent every sentence is equally likely: a state's arcs are
weighted by how many sentences go on through them. (JSGF splits evenly at each alternative
instead; a minimal automaton cannot keep that, and the bench lost nothing by it.)
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

START, FINAL = 0, 1  # the assembled grammar's start and final states
GARBAGE_LOOP_REPEAT = 0.5  # after a rejection-loop word: another one, or the end

# (from, to, probability, word); no word: a null transition.
Transition = tuple[int, int, float, str] | tuple[int, int, float]


@dataclass(frozen=True, slots=True)
class WordAutomaton:
    """A deterministic automaton over words: arcs[state][word] -> state."""

    start: int
    arcs: dict[int, dict[str, int]]
    finals: frozenset[int]

    @property
    def states(self) -> int:
        return len({self.start, *self.arcs, *self.finals,
                    *(to for out in self.arcs.values() for to in out.values())})


def determinize(start: int, final: int, arcs: Iterable[tuple[int, int, str | None]]) -> WordAutomaton:
    """Subset construction over word arcs and null arcs (`word` None)."""
    nulls: dict[int, set[int]] = defaultdict(set)
    words: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for source, target, word in arcs:
        if word is None:
            nulls[source].add(target)
        else:
            words[source][word].add(target)

    def closure(states: Iterable[int]) -> frozenset[int]:
        seen, todo = set(states), list(states)
        while todo:
            for target in nulls[todo.pop()] - seen:
                seen.add(target)
                todo.append(target)
        return frozenset(seen)

    first = closure([start])
    number = {first: 0}
    todo = [first]
    out: dict[int, dict[str, int]] = defaultdict(dict)
    finals = set()
    while todo:
        subset = todo.pop()
        if final in subset:
            finals.add(number[subset])
        by_word: dict[str, set[int]] = defaultdict(set)
        for state in subset:
            for word, targets in words[state].items():
                by_word[word] |= targets
        for word, targets in by_word.items():
            reached = closure(targets)
            if reached not in number:
                number[reached] = len(number)
                todo.append(reached)
            out[number[subset]][word] = number[reached]
    return WordAutomaton(0, dict(out), frozenset(finals))


def minimize(automaton: WordAutomaton) -> WordAutomaton:
    """Merge the states with the same future (Moore's partition refinement)."""
    states = range(automaton.states)
    block = {state: int(state in automaton.finals) for state in states}
    while True:
        signatures = {state: (block[state], tuple(sorted(
            (word, block[target]) for word, target in automaton.arcs.get(state, {}).items())))
            for state in states}
        numbering: dict[object, int] = {}
        refined = {state: numbering.setdefault(signatures[state], len(numbering)) for state in states}
        stable = len(numbering) == len(set(block.values()))
        block = refined  # numbered 0..n-1 even when stable
        if stable:
            break
    arcs: dict[int, dict[str, int]] = defaultdict(dict)
    for state, out in automaton.arcs.items():
        for word, target in out.items():
            arcs[block[state]][word] = block[target]
    return WordAutomaton(block[automaton.start], dict(arcs),
                         frozenset(block[state] for state in automaton.finals))


def sentence_weights(automaton: WordAutomaton) -> tuple[dict[int, list[tuple[str, float, int]]], dict[int, float]]:
    """Arc and stop probabilities giving every sentence of an acyclic automaton the same
    probability: per state, its arcs as (word, probability, target) and its stop probability."""

    @cache
    def sentences(state: int) -> int:
        return int(state in automaton.finals) + sum(
            sentences(target) for target in automaton.arcs.get(state, {}).values())

    arcs, stops = {}, {}
    for state in range(automaton.states):
        total = sentences(state)  # 0: a dead end, which no arc leads into below
        arcs[state] = [(word, sentences(target) / total, target)
                       for word, target in automaton.arcs.get(state, {}).items() if sentences(target)]
        stops[state] = (1 / total) if state in automaton.finals else 0.0
    return arcs, stops


def compact_transitions(jsgf_text: str, grammar_name: str, intents: Iterable[str],
                        garbage: Iterable[str], logmath: Any) -> list[Transition]:
    """The whole grammar for `Decoder.create_fsg(name, START, FINAL, transitions)`."""
    import pocketsphinx

    from voice.jsgf import rule_name

    intents, garbage = list(intents), sorted(set(garbage))
    share = 1 / (len(intents) + bool(garbage))
    transitions: list[Transition] = []
    next_state = FINAL + 1
    with tempfile.TemporaryDirectory(prefix="linli-fsg-") as tmp:
        grammar_path = Path(tmp) / "kiosk.gram"
        grammar_path.write_text(jsgf_text, encoding="utf-8")
        jsgf = pocketsphinx.Jsgf(str(grammar_path))
        for intent in intents:
            rule = jsgf.get_rule(f"{grammar_name}.{rule_name('intent', intent)}")
            automaton = minimize(determinize(*_read_words(jsgf.build_fsg(rule, logmath, 1.0), Path(tmp))))
            arcs, stops = sentence_weights(automaton)
            offset = next_state
            next_state += automaton.states
            transitions.append((START, offset + automaton.start, share))
            for state, out in arcs.items():
                transitions += [(offset + state, offset + target, p, word) for word, p, target in out]
                if stops[state]:
                    transitions.append((offset + state, FINAL, stops[state]))
    if garbage:  # (g1 | g2 | ...)+ as in the JSGF grammar
        before, after = next_state, next_state + 1
        transitions.append((START, before, share))
        transitions += [(before, after, 1 / len(garbage), word) for word in garbage]
        transitions += [(after, before, GARBAGE_LOOP_REPEAT), (after, FINAL, 1 - GARBAGE_LOOP_REPEAT)]
    return transitions


def _read_words(fsg: Any, tmp: Path) -> tuple[int, int, list[tuple[int, int, str | None]]]:
    """(start, final, arcs) of a pocketsphinx FsgModel, read back from its text form (the
    Python binding has no way to walk it). Filler loops are left out: the search adds them."""
    path = tmp / "rule.fsg"
    fsg.writefile(str(path))
    start = final = 0
    arcs: list[tuple[int, int, str | None]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields[:1] == ["START_STATE"]:
            start = int(fields[1])
        elif fields[:1] == ["FINAL_STATE"]:
            final = int(fields[1])
        elif fields[:1] == ["TRANSITION"]:
            word = fields[4] if len(fields) > 4 else None
            if word is None or not (word.startswith("[") or word == "<sil>"):
                arcs.append((int(fields[1]), int(fields[2]), word))
    return start, final, arcs


__all__ = ["FINAL", "START", "WordAutomaton", "compact_transitions", "determinize", "minimize",
           "sentence_weights"]
