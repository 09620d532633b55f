"""Services through real touches: repair, certificate, clinic, mediation and call-back, checked
in the real local store and its outbox."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

RESIDENT = uuid.UUID("6f1c9a52-0000-4000-8000-0000000000a1")
PHONE = "010-6512 3456"


def add_resident(store: Any, caregivers: list[str] | None = None, phone: str | None = None,
                 seq: int = 1) -> None:
    changes = [{"seq": seq, "kind": "resident", "changed_at": datetime.now(UTC).isoformat(),
                "payload": {"resident_id": str(RESIDENT), "display_name": "李奶奶",
                            "language": "zh", "caregivers": caregivers or []}}]
    if phone:
        changes.append({"seq": seq + 1, "kind": "kiosk_info",
                        "changed_at": datetime.now(UTC).isoformat(),
                        "payload": {"kiosk_id": str(store.kiosk_id), "name": "3号楼大厅",
                                    "community_phone": phone}})
    store.apply_pull(changes, next_cursor=seq + len(changes) - 1)


def outbox(store: Any, kind: str) -> list[dict[str, Any]]:
    """Outbox items of `kind` as the sync engine would push them."""
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT envelope, state FROM outbox WHERE kind = :kind "
                                 "ORDER BY seq"), {"kind": kind}).all()
    return [{"envelope": json.loads(env), "state": state} for env, state in rows]


def record_count(store: Any) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM records")).scalar_one()


@pytest.fixture
def services_kiosk(kiosk: Any, store: Any) -> Any:
    add_resident(store, caregivers=["张丽", "王强"], phone=PHONE)
    kiosk.until(lambda: kiosk.controller.resident_id() == RESIDENT
                and kiosk.controller.status.community_phone == PHONE, what="resident known")
    kiosk.tap("services")
    assert kiosk.root.current == "services"
    return kiosk


def stored(kiosk: Any) -> None:
    controller = kiosk.controller
    kiosk.until(lambda: controller.service.stored and any(
        view.id == controller.service.record_id for view in controller.requests),
        what="request stored and read back")


def test_repair_water_is_three_taps_read_back_and_one_service_request(
        services_kiosk: Any, store: Any) -> None:
    kiosk = services_kiosk
    controller = kiosk.controller
    kiosk.tap("service_repair")  # 1
    assert kiosk.root.current == "service_choose"
    assert controller.speech.said[-1] == "报修。哪里坏了？请点图片。"
    kiosk.tap("choice_water")  # 2
    assert kiosk.root.current == "service_confirm"
    assert kiosk.screen.ids.question.text == "报修：水管漏水。对吗？"  # shown
    assert controller.speech.said[-1] == "报修：水管漏水。对吗？"  # and spoken
    kiosk.tap("service_yes")  # 3
    stored(kiosk)

    [item] = outbox(store, "service_request")
    assert item["state"] == "pending"
    payload = item["envelope"]["payload"]
    assert payload["resident_id"] == str(RESIDENT)
    assert payload["details"]["type"] == "repair" and payload["details"]["what"] == "water"
    # Plain words: saved, and not at the community yet (no server configured).
    assert kiosk.root.current == "service_sent"
    assert kiosk.screen.ids.headline.text == "已经记下了"
    assert kiosk.screen.ids.details.text == "报修：水管漏水"
    assert kiosk.screen.ids.progress.text == "还没送到社区，连上后会自动送去"
    assert controller.speech.said[-1] == \
        "已经记下了。报修：水管漏水。还没送到社区，连上后会自动送去"
    # Once pushed, the words say it reached the community.
    store.mark_sent([controller.service.record_id])
    kiosk.until(lambda: kiosk.screen.ids.progress.text == "已送到社区，等工作人员处理",
                what="sent words")
    assert controller.speech.said[-1] == "已送到社区，等工作人员处理"  # and said
    kiosk.tap("home")
    assert kiosk.root.current == "home"
    assert len(outbox(store, "service_request")) == 1


def test_a_repair_on_the_second_page_turns_it_with_more(services_kiosk: Any,
                                                         store: Any) -> None:
    kiosk = services_kiosk
    kiosk.tap("service_repair")
    with pytest.raises(LookupError):
        kiosk.find("choice_heating")  # six tiles at a time: five and "more"
    kiosk.tap("choice_more")
    kiosk.tap("choice_heating")
    assert kiosk.screen.ids.question.text == "报修：暖气。对吗？"
    kiosk.tap("service_yes")
    stored(kiosk)
    [item] = outbox(store, "service_request")
    assert item["envelope"]["payload"]["details"]["what"] == "heating"


def test_no_on_the_read_back_stores_nothing_and_goes_back_to_the_choices(
        services_kiosk: Any, store: Any) -> None:
    kiosk = services_kiosk
    controller = kiosk.controller
    kiosk.tap("service_certificate")
    kiosk.tap("choice_income")
    assert kiosk.screen.ids.question.text == "开证明：收入证明。对吗？"
    kiosk.tap("service_no")
    assert kiosk.root.current == "service_choose"
    assert controller.speech.said[-1] == "好的，请重新选。"
    kiosk.tap("choice_residence")
    kiosk.tap("service_no")
    kiosk.tap("home")
    kiosk.frames(10)
    assert record_count(store) == 0
    assert store.outbox_status().pending == 0


def test_certificate_is_three_taps(services_kiosk: Any, store: Any) -> None:
    kiosk = services_kiosk
    kiosk.tap("service_certificate")
    kiosk.tap("choice_elderly_card")
    kiosk.tap("service_yes")
    stored(kiosk)
    [item] = outbox(store, "service_request")
    assert item["envelope"]["payload"]["details"] == {
        "type": "certificate", "certificate": "elderly_card", "purpose": None}


@pytest.mark.parametrize(("when", "time_of_day"), [("when_soonest", "any"),
                                                   ("when_afternoon", "afternoon")])
def test_clinic_booking_is_three_taps_with_the_time_as_the_answer(
        services_kiosk: Any, store: Any, when: str, time_of_day: str) -> None:
    kiosk = services_kiosk
    controller = kiosk.controller
    kiosk.tap("service_clinic_booking")  # 1
    kiosk.tap("choice_dental")  # 2
    assert kiosk.root.current == "clinic_confirm"
    assert kiosk.screen.ids.question.text == "预约门诊：牙科。什么时候去？"
    assert controller.speech.said[-1].startswith("预约门诊：牙科。什么时候去？请点越快越好")
    kiosk.tap(when)  # 3
    stored(kiosk)
    [item] = outbox(store, "service_request")
    details = item["envelope"]["payload"]["details"]
    assert (details["type"], details["department"], details["time_of_day"]) == (
        "clinic_booking", "dental", time_of_day)


def test_clinic_no_stores_nothing(services_kiosk: Any, store: Any) -> None:
    kiosk = services_kiosk
    kiosk.tap("service_clinic_booking")
    kiosk.tap("choice_eye")
    kiosk.tap("service_no")
    assert kiosk.root.current == "service_choose"
    kiosk.frames(10)
    assert record_count(store) == 0


def test_mediation_with_the_neighbour(services_kiosk: Any, store: Any) -> None:
    kiosk = services_kiosk
    kiosk.tap("service_mediation")
    kiosk.tap("choice_neighbour")
    assert kiosk.screen.ids.question.text == "请社区调解您和邻居的矛盾。对吗？"
    kiosk.tap("service_yes")
    stored(kiosk)
    [item] = outbox(store, "service_request")
    assert item["envelope"]["payload"]["details"]["with_whom"] == "neighbour"


def test_call_back_by_a_named_caregiver_says_who_will_call(services_kiosk: Any,
                                                          store: Any) -> None:
    kiosk = services_kiosk
    controller = kiosk.controller
    kiosk.tap("service_callback")
    kiosk.until(lambda: controller.service.caregivers == ("张丽", "王强"), what="caregivers")
    tiles = [w for w in kiosk.walk() if getattr(w, "action", "") == "choice_caregiver"]
    assert [tile.first for tile in tiles] == ["张丽", "王强"]
    assert tiles[0].second == "家人 Family"
    kiosk.tap(tiles[0])
    assert kiosk.screen.ids.question.text == "请张丽给您回电话。对吗？"
    kiosk.tap("service_yes")
    stored(kiosk)
    assert outbox(store, "service_request") == []
    [item] = outbox(store, "callback_request")
    payload = item["envelope"]["payload"]
    assert (payload["resident_id"], payload["target"], payload["caregiver_name"]) == (
        str(RESIDENT), "caregiver", "张丽")
    assert kiosk.screen.ids.headline.text == "张丽会给您回电话"
    assert kiosk.screen.ids.details.text == f"社区电话 {PHONE}"
    assert controller.speech.said[-1] == f"已经记下了。张丽会给您回电话。社区电话是 {PHONE}。"


def test_call_back_by_the_service_centre(services_kiosk: Any, store: Any) -> None:
    kiosk = services_kiosk
    kiosk.tap("service_callback")
    kiosk.tap("choice_service_centre")
    assert kiosk.screen.ids.question.text == "请社区服务中心给您回电话。对吗？"
    kiosk.tap("service_yes")
    stored(kiosk)
    [item] = outbox(store, "callback_request")
    assert item["envelope"]["payload"]["target"] == "service_centre"
    assert item["envelope"]["payload"]["caregiver_name"] is None
    assert kiosk.screen.ids.headline.text == "社区服务中心会给您回电话"


def test_requests_list_the_new_kinds_in_plain_words(services_kiosk: Any, store: Any) -> None:
    kiosk = services_kiosk
    controller = kiosk.controller
    kiosk.tap("service_repair")
    kiosk.tap("choice_water")
    kiosk.tap("service_yes")
    stored(kiosk)
    kiosk.tap("services_more")
    kiosk.tap("service_callback")
    kiosk.tap("choice_service_centre")
    kiosk.tap("service_yes")
    stored(kiosk)
    kiosk.tap("my_requests")
    assert kiosk.root.current == "requests"
    kiosk.until(lambda: len(controller.requests) == 2, what="both requests")
    rows = {tuple(kiosk.screen.ids[f"row{n}"].texts[:2]) for n in range(2)}
    assert rows == {("报修", "水管漏水"), ("请人回电话", "社区服务中心会给您回电话")}
    assert "报修 水管漏水" in controller.speech.said[-1]


def test_without_a_registered_resident_nothing_is_stored_and_it_says_why(
        kiosk: Any, store: Any) -> None:
    kiosk.tap("services")
    kiosk.tap("service_mediation")
    kiosk.tap("choice_family")
    kiosk.tap("service_yes")
    kiosk.until(lambda: kiosk.controller.service.failure == "no_resident", what="refused")
    assert kiosk.screen.ids.headline.text == "本机还没有登记住户，请联系社区"
    assert record_count(store) == 0


def test_a_request_the_full_store_refused_says_so_and_can_be_sent_again(
        services_kiosk: Any, store: Any, full_disk: Any) -> None:
    kiosk = services_kiosk
    disk = full_disk(store)
    disk.fill()
    kiosk.tap("service_repair")
    kiosk.tap("choice_gas")
    kiosk.tap("service_yes")
    kiosk.until(lambda: kiosk.controller.service.failure == "not_saved", what="refused")
    assert "再办别的事" in kiosk.screen.ids.headline.text  # names the button that is there
    disk.free()
    kiosk.tap("services_more")
    kiosk.tap("service_repair")
    kiosk.tap("choice_gas")
    kiosk.tap("service_yes")
    stored(kiosk)
    assert len(outbox(store, "service_request")) == 1


def test_the_bar_and_the_title_follow_a_language_switch(services_kiosk: Any) -> None:
    kiosk = services_kiosk
    kiosk.tap("service_callback")
    kiosk.controller.set_language("en")
    kiosk.frames(3)
    bar_words = [kiosk.find(action).children[0].text for action in ("repeat", "home")]
    assert bar_words == ["↺ Say it again", "Home"]
    titles = [w.text for w in kiosk.walk() if getattr(w, "role", "") == "primary"
              and "Call me back" in w.text]
    assert titles == ["Call me back  请人回电"]
