"""Catalogues: same keys and placeholders in every language; every key the kiosk uses exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.i18n import Lang, Translator, load_catalogue, placeholders

KIOSK_DIR = Path(__file__).resolve().parents[2] / "kiosk"


def key_pattern() -> re.Pattern[str]:
    """Keys appear as string literals in .py and .kv files: "home.help", 'say.fall_ok', ...

    Any literal that starts with a section of the Chinese catalogue counts, so a new
    screen's keys are checked without touching this test.
    """
    sections = sorted({key.split(".")[0] for key in load_catalogue(Lang.ZH) if "." in key})
    return re.compile(r"""["']((?:%s)\.[a-z_]+(?:\.[a-z_]+)*)["']""" % "|".join(sections))


def used_keys() -> set[str]:
    pattern = key_pattern()
    keys: set[str] = set()
    for path in [*KIOSK_DIR.rglob("*.py"), *KIOSK_DIR.rglob("*.kv")]:
        keys.update(pattern.findall(path.read_text(encoding="utf-8")))
    return keys


def test_the_scan_finds_the_keys_the_screens_use() -> None:
    keys = used_keys()
    assert {"home.help", "help.cancel", "fall.question", "say.help_sent"} <= keys


@pytest.mark.parametrize("lang", list(Lang))
def test_every_key_used_in_the_kiosk_is_in_each_catalogue(lang: Lang) -> None:
    missing = used_keys() - set(load_catalogue(lang))
    assert not missing, f"{lang}.yaml lacks {sorted(missing)}"


@pytest.mark.parametrize("lang", [Lang.EN, Lang.KO])
def test_catalogues_have_the_same_keys_and_placeholders_as_chinese(lang: Lang) -> None:
    zh, other = load_catalogue(Lang.ZH), load_catalogue(lang)
    assert set(zh) ^ set(other) == set()
    for key, text in zh.items():
        assert placeholders(other[key]) == placeholders(text), key


def test_a_missing_key_is_shown_and_remembered_not_raised() -> None:
    translator = Translator()
    assert translator.text("home.no_such_key", Lang.EN) == "home.no_such_key"
    assert (Lang.EN, "home.no_such_key") in translator.missing
    # A template given the wrong values is reported too, not raised.
    translator.text("help.acknowledged", Lang.ZH)
    assert (Lang.ZH, "help.acknowledged") in translator.missing


def test_buttons_pair_chinese_with_the_second_language() -> None:
    translator = Translator()
    assert translator.pair("home.help", Lang.ZH) == ("呼叫帮助", "Call for help")
    assert translator.pair("home.help", Lang.EN) == ("Call for help", "呼叫帮助")
    assert translator.pair("home.help", Lang.KO) == ("도움 요청", "呼叫帮助")
    assert not translator.missing


def test_a_key_defined_in_two_files_of_one_language_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "en"
    folder.mkdir()
    (folder / "core.yaml").write_text("home:\n  help: Help\n", encoding="utf-8")
    (folder / "more.yaml").write_text("home:\n  help: Help again\n", encoding="utf-8")
    with pytest.raises(ValueError, match="home.help"):
        load_catalogue(Lang.EN, tmp_path)


def test_a_language_is_every_file_in_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "en"
    folder.mkdir()
    (folder / "a.yaml").write_text("home:\n  help: Help\n", encoding="utf-8")
    (folder / "b.yaml").write_text("grocery:\n  title: Groceries\n", encoding="utf-8")
    assert load_catalogue(Lang.EN, tmp_path) == {"home.help": "Help",
                                                 "grocery.title": "Groceries"}
