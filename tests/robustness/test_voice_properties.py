"""Property tests of the voice parsers: templates, spoken numbers and grocery quantities.

- Any template text parses or raises TemplateSyntaxError (with a position), nothing else.
- Every quantity a kiosk can say is read back as the same number (say -> scan round trip).
- Any transcript, however odd, snaps to an intent or to "not understood", never an error,
  and a grocery order spoken with a drawn quantity keeps that quantity.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice.intents import IntentMatch, NotUnderstood, load_intents
from voice.matching import snap
from voice.numbers import HALF, say, scan
from voice.templates import TemplateSyntaxError, parse_template, units

LANGUAGES = ("zh", "en", "ko")
template_text = st.text(alphabet="()[]{}<>|, abc买菜두개?!;:\\\"'", max_size=40)


@given(template_text, st.booleans())
def test_any_template_text_parses_or_says_where_it_is_wrong(text: str, word_language: bool) -> None:
    try:
        parse_template(text, word_language=word_language)
    except TemplateSyntaxError as exc:
        assert str(exc)  # says what to fix


@pytest.mark.parametrize("language", LANGUAGES)
@given(n=st.integers(min_value=1, max_value=99))
def test_every_spoken_quantity_reads_back_as_itself(language: str, n: int) -> None:
    styles = ("", "sino") if language == "ko" else ("",)
    for style in styles:
        tokens = units(say(n, language, style), language)
        assert (len(tokens), Decimal(n)) in scan(tokens, 0, language), (language, style, tokens)


@pytest.mark.parametrize("language", LANGUAGES)
def test_half_reads_back_as_a_half(language: str) -> None:
    tokens = units(say(HALF, language), language)
    assert any(value == HALF for _, value in scan(tokens, 0, language))


@pytest.mark.parametrize("language", LANGUAGES)
@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=40))
def test_any_transcript_snaps_to_an_intent_or_not_understood(language: str, text: str) -> None:
    result = snap(text, load_intents(language))
    assert isinstance(result, IntentMatch | NotUnderstood)
    if isinstance(result, IntentMatch):
        assert 0.0 <= result.score <= 1.0


_EGGS = {"zh": "买{n}斤鸡蛋", "en": "buy {n} eggs"}


@pytest.mark.parametrize("language", sorted(_EGGS))
@settings(deadline=None)
@given(n=st.integers(min_value=2, max_value=20))
def test_a_spoken_grocery_quantity_is_kept(language: str, n: int) -> None:
    sentence = _EGGS[language].format(n=say(n, language))
    result = snap(sentence, load_intents(language))
    assert isinstance(result, IntentMatch), sentence
    lines = result.slots.get("items") or []
    assert [line.quantity for line in lines] == [Decimal(n)], (sentence, result.slots)
