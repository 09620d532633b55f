"""UI strings from per-language catalogues (assets/i18n/<lang>/*.yaml), two languages on screen.

A language's catalogue is every YAML file in its folder, one file per area of the kiosk
(core, groceries, services, ...); a key defined in two files is an error, not a silent
override.

Every primary button shows Chinese and a second language: the chosen one when it is not
Chinese, else English. A key missing from a catalogue never crashes the kiosk (the key
itself is shown, and remembered); the tests make it a failure instead.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "assets" / "i18n"


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"
    KO = "ko"


# Chinese is always on screen: the community's staff and most neighbours read it.
BASE = Lang.ZH


def second_language(lang: Lang) -> Lang:
    """The language shown next to Chinese on a button."""
    return Lang.EN if lang is Lang.ZH else lang


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """{'home': {'help': '...'}} -> {'home.help': '...'}."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise ValueError(f"catalogue entry {name!r} must be text, got {type(value).__name__}")
    return flat


@cache
def load_catalogue(lang: Lang, directory: Path = CATALOGUE_DIR) -> dict[str, str]:
    folder = directory / Lang(lang).value
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise FileNotFoundError(f"no UI catalogue files in {folder}")
    catalogue: dict[str, str] = {}
    defined_in: dict[str, str] = {}
    for path in files:
        with path.open(encoding="utf-8") as handle:
            entries = flatten(yaml.safe_load(handle) or {})
        for key in entries:
            if key in defined_in:
                raise ValueError(f"UI string {key!r} is in both {defined_in[key]} and "
                                 f"{path.name} ({folder})")
            defined_in[key] = path.name
        catalogue.update(entries)
    return catalogue


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def other_language(lang: Lang) -> Lang:
    """The language shown beside `lang` on a button: English beside Chinese, else Chinese."""
    lang = Lang(lang)
    return second_language(lang) if lang is BASE else BASE


class Translator:
    """Looks strings up in the catalogues; remembers every key it could not find."""

    def __init__(self, directory: Path = CATALOGUE_DIR) -> None:
        self._directory = directory
        self.missing: set[tuple[Lang, str]] = set()

    def text(self, key: str, lang: Lang, **values: Any) -> str:
        catalogue = load_catalogue(Lang(lang), self._directory)
        template = catalogue.get(key)
        if template is None:
            if (lang, key) not in self.missing:
                log.error("UI string %r missing from the %s catalogue", key, lang)
            self.missing.add((Lang(lang), key))
            # Show the Chinese text if there is one: better than a bare key to a resident.
            template = load_catalogue(BASE, self._directory).get(key, key)
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            log.error("UI string %r (%s) does not fit values %r", key, lang, sorted(values))
            self.missing.add((Lang(lang), key))
            return template

    def pair(self, key: str, lang: Lang, **values: Any) -> tuple[str, str]:
        """(text in the chosen language, the same in the other language on the button).

        zh -> (Chinese, English); en -> (English, Chinese); ko -> (Korean, Chinese).
        """
        lang = Lang(lang)
        return self.text(key, lang, **values), self.text(key, other_language(lang), **values)
