"""Activity booking, points redemption and rating a finished service through real touches,
checked in the real local store and its outbox."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from catalogue_seed import (
    CLEANING,
    RICE,
    TAICHI,
    WEEKDAY_ZH,
    demo_activities,
    demo_rewards,
    local_at,
    points_entry,
    pull,
    request_status,
)
from sqlalchemy import text
from test_kiosk_groceries_flow import RESIDENT, add_resident

from sync.records import GroceryDetails, GroceryItem, RecordKind, ServiceRequest


def outbox(store: Any, kind: str) -> list[dict[str, Any]]:
    """Outbox items of `kind` as the sync engine would push them (payloads)."""
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT envelope FROM outbox WHERE kind = :kind ORDER BY seq"),
                            {"kind": kind}).all()
    return [json.loads(envelope)["payload"] for (envelope,) in rows]


@pytest.fixture
def resident_kiosk(kiosk: Any, store: Any) -> Any:
    add_resident(store)
    kiosk.until(lambda: kiosk.controller.resident_id() == RESIDENT, what="resident known")
    return kiosk


# --- activities ------------------------------------------------------------------------------


def test_booking_an_activity_reads_it_back_and_stores_one_request(
        resident_kiosk: Any, store: Any) -> None:
    kiosk, controller = resident_kiosk, resident_kiosk.controller
    pull(store, *demo_activities())
    controller.open_activities()
    kiosk.frames(3)
    assert kiosk.root.current == "activities"
    weekday = WEEKDAY_ZH[local_at(3, 9).weekday()]
    card = kiosk.screen.ids.card0
    assert list(card.texts[1:4]) == ["太极拳", f"{weekday}上午九点", "社区活动室"]
    assert card.texts[4] == "Tai chi"  # the second language on the card
    # Spoken: the first three activities with their times.
    assert controller.speech.said[-1].startswith(f"报名活动。最近的活动有：太极拳，{weekday}上午九点，书法班，")
    assert kiosk.screen.ids.card2.texts[1] == "健康讲座"

    kiosk.tap("activity_0")
    assert kiosk.root.current == "activity_confirm"
    question = f"报名：太极拳，{weekday}上午九点，社区活动室。对吗？"
    assert kiosk.screen.ids.question.text == question
    assert controller.speech.said[-1] == question
    kiosk.tap("activity_yes")
    kiosk.until(lambda: controller.activity_booking.stored, what="booking stored")
    assert kiosk.root.current == "activity_sent"

    [payload] = outbox(store, "service_request")
    assert payload == {"resident_id": str(RESIDENT), "details": {
        "type": "activity_booking", "activity_id": str(TAICHI), "activity_name": "太极拳"}}
    kiosk.until(lambda: controller.requests, what="request read back")
    assert kiosk.screen.ids.progress.text == "还没送到社区，连上后会自动送去"
    assert controller.speech.said[-1] == "已经报上名了。还没送到社区，连上后会自动送去"

    # Back to the list: the card says it is booked, and a second tap books nothing.
    kiosk.tap("activities")
    assert "已报名" in kiosk.screen.ids.card0.texts[3]
    kiosk.tap("activity_0")
    assert kiosk.root.current == "activities"
    assert controller.speech.said[-1] == "您已经报名了太极拳，不用再报。"
    assert len(outbox(store, "service_request")) == 1
    # My requests shows it by name.
    kiosk.tap("my_requests")
    kiosk.until(lambda: kiosk.screen.ids.row0.texts[0], what="a request row")
    assert list(kiosk.screen.ids.row0.texts[:2]) == ["报名活动", "太极拳"]


def test_no_means_no_booking_and_the_next_page_shows_the_rest(resident_kiosk: Any,
                                                               store: Any) -> None:
    kiosk, controller = resident_kiosk, resident_kiosk.controller
    pull(store, *demo_activities())
    controller.open_activities()
    kiosk.tap("activity_1")
    assert controller.activity_booking.chosen.name("zh") == "书法班"
    assert "下午两点半" in kiosk.screen.ids.question.text
    kiosk.tap("activity_change")
    assert kiosk.root.current == "activities"
    kiosk.tap("activity_page")
    assert kiosk.screen.ids.card0.texts[1] == "老年瑜伽"
    assert "晚上七点" in kiosk.screen.ids.card0.texts[2]
    assert kiosk.screen.ids.card1.texts[0] == ""  # an empty slot
    kiosk.tap("home")
    kiosk.frames(5)
    assert outbox(store, "service_request") == []


def test_no_activities_is_said_plainly(resident_kiosk: Any, store: Any) -> None:
    kiosk, controller = resident_kiosk, resident_kiosk.controller
    pull(store, *demo_activities()[:1])
    pull(store, {**demo_activities()[0], "payload": {**demo_activities()[0]["payload"],
                                                      "active": False}})  # retired
    controller.open_activities()
    kiosk.frames(3)
    assert kiosk.screen.ids.hint.text == "最近没有活动。社区有新活动，会在这里显示。"
    assert controller.speech.said[-1] == "最近没有活动。社区有新活动，会在这里显示。"


# --- points ----------------------------------------------------------------------------------


def test_redeeming_a_reward_stores_one_redemption_and_shows_what_the_community_said(
        resident_kiosk: Any, store: Any) -> None:
    kiosk, controller = resident_kiosk, resident_kiosk.controller
    pull(store, points_entry(RESIDENT, 120, 120, "社区志愿活动"), *demo_rewards())
    kiosk.tap("points")
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    assert kiosk.root.current == "points"
    assert kiosk.screen.ids.balance.text == "您有 120 分"
    assert kiosk.screen.ids.history.text == "加 120 分：社区志愿活动"
    assert controller.speech.said[-1] == "我的积分。您有 120 分。加 120 分：社区志愿活动。要用积分换东西，请点“换东西”。"

    kiosk.tap("redeem")
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    assert kiosk.root.current == "rewards"
    assert [kiosk.screen.ids[f"card{n}"].texts[1] for n in range(3)] == ["理发券", "一袋大米", "一次家政服务"]
    assert kiosk.screen.ids.card1.texts[2] == "100 分"
    kiosk.tap("reward_1")
    assert kiosk.root.current == "reward_confirm"
    assert kiosk.screen.ids.question.text == "用 100 分换：一袋大米。对吗？"
    assert controller.speech.said[-1] == "用 100 分换：一袋大米。对吗？"
    kiosk.tap("reward_yes")
    kiosk.until(lambda: controller.wallet.stored, what="redemption stored")
    assert outbox(store, "points_redemption") == [{
        "resident_id": str(RESIDENT), "catalogue_item_id": str(RICE),
        "catalogue_item_name": "一袋大米", "points": 100}]
    assert kiosk.screen.ids.progress.text == "还没送到社区，连上后会自动送去"

    # The community took it: the ledger line and "received" arrive by the pull.
    [record_id] = [controller.wallet.record_id]
    pull(store, points_entry(RESIDENT, -100, 20, "redeemed: 一袋大米"),
         request_status(record_id, "received"))
    kiosk.until(lambda: kiosk.screen.ids.progress.text == "社区已收到，积分已经扣了，会通知您去领",
                what="received words")
    assert controller.speech.said[-1] == "社区已收到，积分已经扣了，会通知您去领"
    kiosk.tap("my_points")
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    assert kiosk.screen.ids.balance.text == "您有 20 分"
    assert kiosk.screen.ids.history.text.splitlines()[0] == "减 100 分：换了一袋大米"


def test_a_reward_dearer_than_the_points_is_refused_plainly_and_nothing_is_stored(
        resident_kiosk: Any, store: Any) -> None:
    kiosk, controller = resident_kiosk, resident_kiosk.controller
    pull(store, points_entry(RESIDENT, 120, 120, "社区志愿活动"), *demo_rewards())
    controller.open_rewards()
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    kiosk.tap("reward_1")  # 100 of 120: fine
    kiosk.tap("reward_yes")
    kiosk.until(lambda: controller.wallet.stored, what="redemption stored")
    # Not yet counted by the server: only 20 points are left to spend.
    controller.open_rewards()
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    kiosk.frames(3)
    assert kiosk.screen.ids.hint.text == "您有 20 分，点一样东西来换"
    kiosk.tap("reward_2")
    assert kiosk.root.current == "rewards"
    assert kiosk.screen.ids.hint.text == "积分不够：一次家政服务要 200 分，您现在有 20 分"
    assert controller.speech.said[-1] == "积分不够。一次家政服务要 200 分，您现在有 20 分。"
    assert [p["catalogue_item_id"] for p in outbox(store, "points_redemption")] == [str(RICE)]
    assert str(CLEANING) not in json.dumps(outbox(store, "points_redemption"))


def test_a_redemption_the_server_refused_says_no_points_were_taken(resident_kiosk: Any,
                                                                  store: Any) -> None:
    kiosk, controller = resident_kiosk, resident_kiosk.controller
    pull(store, points_entry(RESIDENT, 60, 60, "社区志愿活动"), *demo_rewards())
    controller.open_rewards()
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    kiosk.tap("reward_0")
    kiosk.tap("reward_yes")
    kiosk.until(lambda: controller.wallet.stored, what="redemption stored")
    pull(store, request_status(controller.wallet.record_id, "cancelled", "insufficient_points"))
    kiosk.until(lambda: kiosk.screen.ids.progress.text == "没换成：积分不够，积分没有扣",
                what="refused words")
    assert controller.wallet.available == 60  # the refused points are free again


# --- feedback --------------------------------------------------------------------------------


def finished_grocery(store: Any, status: str = "delivered") -> uuid.UUID:
    record_id = store.create_record(RecordKind.SERVICE_REQUEST, ServiceRequest(
        resident_id=RESIDENT, details=GroceryDetails(items=[GroceryItem(
            name="eggs", quantity=2, unit="斤")])))
    pull(store, request_status(record_id, status))
    return record_id


def test_rating_a_delivered_order_stores_one_feedback_and_is_not_offered_again(
        resident_kiosk: Any, store: Any) -> None:
    kiosk, controller = resident_kiosk, resident_kiosk.controller
    record_id = finished_grocery(store)
    controller.open_requests()
    kiosk.until(lambda: kiosk.screen.ids.row0.rateable, what="a rate button")
    kiosk.tap(f"rate_{record_id}")
    assert kiosk.root.current == "feedback"
    assert kiosk.screen.ids.question.text == "这次买菜代购（鸡蛋 2 斤），您满意吗？"
    assert controller.speech.said[-1] == "评价服务。这次买菜代购（鸡蛋 2 斤），您满意吗？请点星星，五颗星最满意。"

    kiosk.tap("feedback_send")  # no stars yet: nothing stored, and it says why
    assert controller.speech.said[-1] == "请先点星星，五颗星最满意。"
    kiosk.tap("star_four")
    assert kiosk.screen.ids.count.text == "4 颗星"
    stars = [w for w in kiosk.walk() if getattr(w, "action", "").startswith("star_")]
    assert [(w.text, w.selected) for w in sorted(stars, key=lambda w: w.x)] == [
        ("★ 1", True), ("★ 2", True), ("★ 3", True), ("★ 4", True), ("☆ 5", False)]
    assert controller.speech.said[-1] == "4 颗星。好了请点“提交”。"
    for comment in ("comment_on_time", "comment_kind", "comment_kind", "comment_well_done"):
        kiosk.tap(comment)
    assert controller.speech.said[-1] == "办得好"
    assert [kiosk.find(f"comment_{c}").selected for c in ("on_time", "kind", "well_done")] == [
        True, False, True]
    kiosk.tap("feedback_send")
    kiosk.until(lambda: controller.rating.stored, what="feedback stored")
    assert kiosk.root.current == "feedback_thanks"
    assert kiosk.screen.ids.headline.text == "谢谢您的评价！"
    assert outbox(store, "feedback") == [{
        "resident_id": str(RESIDENT), "request_id": str(record_id), "stars": 4,
        "quick_comments": ["准时", "办得好"], "comment": None}]

    kiosk.tap("my_requests")
    kiosk.frames(5)
    assert not kiosk.screen.ids.row0.rateable  # rated: no more "评价"
    assert controller.open_feedback(record_id)  # asked again (by voice, say): "rated already"
    assert kiosk.root.current == "feedback_thanks"
    assert kiosk.screen.ids.headline.text == "这件事您已经评价过了"
    assert len(outbox(store, "feedback")) == 1


def test_an_unfinished_request_is_not_rated_and_voice_can_rate_and_send(
        resident_kiosk: Any, store: Any) -> None:
    kiosk, controller = resident_kiosk, resident_kiosk.controller
    claimed = finished_grocery(store, "claimed")
    controller.open_requests()
    kiosk.until(lambda: kiosk.screen.ids.row0.texts[2] == "志愿者已接单", what="claimed row")
    assert not kiosk.screen.ids.row0.rateable
    assert not controller.open_feedback(claimed)
    assert kiosk.root.current == "requests"
    assert not controller.rate_service(5)  # no rating open: nothing happens

    pull(store, request_status(claimed, "delivered"))
    kiosk.until(lambda: kiosk.screen.ids.row0.rateable, what="rate button")
    assert controller.open_feedback(claimed)
    assert controller.rate_service(5, send=True)
    kiosk.until(lambda: controller.rating.stored, what="feedback stored")
    assert [p["stars"] for p in outbox(store, "feedback")] == [5]


def test_a_booking_the_full_store_refused_says_so_and_can_be_made_again(
        resident_kiosk: Any, store: Any, full_disk: Any) -> None:
    kiosk, controller = resident_kiosk, resident_kiosk.controller
    pull(store, *demo_activities())
    disk = full_disk(store)
    disk.fill()
    controller.open_activities()
    kiosk.tap("activity_0")
    kiosk.tap("activity_yes")
    kiosk.until(lambda: controller.activity_booking.failure == "not_saved", what="refused by the full store")
    assert "报名活动" in kiosk.screen.ids.headline.text  # names the button that is there
    assert controller.speech.said[-1] == kiosk.screen.ids.headline.text
    assert outbox(store, "service_request") == []

    disk.free()
    kiosk.tap("activities")
    kiosk.tap("activity_0")  # not booked: the failed attempt left no mark
    assert kiosk.root.current == "activity_confirm"
    kiosk.tap("activity_yes")
    kiosk.until(lambda: controller.activity_booking.stored, what="booking stored")
    assert len(outbox(store, "service_request")) == 1


def test_without_a_registered_resident_no_booking_or_redemption_is_stored(
        kiosk: Any, store: Any) -> None:
    controller = kiosk.controller
    pull(store, *demo_activities(), *demo_rewards())
    controller.open_activities()
    kiosk.tap("activity_0")
    kiosk.tap("activity_yes")
    kiosk.until(lambda: controller.activity_booking.failure == "no_resident", what="refused")
    assert kiosk.screen.ids.headline.text == "本机还没有登记住户，请联系社区"
    kiosk.tap("home")
    kiosk.tap("points")
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    assert kiosk.screen.ids.balance.text == "您有 0 分"
    kiosk.tap("redeem")
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    kiosk.tap("reward_0")  # 50 points of 0: refused before anything else
    assert kiosk.screen.ids.hint.text == "积分不够：理发券要 50 分，您现在有 0 分"
    assert outbox(store, "service_request") == [] and outbox(store, "points_redemption") == []
