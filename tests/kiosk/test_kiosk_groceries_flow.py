"""Groceries and My requests through real touches, checked in the real local store."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

RESIDENT = uuid.UUID("6f1c9a52-0000-4000-8000-000000000001")


def add_resident(store: Any, seq: int = 1) -> None:
    store.apply_pull([{"seq": seq, "kind": "resident",
                       "changed_at": datetime.now(UTC).isoformat(),
                       "payload": {"resident_id": str(RESIDENT), "display_name": "李奶奶",
                                   "language": "zh"}}], next_cursor=seq)


def pull_request_status(store: Any, record_id: Any, status: str, seq: int,
                        handled_by: str | None = None) -> None:
    store.apply_pull([{"seq": seq, "kind": "request_status",
                       "changed_at": datetime.now(UTC).isoformat(),
                       "payload": {"request_id": str(record_id), "status": status,
                                   "handled_by": handled_by}}], next_cursor=seq)


def service_requests(store: Any) -> list[dict[str, Any]]:
    """Service-request outbox items as the sync engine would push them."""
    with store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT envelope, state FROM outbox WHERE kind = 'service_request' ORDER BY seq"
        )).all()
    return [{"envelope": json.loads(env), "state": state} for env, state in rows]


@pytest.fixture
def resident_kiosk(kiosk: Any, store: Any) -> Any:
    add_resident(store)
    kiosk.until(lambda: kiosk.controller.resident_id() == RESIDENT, what="resident known")
    return kiosk


def choose_eggs_and_rice(kiosk: Any) -> None:
    kiosk.tap("groceries")
    assert kiosk.root.current == "groceries"
    kiosk.tap("plus_eggs")
    kiosk.tap("plus_eggs")
    kiosk.tap("plus_rice")
    kiosk.tap("grocery_next")
    assert kiosk.root.current == "grocery_confirm"


def test_plus_plus_eggs_plus_rice_confirm_stores_one_grocery_request(
        resident_kiosk: Any, store: Any) -> None:
    kiosk = resident_kiosk
    controller = kiosk.controller
    choose_eggs_and_rice(kiosk)
    question = "您要买：鸡蛋 2 斤，大米 1 袋。对吗？"
    assert kiosk.screen.ids.question.text == question  # shown
    assert controller.speech.said[-1] == question  # and spoken
    kiosk.tap("grocery_yes")
    kiosk.until(lambda: controller.grocery.stored, what="order stored")

    requests = service_requests(store)
    assert len(requests) == 1
    assert requests[0]["state"] == "pending"
    payload = requests[0]["envelope"]["payload"]
    assert payload["resident_id"] == str(RESIDENT)
    assert payload["details"]["type"] == "grocery"
    # The voice intents' canonical keys and units (assets/intents/zh.yaml).
    assert [(i["name"], Decimal(str(i["quantity"])), i["unit"])
            for i in payload["details"]["items"]] == [
        ("eggs", Decimal(2), "斤"), ("rice", Decimal(1), "袋")]

    # Plain words: saved, and not at the community yet (no server configured).
    assert kiosk.root.current == "grocery_sent"
    kiosk.until(lambda: controller.requests, what="request read back")
    assert kiosk.screen.ids.progress.text == "还没送到社区，连上后会自动送去"
    assert controller.speech.said[-1] == "已经记下了。还没送到社区，连上后会自动送去"
    # Tapping around does not store it twice.
    kiosk.tap("home")
    assert len(service_requests(store)) == 1


def test_change_goes_back_without_storing(resident_kiosk: Any, store: Any) -> None:
    kiosk = resident_kiosk
    choose_eggs_and_rice(kiosk)
    kiosk.tap("grocery_change")
    assert kiosk.root.current == "groceries"
    # The amounts are kept for changing.
    assert kiosk.controller.grocery.quantity("eggs") == 2
    kiosk.tap("minus_eggs")
    kiosk.tap("grocery_next")
    assert kiosk.screen.ids.question.text == "您要买：鸡蛋 1 斤，大米 1 袋。对吗？"
    kiosk.tap("grocery_change")
    kiosk.tap("home")
    kiosk.frames(10)
    assert service_requests(store) == []
    assert store.outbox_status().pending == 0


def test_nothing_chosen_says_so_and_stays(resident_kiosk: Any) -> None:
    kiosk = resident_kiosk
    kiosk.tap("groceries")
    kiosk.tap("grocery_next")
    assert kiosk.root.current == "groceries"
    assert kiosk.screen.ids.hint.text == "还没有选东西，请点 ＋"
    assert kiosk.controller.speech.said[-1] == "还没有选东西。请点加号。"


def test_status_words_follow_pulled_request_status(resident_kiosk: Any, store: Any) -> None:
    kiosk = resident_kiosk
    controller = kiosk.controller
    choose_eggs_and_rice(kiosk)
    kiosk.tap("grocery_yes")
    kiosk.until(lambda: controller.grocery.stored, what="order stored")
    record_id = controller.grocery.record_id
    kiosk.tap("my_requests")
    assert kiosk.root.current == "requests"
    row = kiosk.screen.ids.row0
    kiosk.until(lambda: row.texts[2] == "还没送到社区", what="pending words")
    assert list(row.texts[:2]) == ["买菜代购", "鸡蛋 2 斤，大米 1 袋"]

    store.mark_sent([record_id])  # as a push the server accepted
    kiosk.until(lambda: row.texts[2] == "已送到社区，等待处理", what="sent words")
    pull_request_status(store, record_id, "claimed", seq=2, handled_by="小张")
    kiosk.until(lambda: row.texts[2] == "志愿者 小张 已接单", what="claimed words")
    pull_request_status(store, record_id, "bought", seq=3)
    kiosk.until(lambda: row.texts[2] == "已买好", what="bought words")
    pull_request_status(store, record_id, "delivered", seq=4)
    kiosk.until(lambda: row.texts[2] == "已送到", what="delivered words")
    controller.set_language("en")
    kiosk.until(lambda: row.texts[2] == "Delivered", what="English words")
    assert row.texts[1] == "Eggs 2 jin, Rice 1 bag"


def test_without_a_registered_resident_nothing_is_stored_and_it_says_why(
        kiosk: Any, store: Any) -> None:
    choose_eggs_and_rice(kiosk)
    kiosk.tap("grocery_yes")
    kiosk.until(lambda: kiosk.controller.grocery.failure == "no_resident", what="refused")
    assert kiosk.screen.ids.headline.text == "本机还没有登记住户，请联系社区"
    assert service_requests(store) == []


def test_an_order_the_full_store_refused_is_sent_again_by_buy_more(
        resident_kiosk: Any, store: Any, full_disk: Any) -> None:
    kiosk = resident_kiosk
    controller = kiosk.controller
    disk = full_disk(store)
    disk.fill()

    choose_eggs_and_rice(kiosk)
    kiosk.tap("grocery_yes")
    kiosk.until(lambda: controller.grocery.failure == "not_saved", what="refused by the full store")
    assert "再买菜" in kiosk.screen.ids.headline.text  # the advice names a button that is there
    assert service_requests(store) == []

    disk.free()
    kiosk.tap("buy_more")
    assert controller.grocery.quantity("eggs") == 2  # the order was kept
    kiosk.tap("grocery_next")
    kiosk.tap("grocery_yes")
    kiosk.until(lambda: controller.grocery.stored, what="order stored")
    assert len(service_requests(store)) == 1


def test_an_item_said_aloud_without_a_tile_is_ordered_too(resident_kiosk: Any,
                                                           store: Any) -> None:
    """The voice's "other": bananas have no tile; said aloud (and confirmed in the spoken
    dialogue) they are ordered with the rest."""
    from kiosk.i18n import Lang
    from kiosk.screens.groceries import readback

    kiosk = resident_kiosk
    controller = kiosk.controller
    controller.order_groceries([{"item": "eggs", "quantity": 2, "unit": "斤"},
                                {"item": "bananas", "quantity": 3, "unit": "斤"},
                                {"item": "no_such_thing", "quantity": 1, "unit": "个"}])
    kiosk.until(lambda: controller.grocery.stored, what="order stored")
    assert kiosk.root.current == "grocery_sent"
    assert readback(controller.translator, Lang.ZH, controller.grocery) == \
        "您要买：鸡蛋 2 斤，香蕉 3 斤。对吗？"
    [request] = service_requests(store)
    items = request["envelope"]["payload"]["details"]["items"]
    assert [(item["name"], item["quantity"], item["unit"]) for item in items] == [
        ("eggs", "2", "斤"), ("bananas", "3", "斤")]


def test_spoken_item_names_come_from_each_languages_intents() -> None:
    from kiosk.i18n import Lang, Translator
    from kiosk.screens.groceries import GroceryOrder, items_text

    order = GroceryOrder().with_spoken("bananas", 2).with_spoken("bananas", 1)
    assert order.extras == (("bananas", 3),) and not order.empty
    translator = Translator()
    assert items_text(translator, Lang.ZH, order.lines()) == "香蕉 3 斤"
    assert "banana" in items_text(translator, Lang.EN, order.lines()).lower()
    with pytest.raises(KeyError):
        GroceryOrder().with_spoken("no_such_thing", 1)
