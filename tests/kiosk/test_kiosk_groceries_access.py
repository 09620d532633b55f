"""SENIOR_UX's numbers on the groceries and My requests screens, in every language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from kiosk_checks import check_screen
from test_kiosk_groceries_flow import RESIDENT, add_resident

from kiosk.i18n import Lang, load_catalogue
from kiosk.screens.groceries import ITEMS, UNIT_KEYS, item_units

KIOSK_DIR = Path(__file__).resolve().parents[2] / "kiosk"
NEW_KEYS = re.compile(r"""["']((?:nav|grocery|grocery_say|requests)\.[a-z_.]+)["']""")


def grocery_screens(kiosk: Any) -> list[tuple[str, Any]]:
    seen = []

    def look(state: str) -> None:
        kiosk.frames(3)
        seen.append((state, check_screen(kiosk.screen)))

    kiosk.tap("groceries")
    kiosk.tap("plus_eggs")
    kiosk.tap("plus_eggs")
    kiosk.tap("plus_rice")
    look("groceries")
    kiosk.tap("grocery_page")
    look("groceries_page2")
    kiosk.tap("grocery_page")
    kiosk.tap("grocery_next")
    look("grocery_confirm")
    kiosk.tap("grocery_yes")
    kiosk.until(lambda: kiosk.controller.grocery.stored and kiosk.controller.requests,
                what="order stored")
    look("grocery_sent")
    kiosk.tap("my_requests")
    kiosk.until(lambda: kiosk.screen.ids.row0.texts[0], what="a request row")
    look("requests")
    return seen


@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("lang", list(Lang))
def test_grocery_and_request_screens_meet_the_senior_rules(kiosk: Any, store: Any,
                                                           lang: Lang, scale: float) -> None:
    add_resident(store)
    kiosk.until(lambda: kiosk.controller.resident_id() == RESIDENT, what="resident")
    kiosk.controller.set_language(lang)
    kiosk.controller.set_font_scale(scale)
    results = grocery_screens(kiosk)
    problems = [p for _, findings in results for p in findings.problems]
    assert problems == [], "\n".join(problems)
    by_state = dict(results)
    assert by_state["groceries"].primary_buttons == 4  # next, more, my requests, home
    assert by_state["groceries"].buttons >= 4 + 12 + 1  # and + / - on six tiles, repeat
    assert by_state["grocery_confirm"].primary_buttons == 3
    assert by_state["grocery_sent"].primary_buttons == 3
    assert by_state["requests"].primary_buttons == 2
    assert all(findings.labels >= 3 for _, findings in results)
    assert not kiosk.controller.translator.missing


def test_every_new_key_is_in_each_catalogue() -> None:
    used: set[str] = set()
    for path in [*KIOSK_DIR.rglob("*.py"), *KIOSK_DIR.rglob("*.kv")]:
        used.update(NEW_KEYS.findall(path.read_text(encoding="utf-8")))
    assert {"grocery.readback", "requests.not_sent", "nav.my_requests"} <= used
    # Keys built at run time: every item, unit and status word.
    used |= {f"grocery.item.{item}" for item in ITEMS}
    used |= {f"grocery.unit.{unit}" for unit in UNIT_KEYS.values()}
    used |= {f"requests.status_{s}" for s in ("received", "assigned", "in_progress",
                                              "claimed", "bought", "delivered", "done",
                                              "cancelled")}
    for lang in Lang:
        missing = {key for key in used if not key.endswith(".")} - set(load_catalogue(lang))
        assert not missing, f"{lang}.yaml lacks {sorted(missing)}"


def test_tiles_use_the_voice_intents_items_and_units() -> None:
    units = item_units()
    assert units["eggs"] == "斤" and units["rice"] == "袋"
    for item in ITEMS:
        assert item in units, f"{item} is not a canonical item of assets/intents/zh.yaml"
        assert units[item] in UNIT_KEYS, f"unit {units[item]} of {item} has no words"


def test_new_words_and_icons_render_without_tofu(kiosk: Any) -> None:
    from kiosk.fonts import tofu_characters
    from kiosk.icons import GLYPHS

    text = "".join(v for lang in Lang for k, v in load_catalogue(lang).items()
                   if k.startswith(("nav.", "grocery", "requests.")))
    assert tofu_characters(text + "".join(GLYPHS.values()) + "＋－↺") == []
