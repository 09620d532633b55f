"""Reading and checking one language's intent file (assets/intents/<language>.yaml).

Every problem is reported with the file, the intent and the template it concerns.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from voice.slots import BUILDERS, ListKind, Rule, SlotList
from voice.templates import (
    CHARACTER_LANGUAGES,
    Alt,
    IntentDataError,
    Node,
    RuleRef,
    Seq,
    SlotRef,
    TemplateSyntaxError,
    Text,
    parse_template,
    references,
    units,
)

ASSETS_ENV = "LINLI_ASSETS"


class IntentName(StrEnum):
    """Every intent the kiosk understands; each language's file must define all of them."""

    SOS = "sos"
    CANCEL_ALARM = "cancel_alarm"
    CALL_CAREGIVER = "call_caregiver"
    CALL_SERVICE_CENTRE = "call_service_centre"
    GROCERIES = "groceries"
    REPAIR = "repair"
    CERTIFICATE = "certificate"
    CLINIC_BOOKING = "clinic_booking"
    ACTIVITY_BOOKING = "activity_booking"
    MEDIATION = "mediation"
    MY_HEALTH = "my_health"
    BATTERY = "battery"
    MY_POINTS = "my_points"
    REDEEM_POINTS = "redeem_points"
    RATE_SERVICE = "rate_service"
    YES = "yes"
    NO = "no"
    CANCEL = "cancel"
    REPEAT = "repeat"
    GO_HOME = "go_home"
    MORE_TIME = "more_time"


@dataclass(slots=True, frozen=True)
class TemplateEntry:
    intent: IntentName
    text: str
    node: Node
    fixed: Mapping[str, Any]  # slots every sentence of this template carries


@dataclass(slots=True, frozen=True)
class IntentData:
    language: str
    path: Path
    skip_words: tuple[str, ...]
    lists: Mapping[str, SlotList]
    rules: Mapping[str, Rule]
    templates: tuple[TemplateEntry, ...]


