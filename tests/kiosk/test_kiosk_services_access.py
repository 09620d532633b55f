"""SENIOR_UX's numbers on the Services and My health screens, in every language, at font
scales 1.0 and 1.5; and the catalogue keys those screens build at run time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from kiosk_checks import check_screen
from test_kiosk_health_screen import BAND, RESIDENT, WRISTBAND, minutes_ago, write_vitals

from kiosk.i18n import Lang, load_catalogue
from kiosk.icons import DRAWN, GLYPHS
from kiosk.screens.services import KINDS, OPTIONS, WHEN


PHONE = "010-6512 3456"


def seed(store: Any) -> None:
    """One resident with three caregivers and a band, and the community's phone number."""
    now = datetime.now(UTC).isoformat()
    store.apply_pull([
        {"seq": 1, "kind": "resident", "changed_at": now,
         "payload": {"resident_id": str(RESIDENT), "display_name": "李奶奶",
                     "caregivers": ["张丽", "王强", "赵小红"]}},
        {"seq": 2, "kind": "wristband_pairing", "changed_at": now,
         "payload": {"wristband_id": str(WRISTBAND), "ble_address": BAND,
                     "name": "Linli-Band-01", "resident_id": str(RESIDENT)}},
        {"seq": 3, "kind": "kiosk_info", "changed_at": now,
         "payload": {"kiosk_id": str(store.kiosk_id), "name": "3号楼大厅",
                     "community_phone": PHONE}}], next_cursor=3)
    write_vitals(store, [(minutes_ago(30), 64, 60), (minutes_ago(15), 90, 50),
                         (minutes_ago(1), 72, 15)])


def service_screens(kiosk: Any) -> list[tuple[str, Any]]:
    seen = []
    controller = kiosk.controller

    def look(state: str) -> None:
        kiosk.frames(3)
        seen.append((state, check_screen(kiosk.screen)))

    kiosk.tap("services")
    look("services")
    kiosk.tap("service_repair")
    look("repair_page1")
    kiosk.tap("choice_more")
    look("repair_page2")
    kiosk.tap("choice_appliance")
    look("service_confirm")
    kiosk.tap("service_yes")
    kiosk.until(lambda: controller.service.stored and controller.requests, what="stored")
    look("service_sent")
    kiosk.tap("services_more")
    kiosk.tap("service_clinic_booking")
    look("clinic_choose")
    kiosk.tap("choice_chronic_disease")
    look("clinic_confirm")
    kiosk.tap("service_no")
    kiosk.tap("service_back")
    kiosk.tap("service_mediation")
    look("mediation_choose")
    kiosk.tap("service_back")
    kiosk.tap("service_certificate")
    look("certificate_choose")
    kiosk.tap("service_back")
    kiosk.tap("service_callback")
    kiosk.until(lambda: controller.service.caregivers, what="caregivers")
    look("callback_choose")
    kiosk.tap("choice_caregiver")
    look("callback_confirm")
    kiosk.tap("service_yes")
    kiosk.until(lambda: controller.service.stored, what="call-back stored")
    look("callback_sent")
    kiosk.tap("my_requests")
    kiosk.until(lambda: kiosk.screen.ids.row1.texts[0], what="two request rows")
    look("requests")
    kiosk.tap("home")
    kiosk.tap("health")
    kiosk.until(lambda: controller.health.loaded, what="health reading")
    look("health")
    return seen


@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("lang", list(Lang))
def test_service_and_health_screens_meet_the_senior_rules(kiosk: Any, store: Any,
                                                          lang: Lang, scale: float) -> None:
    seed(store)
    kiosk.until(lambda: kiosk.controller.resident_id() == RESIDENT, what="resident")
    kiosk.controller.set_language(lang)
    kiosk.controller.set_font_scale(scale)
    results = service_screens(kiosk)
    problems = [p for _, findings in results for p in findings.problems]
    assert problems == [], "\n".join(problems)
    by_state = dict(results)
    assert by_state["services"].primary_buttons == 6
    assert by_state["repair_page1"].primary_buttons == 6  # five and "more"
    assert by_state["repair_page2"].primary_buttons == 4  # three and "previous"
    assert by_state["certificate_choose"].primary_buttons == 5
    assert by_state["mediation_choose"].primary_buttons == 4
    assert by_state["callback_choose"].primary_buttons == 4  # three people, the centre
    assert by_state["service_confirm"].primary_buttons == 2
    assert by_state["clinic_confirm"].primary_buttons == 4
    assert by_state["service_sent"].primary_buttons == 2
    assert all(findings.buttons >= 2 for _, findings in results)  # say it again, home
    assert all(findings.labels >= 2 for _, findings in results)
    assert not kiosk.controller.translator.missing


def test_every_key_the_services_and_health_screens_build_is_in_each_catalogue() -> None:
    keys = {f"services.{kind}" for kind in KINDS}
    keys |= {f"services.choose.{kind}" for kind in KINDS}
    keys |= {f"services.readback.{kind}" for kind in KINDS}
    keys |= {f"services.say.choose_{kind}" for kind in KINDS}
    keys |= {f"services.option.{kind}.{value}" for kind, options in OPTIONS.items()
             for value, _ in options}
    keys |= {f"services.when.{when}" for when, _, _ in WHEN}
    keys |= {"services.no_resident", "services.not_saved",
             "health.alert.heart_rate_high", "health.alert.heart_rate_low"}
    keys |= {f"requests.type_{kind}" for kind in OPTIONS}
    for lang in Lang:
        missing = keys - set(load_catalogue(lang))
        assert not missing, f"{lang} lacks {sorted(missing)}"


def test_every_choice_has_a_drawn_or_font_icon() -> None:
    icons = {icon for options in OPTIONS.values() for _, icon in options}
    icons |= {icon for _, _, icon in WHEN} | {"person", "people", "phone", "next", "back"}
    assert icons <= DRAWN | set(GLYPHS)


def test_service_and_health_words_render_without_tofu(kiosk: Any) -> None:
    from kiosk.fonts import tofu_characters

    text = "".join(v for lang in Lang for k, v in load_catalogue(lang).items()
                   if k.startswith(("services.", "health.")))
    assert tofu_characters(text + "←↺") == []


@pytest.mark.parametrize("lang", list(Lang))
def test_the_refusal_words_fit_at_text_size_one_and_a_half(kiosk: Any, lang: Lang) -> None:
    """No resident registered: the longest headlines, at the largest text size."""
    controller = kiosk.controller
    controller.set_language(lang)
    controller.set_font_scale(1.5)
    kiosk.tap("services")
    kiosk.tap("service_mediation")
    kiosk.tap("choice_property_management")
    kiosk.tap("service_yes")
    kiosk.until(lambda: controller.service.failure == "no_resident", what="refused")
    kiosk.frames(3)
    findings = [check_screen(kiosk.screen)]
    # The longest failure words too (a full store), on the same screen.
    from dataclasses import replace

    controller.service = replace(controller.service, failure="not_saved")
    kiosk.frames(3)
    findings.append(check_screen(kiosk.screen))
    kiosk.tap("home")
    kiosk.tap("health")
    kiosk.until(lambda: controller.health.loaded, what="health reading")
    findings.append(check_screen(kiosk.screen))
    assert kiosk.screen.ids.heart.text == controller.text("health.no_resident")
    problems = [p for found in findings for p in found.problems]
    assert problems == [], "\n".join(problems)
