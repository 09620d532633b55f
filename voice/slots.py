"""Slot lists (values with spoken synonyms, numbers, run-time names) and how captured slot
values become an intent's slots (grocery lines included)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from voice import numbers
from voice.templates import IntentDataError, units


@dataclass(slots=True, frozen=True)
class GroceryLine:
    """One item of a grocery order: ("eggs", Decimal(2), "斤")."""

    item: str
    quantity: Decimal
    unit: str

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "quantity": str(self.quantity), "unit": self.unit}


class ListKind(StrEnum):
    VALUES = "values"  # canonical values with spoken synonyms, in the YAML file
    NUMBER = "number"  # spoken numbers, parsed structurally
    RUNTIME = "runtime"  # values given when the intents are loaded (caregivers' names)


@dataclass(slots=True, frozen=True)
class SlotList:
    """A slot list. For VALUES and RUNTIME lists `values` maps each canonical value to its
    spoken forms; `extras` holds per-value data (an item's default unit)."""

    name: str
    kind: ListKind
    values: Mapping[Any, tuple[str, ...]] = field(default_factory=dict)
    extras: Mapping[Any, Mapping[str, Any]] = field(default_factory=dict)
    integer: bool = False  # NUMBER: int values (star ratings) instead of Decimal
    minimum: Decimal = Decimal("0.5")
    maximum: Decimal = Decimal(99)
    examples: tuple[Decimal, ...] = ()  # NUMBER: values said in expanded sentences
    style: str = ""  # NUMBER: how examples are said (Korean "native" / "sino")

    def number_value(self, value: Decimal) -> Decimal | int | None:
        """A scanned number as this list's value, or None when out of range / not whole."""
        if not self.minimum <= value <= self.maximum:
            return None
        if self.integer:
            return int(value) if value == int(value) else None
        return value

    def spoken_forms(self, language: str) -> list[tuple[str, Any]]:
        """(spoken text, value) pairs used when expanding sentences, every synonym once."""
        if self.kind is ListKind.NUMBER:
            return [(numbers.say(v, language, self.style), self._typed(v)) for v in self.examples]
        return [(form, value) for value, forms in self.values.items() for form in forms]

    def _typed(self, value: Decimal) -> Decimal | int:
        return int(value) if self.integer else value

    def unit_table(self, language: str) -> dict[tuple[str, ...], Any]:
        """Spoken forms as units -> canonical value; a form naming two values is an error."""
        table: dict[tuple[str, ...], Any] = {}
        for value, forms in self.values.items():
            for form in forms:
                key = units(form, language)
                if not key:
                    raise IntentDataError(f"list {self.name!r}: value {value!r} has an empty form")
                if key in table and table[key] != value:
                    raise IntentDataError(
                        f"list {self.name!r}: {form!r} is said for both {table[key]!r} and "
                        f"{value!r}; give each spoken form to one value"
                    )
                table[key] = value
        return table


def runtime_list(name: str, given: Sequence[str] | Mapping[str, Sequence[str]]) -> SlotList:
    """A RUNTIME list from names (each its own canonical value) or canonical -> spoken forms."""
    if isinstance(given, str):
        raise IntentDataError(f"slot values for {name!r} must be a list of names, not a string")
    if isinstance(given, Mapping):
        values = {str(k): tuple(str(f) for f in (v if not isinstance(v, str) else [v]))
                  for k, v in given.items()}
    else:
        values = {str(v): (str(v),) for v in given}
    values = {k: forms for k, forms in values.items() if k.strip() and forms}
    return SlotList(name, ListKind.RUNTIME, values)


@dataclass(slots=True, frozen=True)
class Rule:
    """A named sub-template. A rule that `builds` a grocery line turns each of its matches
    into a GroceryLine appended to the slot `into`."""

    name: str
    template: str
    node: Any  # templates.Node
    builds: str | None = None
    into: str = "items"
    default_unit: str = ""


# Where a value was captured: the path of rule references it sits in, each as
# (index of the reference in its template, rule name); None outside any rule.
Group = tuple[tuple[int, str], ...] | None
# A captured slot value: (slot, list name, value, group).
Capture = tuple[str, str, Any, Group]

BUILDERS = frozenset({"grocery_line"})


def build_slots(
    captures: Iterable[Capture],
    fixed: Mapping[str, Any],
    lists: Mapping[str, SlotList],
    rules: Mapping[str, Rule],
) -> dict[str, Any]:
    """An intent's slots from its fixed slots and the values captured, in spoken order."""
    slots: dict[str, Any] = dict(fixed)
    groups: dict[tuple, tuple[Rule, dict[str, tuple[str, Any]]]] = {}
    for slot, list_name, value, group in captures:
        key, rule = _building_rule(group, rules)
        if rule is None:
            slots[slot] = value
        else:
            groups.setdefault(key, (rule, {}))[1][slot] = (list_name, value)
    for rule, found in groups.values():
        line = _grocery_line(found, lists, rule)
        if line is not None:
            slots[rule.into] = (*slots.get(rule.into, ()), line)
    return slots


def _building_rule(group, rules: Mapping[str, Rule]) -> tuple[tuple, Rule | None]:
    """The innermost rule on the path that builds a value, and the path up to it."""
    for depth in range(len(group or ()), 0, -1):
        rule = rules.get(group[depth - 1][1])
        if rule is not None and rule.builds is not None:
            return group[:depth], rule
    return (), None


def _grocery_line(
    found: Mapping[str, tuple[str, Any]], lists: Mapping[str, SlotList], rule: Rule
) -> GroceryLine | None:
    if "item" not in found:
        return None
    item_list, item = found["item"]
    quantity = Decimal(found["quantity"][1]) if "quantity" in found else None
    if "half" in found:
        quantity = (quantity or Decimal(0)) + numbers.HALF
    unit = found["unit"][1] if "unit" in found else None
    if unit is None and quantity is not None:  # "two apples": counted, not weighed
        unit = rule.default_unit or None
    if unit is None:  # "some apples": the item's usual unit, for the read-back to confirm
        extras = lists[item_list].extras.get(item, {}) if item_list in lists else {}
        unit = extras.get("unit") or rule.default_unit
    quantity = Decimal(1) if quantity is None else quantity
    if quantity == quantity.to_integral_value():
        quantity = quantity.quantize(Decimal(1))
    return GroceryLine(str(item), quantity, str(unit))


def slots_to_json(slots: Mapping[str, Any]) -> dict[str, Any]:
    """Slots as JSON-ready values (Decimal -> str, grocery lines -> dicts)."""

    def plain(value: Any) -> Any:
        if isinstance(value, GroceryLine):
            return value.to_dict()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        return value

    return {key: plain(value) for key, value in slots.items()}
