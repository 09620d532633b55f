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

from kiosk.i18n import Lang
from kiosk.theme import FONT_SCALES

log = logging.getLogger(__name__)

DEMO_PHONE = "010-6512 3456"
DEMO_CAREGIVER = "王护士"
DEMO_RESIDENT = uuid.UUID("00000000-0000-4000-8000-000000000001")
DEMO_VOLUNTEER = "小张"


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
          "payload": {"resident_id": str(DEMO_RESIDENT), "display_name": "李奶奶"}}],
        next_cursor=2,
    )


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
                catalogue_shots(kiosk, store, shot, lang, n)
        finally:
            kiosk.close()
    return run
