"""The compact grammar automaton (voice.compact_fsg): the same language as the JSGF grammar,
deterministic, minimal, every intent an equal share, and what the English fallback decodes with."""

from __future__ import annotations

import math
from collections import defaultdict

import pytest

from voice.compact_fsg import FINAL, START, WordAutomaton, determinize, minimize, sentence_weights
from voice.fallback_sphinx import COMPACT_SEARCH, SphinxRecognizer, normalise_phrase
from voice.intents import load_intents


def _sentences(automaton: WordAutomaton) -> set[tuple[str, ...]]:
    found, todo = set(), [(automaton.start, ())]
    while todo:
        state, words = todo.pop()
        if state in automaton.finals:
            found.add(words)
        todo += [(target, (*words, word)) for word, target in automaton.arcs.get(state, {}).items()]
    return found


# "(call | phone) [my] (son | daughter) | call the centre", as pocketsphinx lays out a JSGF
# rule: pieces joined by null arcs (None), one copy of "my son | my daughter" per verb.
_NFA = [(0, 1, None), (1, 2, "call"), (1, 3, "phone"), (2, 4, None), (3, 5, None),
        (4, 6, "my"), (4, 6, None), (5, 7, "my"), (5, 7, None),
        (6, 8, "son"), (6, 8, "daughter"), (7, 9, "son"), (7, 9, "daughter"),
        (8, 10, None), (9, 10, None), (0, 11, "call"), (11, 12, "the"), (12, 10, "centre")]
_LANGUAGE = {(verb, *my, who) for verb in ("call", "phone") for my in ((), ("my",))
             for who in ("son", "daughter")} | {("call", "the", "centre")}


def test_determinize_and_minimize_keep_the_language_in_fewer_states() -> None:
    deterministic = determinize(0, 10, _NFA)
    assert _sentences(deterministic) == _LANGUAGE
    minimal = minimize(deterministic)
    assert _sentences(minimal) == _LANGUAGE
    # start -call/phone-> verb -my-> possessive -son/daughter-> end; "call" also -the-> -centre->
    assert minimal.states == 6 < deterministic.states


def test_every_sentence_of_an_intent_is_equally_likely() -> None:
    arcs, stops = sentence_weights(minimize(determinize(0, 10, _NFA)))
    for state, out in arcs.items():
        assert math.isclose(sum(p for _, p, _ in out) + stops[state], 1.0)
    probability: dict[tuple[str, ...], float] = {}
    todo = [(0, (), 1.0)]
    while todo:
        state, words, p = todo.pop()
        if stops[state]:
            probability[words] = p * stops[state]
        todo += [(target, (*words, word), p * q) for word, q, target in arcs[state]]
    assert set(probability) == _LANGUAGE
    assert all(math.isclose(p, 1 / len(_LANGUAGE)) for p in probability.values())


@pytest.fixture(scope="module")
def recognizer() -> SphinxRecognizer:
    return SphinxRecognizer.for_intents(load_intents("en"))


def test_the_english_fallback_decodes_with_the_compact_automaton(recognizer: SphinxRecognizer) -> None:
    assert recognizer._decoder.current_search() == COMPACT_SEARCH
    # pocketsphinx's own FSG of the same JSGF grammar has 2,850 states
    assert recognizer.grammar_states is not None and recognizer.grammar_states < 1000


def test_every_example_sentence_is_in_the_compact_grammar_under_its_intent(recognizer: SphinxRecognizer) -> None:
    from voice.compact_fsg import compact_transitions
    from voice.fallback_sphinx import add_garbage_words
    from voice.jsgf import compile_jsgf

    decoder, english = recognizer._decoder, load_intents("en")
    known = lambda word: decoder.lookup_word(word) is not None  # noqa: E731
    garbage = add_garbage_words(decoder)
    jsgf = compile_jsgf(english, known, normalise_phrase, garbage=garbage)
    transitions = compact_transitions(jsgf.text, "kiosk", jsgf.intents, garbage, decoder.get_logmath())
    entries = [t for t in transitions if t[0] == START]
    assert len(entries) == len(jsgf.intents) + 1  # each intent and the rejection loop
    assert all(math.isclose(t[2], 1 / len(entries)) for t in entries)
    arcs: dict[int, dict[str, int]] = defaultdict(dict)
    for t in transitions:
        if len(t) == 4:
            arcs[t[0]][t[3]] = t[1]
    ends = {t[0] for t in transitions if len(t) == 3 and t[1] == FINAL}
    intent_of_entry = {t[1]: intent for t, intent in zip(entries, jsgf.intents)}

    def accepts(entry: int, words: list[str]) -> bool:
        state = entry
        for word in words:
            if word not in arcs[state]:
                return False
            state = arcs[state][word]
        return state in ends

    checked = 0
    for sentence in english.sentences():
        words = normalise_phrase(sentence.text).split()
        if not all(known(word) for word in words):
            continue  # left out of the grammar and reported (test_sphinx_fallback)
        hearing = [intent for entry, intent in intent_of_entry.items() if accepts(entry, words)]
        assert str(sentence.intent) in hearing, sentence.text
        checked += 1
    assert checked > 1500