def assets_dir() -> Path:
    """$LINLI_ASSETS, else the repository's assets/ next to the installed `voice` package."""
    override = os.environ.get(ASSETS_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "assets"


def intents_path(language: str) -> Path:
    return assets_dir() / "intents" / f"{language}.yaml"


def base_language(language: str) -> str:
    """"zh-CN", "zh_Hans", "ZH" -> "zh"."""
    return language.replace("_", "-").split("-")[0].lower()


def read_intents(path: Path) -> IntentData:
    """The checked contents of an intent file (cached until the file changes)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise IntentDataError(
            f"No intent file at {path}. Intent files live in assets/intents/<language>.yaml; "
            f"set {ASSETS_ENV} to the assets directory if it is elsewhere."
        ) from None
    return _read_cached(path.resolve(), stat.st_mtime_ns)


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so the intents `yes:`, `no:` stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@lru_cache(maxsize=16)
def _read_cached(path: Path, _mtime_ns: int) -> IntentData:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise IntentDataError(f"{path}: not valid YAML: {exc}") from exc
    return _Reader(path, raw).read()


class _Reader:
    def __init__(self, path: Path, raw: Any) -> None:
        self.path = path
        self.raw = raw
        self.language = path.stem

    def fail(self, problem: str, intent: str | None = None, template: str | None = None):
        where = str(self.path)
        if intent is not None:
            where += f": intent {str(intent)!r}"
        if template is not None:
            where += f", template {template!r}"
        return IntentDataError(f"{where}: {problem}")

    def read(self) -> IntentData:
        raw = self.raw
        if not isinstance(raw, dict):
            raise self.fail("the file must hold a mapping (language, skip_words, lists, ...)")
        unknown = set(raw) - {"language", "skip_words", "lists", "rules", "intents"}
        if unknown:
            raise self.fail(f"unknown top-level keys {sorted(unknown)}")
        language = str(raw.get("language", self.language))
        if language != self.language:
            raise self.fail(f"language {language!r} does not match the file name")
        skip = tuple(str(w) for w in raw.get("skip_words") or ())
        lists = {str(k): self._list(str(k), v) for k, v in (raw.get("lists") or {}).items()}
        rules = {str(k): self._rule(str(k), v) for k, v in (raw.get("rules") or {}).items()}
        templates = self._intents(raw.get("intents"), lists, rules)
        return IntentData(language, self.path, skip, lists, rules, templates)

    def _list(self, name: str, spec: Any) -> SlotList:
        if not isinstance(spec, dict):
            raise self.fail(f"list {name!r} must be a mapping (values:, number: or runtime:)")
        if spec.get("runtime"):
            return SlotList(name, ListKind.RUNTIME)
        if "number" in spec:
            return self._number_list(name, spec)
        values = spec.get("values")
        if not isinstance(values, dict) or not values:
            raise self.fail(f"list {name!r} needs values: canonical -> spoken forms")
        forms: dict[str, tuple[str, ...]] = {}
        extras: dict[str, dict[str, Any]] = {}
        for canonical, said in values.items():
            canonical = str(canonical)
            if isinstance(said, dict):
                extras[canonical] = {k: v for k, v in said.items() if k != "say"}
                said = said.get("say")
            said = [said] if isinstance(said, str) else said
            if not said or not all(isinstance(s, str | int) for s in said):
                raise self.fail(f"list {name!r}: value {canonical!r} needs spoken forms")
            forms[canonical] = tuple(str(s) for s in said)
        slot_list = SlotList(name, ListKind.VALUES, forms, extras)
        try:
            slot_list.unit_table(self.language)
        except IntentDataError as exc:
            raise self.fail(str(exc)) from None
        return slot_list

    def _number_list(self, name: str, spec: dict[str, Any]) -> SlotList:
        kind = spec["number"]
        if kind not in ("integer", "decimal"):
            raise self.fail(f"list {name!r}: number must be integer or decimal, not {kind!r}")
        try:
            low, high = (Decimal(str(x)) for x in spec.get("range", (1, 99)))
            examples = tuple(Decimal(str(x)) for x in spec.get("examples", ()))
        except (InvalidOperation, TypeError, ValueError):
            raise self.fail(f"list {name!r}: range is [min, max], examples a list") from None
        if not examples:
            examples = tuple(Decimal(n) for n in range(int(low), int(high) + 1))[:12]
        if any(not low <= e <= high for e in examples):
            raise self.fail(f"list {name!r}: examples outside the range {low}-{high}")
        return SlotList(
            name, ListKind.NUMBER, integer=kind == "integer", minimum=low, maximum=high,
            examples=examples, style=str(spec.get("say", "")),
        )

    def _rule(self, name: str, spec: Any) -> Rule:
        if isinstance(spec, str):
            spec = {"template": spec}
        if not isinstance(spec, dict) or not isinstance(spec.get("template"), str):
            raise self.fail(f"rule {name!r} needs a template")
        builds = spec.get("builds")
        if builds is not None and builds not in BUILDERS:
            raise self.fail(f"rule {name!r}: builds must be one of {sorted(BUILDERS)}")
        node = self._parse(spec["template"], f"<{name}>")
        return Rule(
            name, spec["template"], node, builds, str(spec.get("into", "items")),
            str(spec.get("default_unit", "")),
        )

    def _parse(self, template: str, intent: str) -> Node:
        try:
            return parse_template(template, word_language=self.language not in CHARACTER_LANGUAGES)
        except TemplateSyntaxError as exc:
            raise self.fail(str(exc), intent, template) from None

    def _intents(
        self, raw: Any, lists: Mapping[str, SlotList], rules: Mapping[str, Rule]
    ) -> tuple[TemplateEntry, ...]:
        if not isinstance(raw, dict):
            raise self.fail("intents: must map each intent name to its templates")
        known = {str(n) for n in IntentName}
        unknown = set(map(str, raw)) - known
        if unknown:
            raise self.fail(f"unknown intents {sorted(unknown)} (known: {sorted(known)})")
        missing = known - set(map(str, raw))
        if missing:
            raise self.fail(f"intents missing from this language: {sorted(missing)}")
        self._check_rules(lists, rules)
        entries: list[TemplateEntry] = []
        for intent in IntentName:
            groups = raw[str(intent)]
            if not isinstance(groups, list) or not groups:
                raise self.fail("needs a list of templates", intent)
            for group in groups:
                texts, fixed = self._group(group, intent)
                for text in texts:
                    node = self._parse(text, intent)
                    self._check(node, lists, rules, intent, text)
                    entries.append(TemplateEntry(intent, text, node, fixed))
        self._check_fixed(entries, lists)
        return tuple(entries)

    def _group(self, group: Any, intent: str) -> tuple[list[str], dict[str, Any]]:
        if isinstance(group, str):
            return [group], {}
        if isinstance(group, dict) and isinstance(group.get("sentences"), list):
            fixed = group.get("slots") or {}
            if not isinstance(fixed, dict):
                raise self.fail("slots: must be a mapping", intent)
            texts = group["sentences"]
            if not all(isinstance(t, str) for t in texts):
                raise self.fail("sentences: must be strings", intent)
            return texts, dict(fixed)
        raise self.fail(f"a template is a string or {{sentences: [...], slots: {{}}}}: {group!r}",
                        intent)

    def _check(self, node: Node, lists, rules, intent: str, text: str) -> None:
        slots, refs = references(node)
        for ref in slots:
            if ref.list_name not in lists:
                raise self.fail(f"no slot list {ref.list_name!r} (define it under lists:)",
                                intent, text)
        for ref in refs:
            if ref.name not in rules:
                raise self.fail(f"no rule <{ref.name}> (define it under rules:)", intent, text)
        if self._shortest(node, rules) == 0:
            raise self.fail("the template can match nothing at all (everything optional)",
                            intent, text)

    def _check_rules(self, lists: Mapping[str, SlotList], rules: Mapping[str, Rule]) -> None:
        for rule in rules.values():
            self._check(rule.node, lists, rules, f"<{rule.name}>", rule.template)
            self._no_cycle(rule.name, rules, ())

    def _no_cycle(self, name: str, rules: Mapping[str, Rule], path: tuple[str, ...]) -> None:
        if name in path:
            raise self.fail(f"rules refer to themselves: {' -> '.join((*path, name))}")
        for ref in references(rules[name].node)[1]:
            self._no_cycle(ref.name, rules, (*path, name))

    def _shortest(self, node: Node, rules: Mapping[str, Rule]) -> int:
        if isinstance(node, Text):
            return len(units(node.text, self.language))
        if isinstance(node, SlotRef):
            return 1
        if isinstance(node, Seq):
            return sum(self._shortest(i, rules) for i in node.items)
        if isinstance(node, Alt):
            return 0 if node.optional else min(self._shortest(o, rules) for o in node.options)
        if isinstance(node, RuleRef):
            return self._shortest(rules[node.name].node, rules)
        raise TypeError(node)  # pragma: no cover

    def _check_fixed(self, entries: list[TemplateEntry], lists: Mapping[str, SlotList]) -> None:
        """A fixed slot must be a canonical value of the list that slot uses elsewhere."""
        slot_lists: dict[tuple[str, str], str] = {}
        for entry in entries:
            for ref in references(entry.node)[0]:
                slot_lists.setdefault((entry.intent, ref.slot), ref.list_name)
        for entry in entries:
            for slot, value in entry.fixed.items():
                list_name = slot_lists.get((entry.intent, slot), slot)
                slot_list = lists.get(list_name)
                if slot_list is not None and slot_list.kind is ListKind.VALUES:
                    if str(value) not in slot_list.values:
                        raise self.fail(
                            f"fixed slot {slot}={value!r} is not a value of list {list_name!r}",
                            entry.intent, entry.text,
                        )
