"""The web pages' strings: the `web` area of the UI catalogues (assets/i18n/<lang>/web*.yaml)."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

CATALOGUE_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "i18n"
LANGUAGES = ("zh", "en", "ko")
DEFAULT_LANGUAGE = "zh"


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every `web*.yaml` of the language (one file per area of the site), merged."""
    strings: dict[str, str] = {}
    for path in sorted((CATALOGUE_DIR / lang).glob("web*.yaml")):
        with path.open(encoding="utf-8") as handle:
            entries = _flatten(yaml.safe_load(handle) or {})
        twice = strings.keys() & entries.keys()
        if twice:
            raise ValueError(f"web strings {sorted(twice)} are defined twice ({path})")
        strings.update(entries)
    return strings


class Translator:
    """`t("console.title")` in templates; a missing key shows the key (tests make it fail)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self._strings = catalogue(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self._strings.get(f"web.{key}")
        if text is None:
            log.warning("web string %r missing in %s", key, self.lang)
            return key
        return text.format(**values) if values else text
