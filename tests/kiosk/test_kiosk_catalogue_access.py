"""SENIOR_UX's numbers on the activity, points and feedback screens, in every language and
at text size 1.5; their catalogue keys complete in every language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from catalogue_seed import demo_activities, demo_rewards, points_entry, pull, request_status
from kiosk_checks import check_screen
from test_kiosk_groceries_flow import RESIDENT, add_resident

from kiosk.i18n import Lang, load_catalogue
from kiosk.screens.activities import WEEKDAYS
from kiosk.screens.feedback import QUICK_COMMENTS
from sync.records import GroceryDetails, GroceryItem, RecordKind, ServiceRequest

KIOSK_DIR = Path(__file__).resolve().parents[2] / "kiosk"
NEW_KEYS = re.compile(
    r"""["']((?:activity|activity_say|points|points_say|feedback|feedback_say)\.[a-z_.]+)["']""")


def catalogue_screens(kiosk: Any, store: Any) -> list[tuple[str, Any]]:
    controller = kiosk.controller
    seen = []

    def look(state: str) -> None:
        kiosk.frames(3)
        seen.append((state, check_screen(kiosk.screen)))

    controller.open_activities()
    look("activities_none")
    pull(store, *demo_activities(), points_entry(RESIDENT, 120, 120, "社区志愿活动 volunteering"),
         *demo_rewards())
    controller.open_activities()
    look("activities")
    kiosk.tap("activity_0")
    look("activity_confirm")
    kiosk.tap("activity_yes")
    kiosk.until(lambda: controller.activity_booking.stored and controller.requests, what="booked")
    look("activity_sent")

    kiosk.tap("home")
    kiosk.tap("points")
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    look("points")
    kiosk.tap("redeem")
    kiosk.until(lambda: controller.wallet.loaded, what="points read")
    kiosk.tap("reward_2")  # 200 of 120: refused, the words shown on the rewards screen
    look("rewards_not_enough")
    kiosk.tap("reward_1")
    look("reward_confirm")
    kiosk.tap("reward_yes")
    kiosk.until(lambda: controller.wallet.stored, what="redeemed")
    look("reward_sent")

    record_id = store.create_record(RecordKind.SERVICE_REQUEST, ServiceRequest(
        resident_id=RESIDENT, details=GroceryDetails(items=[GroceryItem(
            name="eggs", quantity=2, unit="斤")])))
    pull(store, request_status(record_id, "delivered"))
    controller.open_requests()
    kiosk.until(lambda: any(kiosk.screen.ids[f"row{n}"].rateable for n in range(3)),
                what="a rate button")
    look("requests_rateable")
    kiosk.tap(f"rate_{record_id}")
    kiosk.tap("star_four")
    kiosk.tap("comment_on_time")
    look("feedback")
    kiosk.tap("feedback_send")
    kiosk.until(lambda: controller.rating.stored, what="rated")
    look("feedback_thanks")
    return seen


@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("lang", list(Lang))
def test_catalogue_screens_meet_the_senior_rules(kiosk: Any, store: Any, lang: Lang,
                                                 scale: float) -> None:
    add_resident(store)
    kiosk.until(lambda: kiosk.controller.resident_id() == RESIDENT, what="resident")
    kiosk.controller.set_language(lang)
    kiosk.controller.set_font_scale(scale)
    results = catalogue_screens(kiosk, store)
    problems = [p for _, findings in results for p in findings.problems]
    assert problems == [], "\n".join(problems)
    by_state = dict(results)
    assert by_state["activities"].primary_buttons == 6  # three cards, more, my requests, home
    assert by_state["activities_none"].primary_buttons == 2
    assert by_state["activity_confirm"].primary_buttons == 3
    assert by_state["points"].primary_buttons == 3
    assert by_state["rewards_not_enough"].primary_buttons == 5  # three cards, my points, home
    assert by_state["reward_sent"].primary_buttons == 2
    assert by_state["feedback"].primary_buttons == 2
    assert by_state["feedback"].buttons >= 2 + 5 + 4 + 1  # and five stars, four words, repeat
    assert by_state["requests_rateable"].buttons >= 2 + 1 + 1  # the rate button is checked too
    assert all(findings.labels >= 2 for _, findings in results)
    assert not kiosk.controller.translator.missing


def test_every_new_key_is_in_each_catalogue() -> None:
    used: set[str] = set()
    for path in [*KIOSK_DIR.rglob("*.py"), *KIOSK_DIR.rglob("*.kv")]:
        used.update(NEW_KEYS.findall(path.read_text(encoding="utf-8")))
    assert {"activity.readback", "points.not_enough", "feedback.thanks"} <= used
    # Keys built at run time.
    used |= {f"activity.weekday.{day}" for day in WEEKDAYS}
    used |= {f"activity.period.{p}" for p in ("early", "morning", "noon", "afternoon", "evening")}
    used |= {f"feedback.comment.{c}" for c in QUICK_COMMENTS}
    used |= {f"activity.{f}" for f in ("no_resident", "not_saved")}
    used |= {f"points.{f}" for f in ("no_resident", "not_saved", "received", "refused",
                                      "refused_other", "sent", "not_sent")}
    used |= {"feedback.already", "feedback.not_saved"}
    for lang in Lang:
        missing = {key for key in used if not key.endswith(".")} - set(load_catalogue(lang))
        assert not missing, f"{lang} lacks {sorted(missing)}"


def test_the_words_render_without_tofu(kiosk: Any) -> None:
    from kiosk.fonts import tofu_characters

    text = "".join(v for lang in Lang for k, v in load_catalogue(lang).items()
                   if k.startswith(("activity", "points", "feedback")))
    assert tofu_characters(text + "★☆·") == []
