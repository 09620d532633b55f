"""Spoken dialogue prompts per language, loaded from assets/voice/prompts_{language}.yaml."""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "voice"

# Top-level prompts every language must have, with the placeholders each may use.
_SENTENCES: Mapping[str, frozenset[str]] = {
    "listen": frozenset(),
    "not_caught": frozenset(),
    "reprompt": frozenset({"examples"}),
    "offer_buttons": frozenset(),
    "confirm": frozenset({"what"}),
    "confirm_again": frozenset(),
    "yes_no_hint": frozenset(),
    "tap_answer": frozenset(),
    "acting": frozenset({"name"}),
    "cancelled": frozenset(),
    "nothing_to_cancel": frozenset(),
    "time_warning": frozenset(),
    "more_time": frozenset(),
    "timed_out": frozenset(),
    "alarm_cancelled": frozenset(),
}
_GROCERIES: Mapping[str, frozenset[str]] = {
    "ask_items": frozenset(),
    "read_back": frozenset({"items"}),
    "ask_more": frozenset(),
    "line": frozenset({"item", "quantity", "unit"}),
}
CHOICE_KEYS = ("talk", "yes", "no", "cancel", "repeat", "more_time", "home")


class PromptsError(ValueError):
    """A prompts file is missing a key or uses a placeholder it may not use."""


@dataclass(frozen=True, slots=True)
class IntentPrompts:
    """How one intent is named, asked about and read back in one language."""

    name: str
    with_slots: str | None = None
    ask: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Prompts:
    """Every sentence the dialogue says in one language."""

    language: str
    sentences: Mapping[str, str]
    examples: tuple[str, ...]
    list_separator: str
    groceries: Mapping[str, str]
    intents: Mapping[str, IntentPrompts]
    choices: Mapping[str, str]

    def say(self, key: str, **values: object) -> str:
        return self.sentences[key].format(**values)

    def join(self, parts: Iterable[str]) -> str:
        return self.list_separator.join(parts)

    def intent_name(self, intent: str) -> str:
        prompts = self.intents.get(str(intent))
        return prompts.name if prompts else str(intent)

    def label(self, choice: str) -> str:
        """The on-screen label of a choice button, for the kiosk."""
        return self.choices[str(choice)]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _check(text: object, where: str, allowed: frozenset[str]) -> str:
    if not isinstance(text, str) or not text.strip():
        raise PromptsError(f"{where}: expected a non-empty sentence, got {text!r}")
    extra = _placeholders(text) - allowed
    if extra:
        raise PromptsError(f"{where}: unknown placeholder(s) {sorted(extra)} in {text!r}")
    return text


def parse_prompts(data: Mapping[str, Any], source: str = "<prompts>") -> Prompts:
    """Validate one language's prompt data; every problem names the file and the key."""
    if not isinstance(data, Mapping):
        raise PromptsError(f"{source}: expected a mapping at the top level")
    # YAML 1.1 reads bare yes/no keys as booleans; they must be quoted in the files.
    for section in ("intents", "choices"):
        for key in data.get(section) or {}:
            if not isinstance(key, str):
                raise PromptsError(f"{source}: {section} key {key!r} must be quoted text")
    missing = [k for k in (*_SENTENCES, "language", "examples", "groceries", "intents",
                           "choices", "list_separator") if k not in data]
    if missing:
        raise PromptsError(f"{source}: missing {', '.join(missing)}")
    sentences = {k: _check(data[k], f"{source}: {k}", v) for k, v in _SENTENCES.items()}
    groceries_data = data["groceries"]
    groceries = {
        k: _check(groceries_data.get(k), f"{source}: groceries.{k}", v)
        for k, v in _GROCERIES.items()
    }
    intents: dict[str, IntentPrompts] = {}
    for intent, spec in data["intents"].items():
        where = f"{source}: intents.{intent}"
        if not isinstance(spec, Mapping) or "name" not in spec:
            raise PromptsError(f"{where}: needs a name")
        ask = {str(k): _check(v, f"{where}.ask.{k}", frozenset()) for k, v in
               (spec.get("ask") or {}).items()}
        with_slots = spec.get("with_slots")
        if with_slots is not None:
            _check(with_slots, f"{where}.with_slots", frozenset(_placeholders(with_slots)))
        intents[intent] = IntentPrompts(_check(spec["name"], where, frozenset()), with_slots, ask)
    choices = data["choices"]
    absent = [c for c in CHOICE_KEYS if c not in choices]
    if absent:
        raise PromptsError(f"{source}: choices lacks {', '.join(absent)}")
    examples = tuple(str(e) for e in data["examples"])
    if not examples:
        raise PromptsError(f"{source}: examples must list at least one phrase")
    return Prompts(
        language=str(data["language"]),
        sentences=sentences,
        examples=examples,
        list_separator=str(data["list_separator"]),
        groceries=groceries,
        intents=intents,
        choices={str(k): str(v) for k, v in choices.items()},
    )


@cache
def load_prompts(language: str, directory: Path = PROMPTS_DIR) -> Prompts:
    """The prompts of one language (cached: the files are read once per process)."""
    path = directory / f"prompts_{language}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptsError(f"no prompts for language {language!r}: {path} is missing") from None
    prompts = parse_prompts(yaml.safe_load(text), str(path))
    if prompts.language != language:
        raise PromptsError(f"{path}: says language {prompts.language!r}, expected {language!r}")
    return prompts
