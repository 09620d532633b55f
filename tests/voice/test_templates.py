"""Template syntax, units per language, spoken numbers, and clear errors for bad intent data."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from voice import numbers
from voice.intent_data import IntentName
from voice.intents import load_intents
from voice.templates import (
    Alt,
    IntentDataError,
    RuleRef,
    Seq,
    SlotRef,
    TemplateSyntaxError,
    Text,
    parse_template,
    units,
)


def test_template_tree_has_alternatives_optionals_slots_and_rules() -> None:
    node = parse_template("[我](要|想)买{item}<line>{unit_bare:unit}")
    assert isinstance(node, Seq)
    optional, alternatives, text, slot, rule, renamed = node.items
    assert optional == Alt((Text("我"),), optional=True)
    assert alternatives == Alt((Text("要"), Text("想")))
    assert text == Text("买")
    assert slot == SlotRef("item", "item")
    assert rule == RuleRef("line", 0)
    assert renamed == SlotRef("unit_bare", "unit")


def test_groups_nest_and_empty_alternative_is_allowed() -> None:
    node = parse_template("a ((b|c) d|) e")
    assert isinstance(node, Seq)
    inner = node.items[1]
    assert isinstance(inner, Alt) and len(inner.options) == 2
    assert inner.options[1] == Seq(())


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("(a|b", "missing ')'"),
        ("[a", "missing ']'"),
        ("a)b", "unmatched ')'"),
        ("a]", "unmatched ']'"),
        ("{item", "missing '}'"),
        ("{}", "bad slot reference"),
        ("{it em}", "bad slot reference"),
        ("<li ne>", "bad rule name"),
        ("a}", "unmatched '}'"),
        ("()", "empty group"),
        ("(a|b)?", "not template syntax"),
    ],
)
def test_malformed_templates_say_what_and_where(template: str, problem: str) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        parse_template(template)
    assert problem in str(info.value) and repr(template) in str(info.value)


def test_word_languages_refuse_groups_glued_to_words() -> None:
    with pytest.raises(TemplateSyntaxError, match="glued to a word"):
        parse_template("two bag(s) of rice", word_language=True)
    parse_template("two bag(s) of rice")  # fine where units are characters


def test_units_per_language() -> None:
    assert units("买 两斤，鸡蛋！", "zh") == ("买", "两", "斤", "鸡", "蛋")
    assert units("１.５斤", "zh") == ("1", ".", "5", "斤")
    assert units("도와 주세요.", "ko") == ("도", "와", "주", "세", "요")
    assert units("I'm OK, Twenty-five BAGS!", "en") == ("i'm", "ok", "twenty", "five", "bags")


@pytest.mark.parametrize(
    ("language", "said", "value"),
    [
        ("zh", "两", 2), ("zh", "十", 10), ("zh", "十二", 12), ("zh", "二十五", 25),
        ("zh", "半", Decimal("0.5")), ("zh", "12", 12), ("zh", "1.5", Decimal("1.5")),
        ("en", "twenty five", 25), ("en", "a", 1), ("en", "half a", Decimal("0.5")),
        ("en", "3", 3), ("ko", "다섯", 5), ("ko", "열두", 12), ("ko", "한", 1),
        ("ko", "오", 5), ("ko", "이십", 20), ("ko", "반", Decimal("0.5")),
    ],
)
def test_numbers_are_scanned_whole(language: str, said: str, value: Decimal | int) -> None:
    tokens = units(said, language)
    found = dict(numbers.scan(tokens, 0, language))
    assert found[len(tokens)] == Decimal(value)


def test_numbers_are_said_in_words() -> None:
    assert [numbers.say(n, "zh") for n in (1, 2, 10, 12)] == ["一", "两", "十", "十二"]
    assert [numbers.say(n, "ko") for n in (1, 2, 5, 20)] == ["한", "두", "다섯", "스무"]
    assert numbers.say(5, "ko", "sino") == "오"
    assert numbers.say(Decimal("0.5"), "en") == "half a"


# --- intent files: errors name the file, the intent and the template --------------------

_GOOD_INTENTS = "\n".join(f"  {name}: [\"{name} phrase\"]" for name in IntentName)


def _write(tmp_path: Path, body: str, language: str = "en") -> Path:
    folder = tmp_path / "intents"
    folder.mkdir(exist_ok=True)
    path = folder / f"{language}.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.fixture()
def assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LINLI_ASSETS", str(tmp_path))
    return tmp_path


def test_a_minimal_file_loads_from_the_assets_override(assets: Path) -> None:
    _write(assets, f"language: en\nintents:\n{_GOOD_INTENTS}\n")
    intents = load_intents("en-US")
    assert intents.parse("sos phrase").intent is IntentName.SOS
    assert intents.parse("yes phrase").intent is IntentName.YES  # `yes:` is not a boolean


def test_a_malformed_template_names_file_intent_and_template(assets: Path) -> None:
    body = _GOOD_INTENTS.replace('sos: ["sos phrase"]', 'sos: ["call (for help"]')
    path = _write(assets, f"language: en\nintents:\n{body}\n")
    with pytest.raises(IntentDataError) as info:
        load_intents("en")
    message = str(info.value)
    assert str(path.resolve()) in message and "'sos'" in message
    assert "'call (for help'" in message and "missing ')'" in message
    assert "at character 15" in message


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ('sos: ["call {nobody}"]', "no slot list 'nobody'"),
        ('sos: ["call <nothing>"]', "no rule <nothing>"),
        ('sos: ["[help]"]', "can match nothing"),
        ('sos: [{sentences: ["help"], slots: {what: nonsense}}]', "not a value of list"),
    ],
)
def test_bad_references_are_reported(assets: Path, change: str, problem: str) -> None:
    body = _GOOD_INTENTS.replace('sos: ["sos phrase"]', change)
    lists = "lists:\n  what: {values: {water: [water]}}\n"
    _write(assets, f"language: en\n{lists}intents:\n{body}\n")
    with pytest.raises(IntentDataError, match=problem):
        load_intents("en")


def test_missing_and_unknown_intents_are_reported(assets: Path) -> None:
    body = _GOOD_INTENTS.replace('  sos: ["sos phrase"]\n', "")
    _write(assets, f"language: en\nintents:\n{body}\n  dance: [\"dance\"]\n")
    with pytest.raises(IntentDataError, match=r"unknown intents \['dance'\]"):
        load_intents("en")
    _write(assets, f"language: en\nintents:\n{body}\n")
    with pytest.raises(IntentDataError, match=r"missing from this language: \['sos'\]"):
        load_intents("en")


def test_one_spoken_form_for_two_values_is_refused(assets: Path) -> None:
    lists = "lists:\n  item: {values: {rice: [rice], flour: [rice]}}\n"
    _write(assets, f"language: en\n{lists}intents:\n{_GOOD_INTENTS}\n")
    with pytest.raises(IntentDataError, match="'rice' is said for both"):
        load_intents("en")


def test_missing_file_says_where_it_looked(assets: Path) -> None:
    with pytest.raises(IntentDataError, match="LINLI_ASSETS"):
        load_intents("fr")


def test_unknown_runtime_list_is_refused() -> None:
    with pytest.raises(IntentDataError, match="not a run-time slot list"):
        load_intents("zh", {"item": ["鸡蛋"]})
