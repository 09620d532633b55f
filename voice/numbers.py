"""Spoken numbers per language: every surface form up to 99 (and a half), parsed and said.

Chinese: 一 二/两 三 ... 十, 十二, 二十五, 半; Korean: native (한 두 세 네 다섯 ... 열두 스물)
and Sino-Korean (일 이 삼 ... 십이), 반; English: one ... ninety-nine, a/an, half (a).
Digits are accepted everywhere ("2", "1.5").
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from voice.templates import CHARACTER_LANGUAGES, units

HALF = Decimal("0.5")
_MAX = 99
_DIGITS = re.compile(r"\d+(?:\.\d+)?\Z")

_ZH_DIGITS = "一二三四五六七八九"
_KO_SINO = ("일", "이", "삼", "사", "오", "육", "칠", "팔", "구")
# Native Korean numbers: (standalone, before a counter) for 1-9, and the tens.
_KO_NATIVE = (
    ("하나", "한"), ("둘", "두"), ("셋", "세"), ("넷", "네"), ("다섯", "다섯"),
    ("여섯", "여섯"), ("일곱", "일곱"), ("여덟", "여덟"), ("아홉", "아홉"),
)
_KO_NATIVE_TENS = ("열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")
_EN_ONES = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


@cache
def _forms(language: str) -> dict[tuple[str, ...], Decimal]:
    """Every spoken form of the numbers this language's templates need, as units."""
    spoken: dict[str, int | Decimal] = {}
    if language == "zh":
        for n in range(1, _MAX + 1):
            for form in _zh_forms(n):
                spoken[form] = n
        spoken["半"] = HALF
    elif language == "ko":
        for n in range(1, _MAX + 1):
            for form in _ko_native_forms(n) + _ko_sino_forms(n):
                spoken[form] = n
        spoken["석"], spoken["넉"] = 3, 4  # before 달, 되, 잔
        spoken["반"] = HALF
    else:
        for n in range(1, _MAX + 1):
            for form in _en_forms(n):
                spoken[form] = n
        for form in ("a", "an"):
            spoken[form] = 1
        for form in ("half", "half a", "half an", "a half"):
            spoken[form] = HALF
    return {units(text, language): Decimal(value) for text, value in spoken.items()}


def _zh_forms(n: int) -> list[str]:
    tens, ones = divmod(n, 10)
    one = [] if ones == 0 else [_ZH_DIGITS[ones - 1]] + (["两"] if ones == 2 and n < 10 else [])
    if tens == 0:
        return one
    ten = "十" if tens == 1 else _ZH_DIGITS[tens - 1] + "十"
    heads = [ten] + (["一十"] if tens == 1 else [])
    return [h + o for h in heads for o in (one or [""])]


def _ko_sino_forms(n: int) -> list[str]:
    tens, ones = divmod(n, 10)
    one = _KO_SINO[ones - 1] if ones else ""
    if tens == 0:
        return [one]
    return [("" if tens == 1 else _KO_SINO[tens - 1]) + "십" + one]


def _ko_native_forms(n: int) -> list[str]:
    tens, ones = divmod(n, 10)
    ten = _KO_NATIVE_TENS[tens - 1] if tens else ""
    if ones == 0:
        return [ten] + (["스무"] if n == 20 else [])
    return [ten + form for form in dict.fromkeys(_KO_NATIVE[ones - 1])]


def _en_forms(n: int) -> list[str]:
    if n < 20:
        return [_EN_ONES[n - 1]]
    tens, ones = divmod(n, 10)
    if ones == 0:
        return [_EN_TENS[tens - 2]]
    return [f"{_EN_TENS[tens - 2]} {_EN_ONES[ones - 1]}"]


@cache
def _max_form_length(language: str) -> int:
    return max(len(form) for form in _forms(language))


def scan(tokens: tuple[str, ...], pos: int, language: str) -> list[tuple[int, Decimal]]:
    """Every (end, value) of a number spoken at tokens[pos:end]."""
    found: list[tuple[int, Decimal]] = []
    forms = _forms(language)
    for end in range(pos + 1, min(len(tokens), pos + _max_form_length(language)) + 1):
        value = forms.get(tokens[pos:end])
        if value is not None:
            found.append((end, value))
    found.extend(_scan_digits(tokens, pos, language))
    return found


def _scan_digits(tokens: tuple[str, ...], pos: int, language: str) -> list[tuple[int, Decimal]]:
    if language not in CHARACTER_LANGUAGES:
        if pos < len(tokens) and _DIGITS.match(tokens[pos]):
            return [(pos + 1, Decimal(tokens[pos]))]
        return []
    found = []
    end = pos
    while end < len(tokens) and (tokens[end].isdigit() or tokens[end] == "."):
        end += 1
        text = "".join(tokens[pos:end])
        if _DIGITS.match(text):
            found.append((end, Decimal(text)))
    return found


def number_units(language: str) -> frozenset[str]:
    """Every unit a spoken or written number can contain (for quick pre-filtering)."""
    found = {unit for form in _forms(language) for unit in form}
    if language in CHARACTER_LANGUAGES:
        found.update("0123456789.")
    return frozenset(found)


def say(value: Decimal | int, language: str, style: str = "") -> str:
    """How `value` is said in sentences made for the recognizer (words, never digits).

    `style` picks Korean native ("native", the default: 한 개, 별 다섯 개) or Sino-Korean
    ("sino": 오 점, 일 킬로) numbers; English says 1 as "one" unless style is "article".
    """
    value = Decimal(value)
    if value == HALF:
        return {"zh": "半", "ko": "반"}.get(language, "half a")
    n = int(value)
    if n != value or not 1 <= n <= _MAX:
        raise ValueError(f"no spoken form for {value} (whole numbers 1-{_MAX} and 0.5)")
    if language == "zh":
        return "两" if n == 2 else _zh_forms(n)[0]
    if language == "ko":
        return _ko_sino_forms(n)[0] if style == "sino" else _ko_native_forms(n)[-1]
    if n == 1 and style == "article":
        return "a"
    return _en_forms(n)[0]
