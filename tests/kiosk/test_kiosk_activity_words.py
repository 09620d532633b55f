"""Activity times in the words people use, in each language (no window needed)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.i18n import Lang, Translator
from kiosk.screens.activities import when_words

TODAY = date(2026, 11, 23)  # a Monday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute).astimezone()


@pytest.mark.parametrize(("starts", "lang", "words"), [
    (at(25, 9), Lang.ZH, "后天上午九点"),
    (at(26, 9), Lang.ZH, "周四上午九点"),
    (at(24, 14, 30), Lang.ZH, "明天下午两点半"),
    (at(23, 12, 15), Lang.ZH, "今天中午十二点十五分"),
    (at(24, 8, 5), Lang.ZH, "明天上午八点零五分"),
    (at(25, 16, 45), Lang.ZH, "后天下午四点四十五分"),
    (at(29, 19), Lang.ZH, "周日晚上七点"),
    (at(30, 9), Lang.ZH, "11月30日上午九点"),
    (at(26, 9), Lang.EN, "Thursday 9 o'clock in the morning"),
    (at(24, 14, 30), Lang.EN, "tomorrow 2:30 in the afternoon"),
    (at(30, 5, 5), Lang.EN, "30/11 5:05 at night"),
    (at(26, 9), Lang.KO, "목요일 오전 9시"),
    (at(24, 14, 30), Lang.KO, "내일 오후 2시 반"),
])
def test_when_words(starts: datetime, lang: Lang, words: str) -> None:
    translator = Translator()
    assert when_words(starts, translator, lang, today=TODAY) == words
    assert not translator.missing
