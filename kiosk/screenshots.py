"""`linli kiosk --screenshots DIR`: every screen built so far, in each language, as PNG files.

Runs the real screens on a throw-away store with a made-up community phone number, a
stopped clock (the countdown shows its first second) and a fake acknowledgement.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from kiosk.i18n import Lang
from kiosk.theme import FONT_SCALES

if TYPE_CHECKING:
    from collections.abc import Callable

    from kiosk.offscreen import OffscreenKiosk

log = logging.getLogger(__name__)

DEMO_PHONE = "010-6512 3456"
DEMO_CAREGIVER = "王护士"
DEMO_RESIDENT = uuid.UUID("00000000-0000-4000-8000-000000000001")
DEMO_VOLUNTEER = "小张"
DEMO_FAMILY = ("张丽", "王强")
DEMO_WRISTBAND = uuid.UUID("00000000-0000-4000-8000-000000000002")


class StoppedClock:
    """Monotonic time that moves only when told: screenshots show a chosen second."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class ScreenshotRun:
    files: list[Path] = field(default_factory=list)
    first_frame_s: float | None = None


def _seed(store: object, kiosk_id: uuid.UUID) -> None:
    from sync.records import ChangeKind

    now = datetime.now(UTC).isoformat()
    store.apply_pull(  # type: ignore[attr-defined]
        [{"seq": 1, "kind": ChangeKind.KIOSK_INFO.value, "changed_at": now,
          "payload": {"kiosk_id": str(kiosk_id), "name": "3号楼大厅",
                      "community_phone": DEMO_PHONE}},
         {"seq": 2, "kind": ChangeKind.RESIDENT.value, "changed_at": now,
          "payload": {"resident_id": str(DEMO_RESIDENT), "display_name": "李奶奶",
                      "caregivers": list(DEMO_FAMILY)}},
         {"seq": 3, "kind": ChangeKind.WRISTBAND_PAIRING.value, "changed_at": now,
          "payload": {"wristband_id": str(DEMO_WRISTBAND), "ble_address": "C0:4C:1A:00:00:01",
                      "name": "Linli-Band-01", "resident_id": str(DEMO_RESIDENT)}}],
        next_cursor=3,
    )
    _seed_vitals(store)


