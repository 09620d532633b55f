"""SENIOR_UX's numbers checked on the live widget tree of every screen, in every language."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from kiosk_checks import check_screen, size_in_sp

from kiosk.i18n import Lang, load_catalogue
from kiosk.theme import FONT_SCALES

BAND = "AA:BB:CC:00:00:07"


def fall_started() -> Any:
    from devices.events import AlertChange, AlertKind, AlertPhase

    return AlertChange(band=BAND, kind=AlertKind.FALL_COUNTDOWN_STARTED,
                       phase=AlertPhase.STARTED, at=0.0, detected_at=datetime.now(UTC),
                       deadline=30.0)


def acknowledge(store: Any, call_id: uuid.UUID, by: str | None, seq: int = 1) -> None:
    store.apply_pull([{"seq": seq, "kind": "help_call_status",
                       "changed_at": datetime.now(UTC).isoformat(),
                       "payload": {"help_call_id": str(call_id), "state": "acknowledged",
                                   "acknowledged_by": by}}], next_cursor=seq)


def every_screen(kiosk: Any, store: Any, manual_time: Any) -> list[tuple[str, Any]]:
    """Walk the kiosk through each screen built so far; (state name, findings) for each."""
    controller = kiosk.controller
    seen = []

    def look(state: str) -> None:
        kiosk.frames(3)
        seen.append((state, check_screen(kiosk.screen)))

    look("home")
    kiosk.tap("help")
    look("help_countdown")
    manual_time.advance(6)
    kiosk.until(lambda: controller.alarm.saved, what="help call stored")
    look("help_alarm_offline")
    acknowledge(store, controller.alarm.help_call_id, "王护士")
    kiosk.until(lambda: controller.alarm.acknowledged, what="acknowledged")
    look("help_alarm_acknowledged")
    kiosk.tap("done")
    controller.on_wristband_alert(fall_started())
    kiosk.until(lambda: kiosk.root.current == "fall", what="fall screen")
    look("fall")
    kiosk.tap("fall_ok")
    return seen


@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("lang", list(Lang))
def test_every_screen_meets_the_senior_rules(kiosk: Any, store: Any, manual_time: Any,
                                             lang: Lang, scale: float) -> None:
    kiosk.controller.set_language(lang)
    kiosk.controller.set_font_scale(scale)
    results = every_screen(kiosk, store, manual_time)
    assert [state for state, _ in results] == [
        "home", "help_countdown", "help_alarm_offline", "help_alarm_acknowledged", "fall"]
    problems = [p for _, findings in results for p in findings.problems]
    assert problems == []
    # The checks looked at something: buttons, labels, and the primary choices.
    by_state = dict(results)
    assert by_state["home"].primary_buttons == 6
    assert by_state["help_countdown"].primary_buttons == 1
    assert by_state["fall"].primary_buttons == 2
    assert all(findings.labels >= 2 for _, findings in results)
    assert not kiosk.controller.translator.missing


def test_the_checks_catch_a_small_button_and_weak_text(kiosk: Any) -> None:
    """The rules can fail: shrink a tile and grey a label, and both are reported."""
    kiosk.frames(2)
    tile = kiosk.find("groceries")
    tile.size_hint = (None, None)
    tile.size = (80, 80)
    label = next(w for w in kiosk.walk(tile) if getattr(w, "role", "") == "primary")
    label.color = (0.5, 0.5, 0.5, 1)
    kiosk.frames(3)
    problems = check_screen(kiosk.screen).problems
    assert any("groceries" in p and "< 112 px" in p for p in problems)
    assert any("contrast" in p for p in problems)


def test_font_scale_takes_effect_at_once(kiosk: Any) -> None:
    kiosk.frames(2)
    label = next(w for w in kiosk.walk(kiosk.find("help")) if getattr(w, "role", "") == "primary")
    before_px, before_height = label.font_size, label.texture_size[1]
    kiosk.tap("text_size")  # 1.0 -> 1.25
    kiosk.tap("text_size")  # -> 1.5
    assert kiosk.controller.font_scale == FONT_SCALES[-1]
    assert label.font_size == pytest.approx(before_px * 1.5)
    assert label.texture_size[1] > before_height * 1.3  # the text really was re-rendered
    assert size_in_sp(label) == pytest.approx(before_px)  # same sp, bigger scale


def test_language_switch_relabels_every_tile(kiosk: Any) -> None:
    kiosk.tap("lang_ko")
    texts = [w.text for w in kiosk.walk(kiosk.find("help")) if getattr(w, "text", "")]
    assert "도움 요청" in texts and "呼叫帮助" in texts
    kiosk.tap("lang_en")
    texts = [w.text for w in kiosk.walk(kiosk.find("help")) if getattr(w, "text", "")]
    assert "Call for help" in texts and "呼叫帮助" in texts


def test_every_catalogue_string_renders_without_tofu(kiosk: Any) -> None:
    from kiosk.fonts import tofu_characters
    from kiosk.icons import GLYPHS
    from kiosk.screens.home import LANGUAGE_NAMES

    text = "".join("".join(load_catalogue(lang).values()) for lang in Lang)
    text += "".join(GLYPHS.values()) + "".join(LANGUAGE_NAMES.values()) + "↺×"
    assert tofu_characters(text) == []
    # The check is real: Kivy's default font draws Chinese and Korean as boxes.
    assert set(tofu_characters("呼叫 도움", font="Roboto")) == set("呼叫도움")
