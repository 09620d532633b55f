"""Groceries: item tiles with + / -, the read-back question, and what became of the order.

The order itself (`GroceryOrder`) is a plain value the controller owns, so a voice order
and a tapped one go through the same steps; the screens only show it and call the
controller. Item keys and units are the voice intents' canonical ones
(assets/intents/zh.yaml, list `item`), so "两斤鸡蛋" said and tapped make the same line.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kiosk.i18n import Lang, Translator, other_language
from kiosk.screens.base import KioskScreen

INTENTS_ZH = Path(__file__).resolve().parents[2] / "assets" / "intents" / "zh.yaml"

# The tiles, in pages of at most six (SENIOR_UX: at most 6 choices at a time), each with
# its drawn icon (kiosk.icons).
PAGES: tuple[tuple[tuple[str, str], ...], ...] = (
    (("eggs", "egg"), ("rice", "sack"), ("greens", "leaf"), ("milk", "carton"),
     ("noodles", "bowl"), ("apples", "apple")),
    (("tomatoes", "apple"), ("potatoes", "egg"), ("tofu", "cube"), ("oil", "bottle"),
     ("bread", "loaf"), ("fish", "fish")),
)
ICON_OF = {key: icon for page in PAGES for key, icon in page}
ITEMS: tuple[str, ...] = tuple(key for page in PAGES for key, _ in page)

# The intents' Chinese units (what goes on the wire) -> catalogue keys for the screen.
UNIT_KEYS = {"斤": "jin", "袋": "bag", "包": "pack", "盒": "box", "个": "piece",
             "桶": "bottle", "块": "block", "条": "fish"}

MAX_QUANTITY = 20


@cache
def item_units() -> dict[str, str]:
    """Canonical item key -> its usual unit, from the voice intents (one source for both)."""
    with INTENTS_ZH.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    values = data["lists"]["item"]["values"]
    return {key: str(value["unit"]) for key, value in values.items() if isinstance(value, dict)}


def unit_of(item: str) -> str:
    return item_units()[item]


@cache
def spoken_names(lang: Lang) -> dict[str, str]:
    """Canonical item key -> its first spoken name in `lang`'s intents ("bananas" -> "香蕉"):
    the words for items said aloud that have no tile."""
    path = INTENTS_ZH.with_name(f"{Lang(lang).value}.yaml")
    with path.open(encoding="utf-8") as handle:
        values = yaml.safe_load(handle)["lists"]["item"]["values"]
    return {key: str(value["say"][0]) for key, value in values.items()
            if isinstance(value, dict) and value.get("say")}


@dataclass(frozen=True, slots=True)
class GroceryOrder:
    """What the resident is choosing, and (after "对") what became of it.

    `quantities` keeps catalogue order, so the read-back lists items as the tiles do.
    """

    quantities: tuple[tuple[str, int], ...] = ()
    # Items said aloud that no tile shows ("还要两斤香蕉"): the voice's "other" items.
    extras: tuple[tuple[str, int], ...] = ()
    page: int = 0
    saving: bool = False
    record_id: uuid.UUID | None = None  # stored: the ServiceRequest's record id
    failure: str | None = None  # "no_resident" | "not_saved"

    def quantity(self, item: str) -> int:
        return dict(self.quantities).get(item, 0)

    def changed(self, item: str, delta: int) -> GroceryOrder:
        if item not in ICON_OF:
            raise KeyError(f"no grocery tile {item!r}")
        counts = dict(self.quantities)
        counts[item] = max(0, min(MAX_QUANTITY, counts.get(item, 0) + delta))
        ordered = tuple((key, counts[key]) for key in ITEMS if counts.get(key, 0) > 0)
        return replace(self, quantities=ordered, failure=None)

    def with_spoken(self, item: str, count: int) -> GroceryOrder:
        """An item said aloud: on its tile when it has one, else as an extra line."""
        if item in ICON_OF:
            return self.changed(item, count)
        if item not in item_units():
            raise KeyError(f"no grocery item {item!r}")
        counts = dict(self.extras)
        counts[item] = max(1, min(MAX_QUANTITY, counts.get(item, 0) + count))
        return replace(self, extras=tuple(counts.items()), failure=None)

    @property
    def empty(self) -> bool:
        return not self.quantities and not self.extras

    @property
    def stored(self) -> bool:
        return self.record_id is not None

    def lines(self) -> list[tuple[str, Decimal, str]]:
        """(canonical item, quantity, Chinese unit): a GroceryItem each."""
        return [(key, Decimal(count), unit_of(key))
                for key, count in (*self.quantities, *self.extras)]


def line_text(translator: Translator, lang: Lang, item: str, quantity: Any,
              unit: str) -> str:
    """"鸡蛋 2 斤" / "Eggs 2 jin" / "계란 2근"."""
    unit_key = UNIT_KEYS.get(unit)
    unit_words = translator.text(f"grocery.unit.{unit_key}", lang) if unit_key else unit
    if item in ICON_OF:
        name = translator.text(f"grocery.item.{item}", lang)
    else:  # a spoken item without a tile: its name from the intents, else the key itself
        name = spoken_names(Lang(lang)).get(item) or spoken_names(Lang.ZH).get(item, item)
    return translator.text("grocery.line", lang, name=name, quantity=quantity, unit=unit_words)


def items_text(translator: Translator, lang: Lang,
               lines: list[tuple[str, Any, str]]) -> str:
    """"鸡蛋 2 斤，大米 1 袋" (the read-back, and the requests list)."""
    separator = translator.text("grocery.separator", lang)
    return separator.join(line_text(translator, lang, *line) for line in lines)


def readback(translator: Translator, lang: Lang, order: GroceryOrder) -> str:
    return translator.text("grocery.readback", lang,
                           items=items_text(translator, lang, order.lines()))


class GroceriesScreen(KioskScreen):
    """Six item tiles with + / -, and Next / More / My requests / Home."""

    def item(self, slot: int, page: int) -> str:
        """The item key of tile `slot` on `page` ("" for an empty slot)."""
        items = PAGES[page]
        return items[slot][0] if slot < len(items) else ""

    def icon(self, slot: int, page: int) -> str:
        items = PAGES[page]
        return items[slot][1] if slot < len(items) else ""

    def amount(self, item: str, order: GroceryOrder, lang: str) -> str:
        if not item:
            return ""
        count = order.quantity(item)
        unit_key = UNIT_KEYS[unit_of(item)]
        return f"{count} {self.tr(f'grocery.unit.{unit_key}', lang)}"

    def item_name(self, item: str, lang: str, other: bool = False) -> str:
        if not item:
            return ""
        key = f"grocery.item.{item}"
        return self.tr_other(key, lang) if other else self.tr(key, lang)

    def hint(self, order: GroceryOrder, notice: str, lang: str) -> str:
        return notice or self.tr("grocery.choose_hint", lang)

    @staticmethod
    def page_count() -> int:
        return len(PAGES)


class GroceryConfirmScreen(KioskScreen):
    """The read-back: "您要买：鸡蛋 2 斤，大米 1 袋。对吗？" with 对 / 不对."""

    def question(self, order: GroceryOrder, lang: str, other: bool = False) -> str:
        translator = self.controller.translator
        chosen = other_language(Lang(lang)) if other else Lang(lang)
        return readback(translator, chosen, order)


class GrocerySentScreen(KioskScreen):
    """After "对": saving, saved (and whether it has reached the community), or why not."""

    def headline(self, order: GroceryOrder, lang: str) -> str:
        return self.saving_headline("grocery", order, lang)

    def items(self, order: GroceryOrder, lang: str) -> str:
        return items_text(self.controller.translator, Lang(lang), order.lines())


    def progress(self, order: GroceryOrder, requests: Any, lang: str) -> str:
        if not order.stored:
            return ""
        return self.controller.order_progress(order.record_id, lang)