def _seed_vitals(store: object) -> None:
    """A made-up morning of heart rates, ending a minute ago (the health screen's line)."""
    import math
    from datetime import timedelta

    from kiosk.health_actions import local_midnight
    from sync import NewRecord
    from sync.records import RecordKind, VitalsSample

    now = datetime.now(UTC)
    start = max(local_midnight(now) + timedelta(minutes=1), now - timedelta(hours=3))
    steps = max(2, min(36, int((now - start).total_seconds() // 300)))
    samples = []
    for n in range(steps):
        at = start + (now - timedelta(minutes=1) - start) * n / (steps - 1)
        bpm = round(72 + 10 * math.sin(n / 4) + (8 if 10 <= n <= 14 else 0))
        samples.append(NewRecord(RecordKind.VITALS_SAMPLE, VitalsSample(
            resident_id=DEMO_RESIDENT, wristband_id=DEMO_WRISTBAND, measured_at=at,
            heart_rate=bpm, battery_percent=max(15, 60 - n))))
    store.create_records(samples)  # type: ignore[attr-defined]


def _claim(store: object, request_id: uuid.UUID, seq: int) -> None:
    from sync.records import ChangeKind

    store.apply_pull(  # type: ignore[attr-defined]
        [{"seq": seq, "kind": ChangeKind.REQUEST_STATUS.value,
          "changed_at": datetime.now(UTC).isoformat(),
          "payload": {"request_id": str(request_id), "status": "claimed",
                      "handled_by": DEMO_VOLUNTEER}}],
        next_cursor=seq,
    )


def _acknowledge(store: object, call_id: uuid.UUID, seq: int) -> None:
    from sync.records import ChangeKind

    store.apply_pull(  # type: ignore[attr-defined]
        [{"seq": seq, "kind": ChangeKind.HELP_CALL_STATUS.value,
          "changed_at": datetime.now(UTC).isoformat(),
          "payload": {"help_call_id": str(call_id), "state": "acknowledged",
                      "acknowledged_by": DEMO_CAREGIVER}}],
        next_cursor=seq,
    )


def take_screenshots(out_dir: Path, langs: tuple[Lang, ...] = tuple(Lang)) -> ScreenshotRun:
    from devices.events import AlertChange, AlertKind, AlertPhase
    from kiosk.controller import Controller
    from kiosk.offscreen import OffscreenKiosk
    from kiosk.screenshots_catalogue import catalogue_shots, seed_catalogue
    from kiosk.speech import RecordingSpeech
    from sync import LocalStore

    out_dir.mkdir(parents=True, exist_ok=True)
    run = ScreenshotRun()
    clock = StoppedClock()
    with tempfile.TemporaryDirectory(prefix="linli-shots-") as tmp:
        kiosk_id = uuid.uuid4()
        store = LocalStore.open(Path(tmp) / "kiosk.sqlite3", kiosk_id, synchronous="NORMAL")
        _seed(store, kiosk_id)
        seed_catalogue(store, DEMO_RESIDENT)
        controller = Controller(store, speech=RecordingSpeech(), now=clock, poll_interval=0.05)
        kiosk = OffscreenKiosk(controller)
        try:
            kiosk.until(lambda: controller.status.community_phone is not None, what="first poll")
            run.first_frame_s = kiosk.first_frame_s

            def shot(name: str) -> None:
                run.files.append(kiosk.screenshot(out_dir / f"{name}.png"))
                log.info("screenshot %s", run.files[-1])

            for n, lang in enumerate(langs):
                controller.set_language(lang)
                kiosk.until(lambda: kiosk.root.current == "home", what="home")
                shot(f"home_{lang}")
                controller.set_font_scale(FONT_SCALES[-1])
                shot(f"home_{lang}_text150")
                controller.set_font_scale(FONT_SCALES[0])

                kiosk.tap("help")
                shot(f"help_countdown_{lang}")
                clock.now += controller.flow.sos_seconds + 0.1
                kiosk.until(lambda: controller.alarm.saved and controller.offline,
                            what="help call stored")
                shot(f"help_alarm_offline_{lang}")
                call_id = controller.alarm.help_call_id
                assert call_id is not None
                _acknowledge(store, call_id, seq=2 + n)
                kiosk.until(lambda: controller.alarm.acknowledged, what="acknowledgement")
                shot(f"help_alarm_acknowledged_{lang}")
                kiosk.tap("done")

                controller.on_wristband_alert(AlertChange(
                    band="AA:BB:CC:00:00:01", kind=AlertKind.FALL_COUNTDOWN_STARTED,
                    phase=AlertPhase.STARTED, at=0.0, detected_at=datetime.now(UTC),
                    deadline=30.0))
                kiosk.until(lambda: kiosk.root.current == "fall", what="fall screen")
                shot(f"fall_{lang}")
                kiosk.tap("fall_ok")

                kiosk.tap("groceries")
                for item in ("plus_eggs", "plus_eggs", "plus_rice", "plus_greens"):
                    kiosk.tap(item)
                shot(f"groceries_{lang}")
                kiosk.tap("grocery_next")
                shot(f"grocery_confirm_{lang}")
                kiosk.tap("grocery_yes")
                kiosk.until(lambda: controller.grocery.stored and any(
                    view.id == controller.grocery.record_id for view in controller.requests),
                    what="grocery order stored")
                shot(f"grocery_sent_{lang}")
                if n == 0:  # a volunteer takes the first order: the list shows both words
                    _claim(store, controller.grocery.record_id, seq=100)
                kiosk.tap("my_requests")
                kiosk.until(lambda: any(view.status is not None
                                        for view in controller.requests),
                            what="request status")
                shot(f"requests_{lang}")
                kiosk.tap("home")
                _service_shots(kiosk, shot, lang)
                catalogue_shots(kiosk, store, shot, lang, n)
            _voice_who_idle(kiosk, controller, store, clock, langs, shot)
        finally:
            kiosk.close()
    return run


def _service_shots(kiosk: OffscreenKiosk, shot: Callable[[str], None], lang: Lang) -> None:
    """Services (menu, choices, read-backs, sent) and My health."""
    controller = kiosk.controller
    kiosk.tap("services")
    shot(f"services_{lang}")
    kiosk.tap("service_repair")
    shot(f"service_repair_{lang}")
    kiosk.tap("choice_water")
    shot(f"service_confirm_{lang}")
    kiosk.tap("service_yes")
    kiosk.until(lambda: controller.service.stored, what="repair stored")
    shot(f"service_sent_{lang}")
    kiosk.tap("services_more")
    kiosk.tap("service_clinic_booking")
    kiosk.tap("choice_dental")
    shot(f"clinic_confirm_{lang}")
    kiosk.tap("service_no")
    kiosk.tap("service_back")
    kiosk.tap("service_callback")
    kiosk.until(lambda: bool(controller.service.caregivers), what="caregivers")
    shot(f"service_callback_{lang}")
    kiosk.tap("choice_caregiver")
    kiosk.tap("service_yes")
    kiosk.until(lambda: controller.service.stored, what="call-back stored")
    shot(f"callback_sent_{lang}")
    kiosk.tap("home")
    kiosk.tap("health")
    kiosk.until(lambda: controller.health.loaded, what="health reading")
    shot(f"health_{lang}")
    kiosk.tap("home")
def _voice_who_idle(kiosk: object, controller: object, store: object, clock: StoppedClock,
                    langs: tuple[Lang, ...], shot: object) -> None:
    """The listening screen (a read-back question; speaking not available), who is using
    the kiosk (several residents), and the idle warning, in each language."""
    from kiosk.voice_control import VoiceView
    from sync.records import ChangeKind

    now = datetime.now(UTC).isoformat()
    names = ("王爷爷", "张阿姨", "Grace Lee", "김민수")
    store.apply_pull(  # type: ignore[attr-defined]
        [{"seq": 200 + n, "kind": ChangeKind.RESIDENT.value, "changed_at": now,
          "payload": {"resident_id": str(uuid.uuid4()), "display_name": name}}
         for n, name in enumerate(names)], next_cursor=200 + len(names))
    c: Any = controller
    k: Any = kiosk
    for lang in langs:
        c.set_language(lang)
        c.forget_resident()
        c.go_home()
        c._show("listening", spoken=None)
        question = {"zh": "我听到：买菜代购：两斤鸡蛋、一袋米。对吗？",
                    "en": "I heard: groceries: 2 dozen eggs. Is that right?",
                    "ko": "이렇게 들었어요: 장보기: 계란 2판. 맞아요?"}[lang.value]
        heard = {"zh": "对", "en": "yes", "ko": "네"}[lang.value]
        c.voice = VoiceView("waiting", question, heard,
                            ("yes", "no", "repeat", "cancel", "more_time"))
        shot(f"listening_confirm_{lang}")  # type: ignore[operator]
        c.voice = VoiceView("listening", c.text("voice.listening"), None, ("repeat", "cancel"))
        shot(f"listening_{lang}")  # type: ignore[operator]
        c.voice = VoiceView("unavailable")
        shot(f"listening_unavailable_{lang}")  # type: ignore[operator]
        k.tap("voice_home")
        k.tap("groceries")
        shot(f"who_{lang}")  # type: ignore[operator]
        k.tap(next(w for w in k.walk() if getattr(w, "action", "").startswith("resident_")))
        clock.now += c.idle_seconds + 1
        c._tick(0)
        shot(f"still_there_{lang}")  # type: ignore[operator]
        k.tap("idle_more_time")
        k.tap("home")
