"""SENIOR_UX's checks on the listening, who-is-using and still-there screens, in every
language and at the largest text size."""

from __future__ import annotations

from typing import Any

import pytest
from kiosk_checks import check_screen
from kiosk_people import add_residents

from kiosk.i18n import Lang
from kiosk.voice_control import VoiceView


def voice_states(controller: Any) -> list[tuple[str, VoiceView]]:
    prompt = controller.text("voice.heard", text="…")
    return [
        ("listening", VoiceView("listening", "请说您要办的事。", None, ("repeat", "cancel"))),
        ("confirming", VoiceView("waiting", "我听到：买菜代购：两斤鸡蛋、一袋米。对吗？", "对",
                                 ("yes", "no", "repeat", "cancel", "more_time"))),
        ("heard_nothing", VoiceView("waiting", prompt, "", ("repeat", "cancel"))),
        ("unavailable", VoiceView("unavailable")),
    ]


@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("lang", list(Lang))
def test_voice_who_and_idle_screens_meet_the_senior_rules(kiosk: Any, store: Any,
                                                         manual_time: Any, lang: Lang,
                                                         scale: float) -> None:
    controller = kiosk.controller
    add_residents(store, "王爷爷", "李奶奶", "张阿姨", "Grace Lee", "김민수", "赵叔叔", "钱阿姨")
    controller.set_language(lang)
    controller.set_font_scale(scale)
    seen: dict[str, Any] = {}

    controller._show("listening", spoken=None)
    for state, view in voice_states(controller):
        controller.voice = view
        kiosk.frames(3)
        seen[f"listening_{state}"] = check_screen(kiosk.screen)

    kiosk.tap("voice_home")
    kiosk.tap("groceries")
    assert kiosk.root.current == "who"
    kiosk.frames(3)
    seen["who"] = check_screen(kiosk.screen)
    kiosk.tap("who_more")
    kiosk.frames(3)
    seen["who_page_2"] = check_screen(kiosk.screen)
    kiosk.tap("home")

    controller.open_requests()  # any screen but home: the requests list (asks who first)
    kiosk.tap(kiosk.find(next(w.action for w in kiosk.walk()
                               if getattr(w, "action", "").startswith("resident_"))))
    assert kiosk.root.current == "requests"
    manual_time.advance(controller.idle_seconds + 1)
    controller._tick(0)
    kiosk.frames(3)
    assert kiosk.root.current == "still_there"
    seen["still_there"] = check_screen(kiosk.screen)

    problems = [p for findings in seen.values() for p in findings.problems]
    assert problems == []
    assert seen["listening_confirming"].primary_buttons == 6  # five answers and Home
    assert seen["listening_unavailable"].primary_buttons == 1
    assert seen["who"].buttons >= 6 + 2
    assert seen["still_there"].primary_buttons == 1
    assert all(findings.labels >= 2 for findings in seen.values())
    assert not controller.translator.missing
