"""The structural JSGF grammar (voice.jsgf) of the English fallback: it must accept every
sentence the templates expand to, refuse what they cannot say, report dictionary gaps and
stay a fraction of the flat one-alternative-per-sentence grammar. Checked on pocketsphinx's
own finite-state grammar (`FsgModel.accept`), compiled from the text by the decoder."""

from __future__ import annotations

from typing import Any

import pytest
from voice_testkit import require_templates

from voice.fallback_sphinx import (
    SphinxRecognizer,
    add_garbage_words,
    is_garbage,
    normalise_phrase,
    to_jsgf,
)
from voice.intents import IntentSet, load_intents
from voice.jsgf import compile_jsgf, rule_name


@pytest.fixture(scope="module")
def english() -> IntentSet:
    require_templates("en")
    return load_intents("en", {"caregiver": ["Mary", "John Smith"]})


@pytest.fixture(scope="module")
def decoder() -> Any:
    return SphinxRecognizer.new_decoder()


def known(decoder: Any):
    return lambda word: decoder.lookup_word(word) is not None


@pytest.fixture(scope="module")
def fsg(english: IntentSet, decoder: Any) -> Any:
    grammar = compile_jsgf(english, known(decoder), normalise_phrase,
                           garbage=add_garbage_words(decoder))
    decoder.add_jsgf_string("structural_test", grammar.text)
    return decoder.get_fsg("structural_test")


def test_every_expanded_sentence_is_in_the_grammar(
    english: IntentSet, decoder: Any, fsg: Any
) -> None:
    lookup = known(decoder)
    sentences = {normalise_phrase(s.text) for s in english.sentences()}
    # A sentence with a word the dictionary lacks ("veg") cannot be heard as written.
    sayable = {s for s in sentences if all(lookup(w) for w in s.split())}
    refused = sorted(s for s in sayable if not fsg.accept(s))
    assert len(sayable) > 1800 and refused == []
    # Run-time names are slot values like any other.
    assert fsg.accept("call mary") and fsg.accept("give john smith a call")


def test_combinations_the_expansion_skipped_are_heard_and_nonsense_is_not(fsg: Any) -> None:
    # The expansion cycles slot lists instead of multiplying them; the grammar does not.
    assert fsg.accept("i want to buy two bags of rice and three bottles of milk")
    assert fsg.accept("the radiator is not working")
    for nonsense in ("call my bread", "help help help help", "buy", "my my points", ""):
        assert not fsg.accept(nonsense), nonsense


def test_the_rejection_loop_uses_words_no_phrase_contains(fsg: Any, decoder: Any) -> None:
    garbage = add_garbage_words(decoder)
    assert garbage and all(is_garbage(w) for w in garbage)
    assert fsg.accept(" ".join(garbage[:3]))
    assert not fsg.accept("the alarm")  # ordinary "the" is not a garbage word
    assert not any(is_garbage(w) for w in ("the", "to", "help"))


def test_words_missing_from_the_dictionary_are_reported(english: IntentSet, decoder: Any) -> None:
    grammar = compile_jsgf(english, known(decoder), normalise_phrase)
    missing = grammar.report.missing_words()
    assert "wristband" in missing and "vitals" in missing
    assert all(decoder.lookup_word(w) is None for w in missing)
    assert " wristband" not in grammar.text  # left out, the rest of the phrase kept
    assert grammar.intents == tuple(str(i) for i in english.intents)


def test_it_is_a_fraction_of_the_flat_grammar(english: IntentSet, decoder: Any) -> None:
    structural = compile_jsgf(english, known(decoder), normalise_phrase)
    flat = to_jsgf(normalise_phrase(s.text) for s in english.sentences())
    assert len(structural.text) * 4 < len(flat)
    # One rule per intent, per slot list and named rule used, and the top rule.
    assert f"<{rule_name('intent', 'sos')}> =" in structural.text
    assert f"<{rule_name('list', 'relation')}> =" in structural.text
    assert structural.rules == structural.text.count(" = ")


def test_an_empty_runtime_list_leaves_out_only_its_templates(decoder: Any) -> None:
    require_templates("en")
    grammar = compile_jsgf(load_intents("en"), known(decoder), normalise_phrase)
    assert rule_name("list", "caregiver") not in grammar.text
    assert rule_name("list", "activity") not in grammar.text
    decoder.add_jsgf_string("no_names", grammar.text)
    fsg = decoder.get_fsg("no_names")
    assert fsg.accept("call my daughter") and fsg.accept("book an activity")


def test_rule_names_are_jsgf_safe() -> None:
    assert rule_name("list", "repair_what") == "list_repair_what"
    assert rule_name("intent", "odd name-1") == "intent_odd_name_1"
