"""Who is using the kiosk: asked before the first action for one resident (not before a
call for help), the nearest wristband's resident first, and what is chosen goes on the
record."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from kiosk_people import add_residents, pair_band

from kiosk.alarm import Phase


def names_on_screen(kiosk: Any) -> list[str]:
    tiles = [w for w in kiosk.walk() if type(w).__name__ == "ResidentTile" and w.resident]
    # walk() visits children in the order they were added: top-left first.
    return [tile.resident.display_name for tile in tiles]


def test_one_resident_is_never_asked(kiosk: Any, store: Any) -> None:
    resident, = add_residents(store, "李奶奶")
    kiosk.tap("groceries")
    assert kiosk.root.current == "groceries"
    assert kiosk.controller.resident_id() == resident


def test_several_residents_are_asked_once_and_the_order_carries_the_choice(
        kiosk: Any, store: Any) -> None:
    controller = kiosk.controller
    wang, li, zhang = add_residents(store, "王爷爷", "李奶奶", "张阿姨")
    assert controller.resident_id() is None
    kiosk.tap("groceries")
    assert kiosk.root.current == "who"
    assert controller.speech.said[-1] == controller.text("who.say")
    assert sorted(names_on_screen(kiosk)) == sorted(["王爷爷", "李奶奶", "张阿姨"])
    kiosk.tap(f"resident_{li}")
    assert kiosk.root.current == "groceries"  # then what was asked for
    assert controller.resident_id() == li
    kiosk.tap("plus_eggs")
    kiosk.tap("grocery_next")
    kiosk.tap("grocery_yes")
    kiosk.until(lambda: controller.grocery.stored, what="order stored")
    assert [view.id for view in store.requests_of(li)] == [controller.grocery.record_id]
    assert store.requests_of(wang) == [] and store.requests_of(zhang) == []
    # Asked once: "my requests" and a second order do not ask again.
    kiosk.tap("my_requests")
    assert kiosk.root.current == "requests"
    kiosk.until(lambda: len(controller.requests) == 1, what="her requests listed")


def test_home_from_the_question_drops_the_request(kiosk: Any, store: Any) -> None:
    add_residents(store, "王爷爷", "李奶奶")
    kiosk.tap("groceries")
    kiosk.tap("home")
    assert kiosk.root.current == "home"
    assert kiosk.controller.resident_id() is None
    kiosk.tap("groceries")
    assert kiosk.root.current == "who"


def test_a_call_for_help_never_waits_for_the_question(kiosk: Any, store: Any,
                                                      manual_time: Any) -> None:
    add_residents(store, "王爷爷", "李奶奶")
    kiosk.tap("help")
    assert kiosk.root.current == "help_countdown"
    manual_time.advance(5.1)
    kiosk.until(lambda: kiosk.controller.alarm.saved, what="help call stored")
    assert kiosk.controller.alarm.phase is Phase.LATCHED


def test_the_resident_with_the_nearest_connected_band_comes_first(kiosk: Any,
                                                                  store: Any) -> None:
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData

    from devices.band_events import BandState
    from devices.manager import WristbandManager

    wang, li, zhang = add_residents(store, "王爷爷", "李奶奶", "张阿姨")
    bands = {"AA:BB:CC:00:00:01": (wang, -70), "AA:BB:CC:00:00:02": (li, -48),
             "AA:BB:CC:00:00:03": (zhang, -40)}
    for address, (resident, _rssi) in bands.items():
        pair_band(store, address, resident)
    manager = WristbandManager(paired=bands)
    for address, (_resident, rssi) in bands.items():
        manager._on_advertisement(  # what the scanner hands over
            BLEDevice(address, "Linli-Band", None),
            AdvertisementData("Linli-Band", {}, {}, [], None, rssi, ()))
    # Zhang's band is the strongest but not connected; Wang's and Li's are connected.
    for address in ("AA:BB:CC:00:00:01", "AA:BB:CC:00:00:02"):
        manager._set_state(manager._bands[address], BandState.CONNECTED, "test")
    assert manager.snapshot()["AA:BB:CC:00:00:02"].rssi == -48
    controller = kiosk.controller
    controller.wristband_service = SimpleNamespace(manager=manager)
    kiosk.tap("groceries")
    assert names_on_screen(kiosk) == ["李奶奶", "王爷爷", "张阿姨"]
    assert controller.who_nearest == li
    first = kiosk.find(f"resident_{li}")
    assert first.nearest_text == "手环在旁边"
    assert "手环在旁边" in [getattr(w, "text", "") for w in kiosk.walk(first)]


def test_idle_return_home_forgets_the_choice(kiosk: Any, store: Any, manual_time: Any) -> None:
    from kiosk.idle_watch import IDLE_GRACE_S

    wang, _li = add_residents(store, "王爷爷", "李奶奶")
    kiosk.tap("groceries")
    kiosk.tap(f"resident_{wang}")
    assert kiosk.controller.resident_id() == wang
    manual_time.advance(kiosk.controller.idle_seconds + 1)
    kiosk.until(lambda: kiosk.root.current == "still_there", what="idle warning")
    manual_time.advance(IDLE_GRACE_S + 1)
    kiosk.until(lambda: kiosk.root.current == "home", what="home after idle")
    assert kiosk.controller.resident_id() is None
    kiosk.tap("groceries")
    assert kiosk.root.current == "who"
