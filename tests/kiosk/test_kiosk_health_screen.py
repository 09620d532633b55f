"""My health from vitals written into a real store, and from a virtual wristband on the
simulated radio through the real wristband service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kiosk_harness import make_kiosk

from kiosk.health_actions import local_midnight
from kiosk.theme import current
from sync import NewRecord
from sync.records import RecordKind, VitalsSample, WristbandAlert

RESIDENT = uuid.UUID("6f1c9a52-0000-4000-8000-0000000000b1")
WRISTBAND = uuid.UUID("6f1c9a52-0000-4000-8000-0000000000b2")
BAND = "C0:4C:1A:00:00:01"  # devices.sim.band.band_address(1)


def add_resident(store: Any, *, band: bool) -> None:
    now = datetime.now(UTC).isoformat()
    changes = [{"seq": 1, "kind": "resident", "changed_at": now,
                "payload": {"resident_id": str(RESIDENT), "display_name": "李奶奶"}}]
    if band:
        changes.append({"seq": 2, "kind": "wristband_pairing", "changed_at": now,
                        "payload": {"wristband_id": str(WRISTBAND), "ble_address": BAND,
                                    "name": "Linli-Band-01", "resident_id": str(RESIDENT)}})
    store.apply_pull(changes, next_cursor=len(changes))


def minutes_ago(minutes: float) -> datetime:
    """A moment today, in the same order as the minutes at any hour the test runs: just
    after midnight the moments before it become the first seconds of the day, earlier
    minutes first (clamping all to one instant would draw every point at one x)."""
    now = datetime.now(UTC)
    first_seconds = local_midnight(now) + timedelta(seconds=max(1.0, 61 - minutes))
    return max(now - timedelta(minutes=minutes), first_seconds)


def write_vitals(store: Any, samples: list[tuple[datetime, int | None, int | None]]) -> None:
    store.create_records([NewRecord(RecordKind.VITALS_SAMPLE, VitalsSample(
        resident_id=RESIDENT, wristband_id=WRISTBAND, measured_at=at, heart_rate=bpm,
        battery_percent=battery)) for at, bpm, battery in samples])


def write_alert(store: Any, alert: str, phase: str, value: float) -> None:
    store.create_record(RecordKind.WRISTBAND_ALERT, WristbandAlert(
        resident_id=RESIDENT, wristband_id=WRISTBAND, alert=alert, phase=phase,
        detected_at=datetime.now(UTC), value=value))


def open_health(kiosk: Any) -> None:
    kiosk.tap("health")
    assert kiosk.root.current == "health"
    kiosk.until(lambda: kiosk.controller.health.loaded, what="first health reading")


def test_stored_vitals_show_now_today_and_a_low_battery(kiosk: Any, store: Any) -> None:
    add_resident(store, band=True)
    write_vitals(store, [(minutes_ago(40), 64, 30), (minutes_ago(30), 88, 25),
                         (minutes_ago(20), 70, 22), (minutes_ago(1), 75, 15)])
    open_health(kiosk)
    ids = kiosk.screen.ids
    assert ids.heart.text == "现在心跳：每分钟 75 次"
    assert ids.today.text == "今天最低每分钟 64 次，最高 88 次"
    # No wristband service on this kiosk: the band is not connected, and needs charging.
    assert ids.band.text == "手环没有连上，手环电量低，请充电"
    assert tuple(ids.band_panel.bg_color) == current().palette.warning
    # Nothing alarming without a reason: no heart alert, no red.
    assert tuple(ids.heart_panel.bg_color) == current().palette.background
    assert kiosk.controller.speech.said[-1] == (
        "我的健康。现在心跳：每分钟 75 次。今天最低每分钟 64 次，最高 88 次。"
        "手环没有连上，手环电量低，请充电。")

    # The line: four points left to right, the 88 highest and the 64 lowest.
    plotted = ids.trend.plotted()
    assert len(plotted) == 4
    xs = [x for x, _ in plotted]
    ys = [y for _, y in plotted]
    assert xs == sorted(xs) and xs[0] < xs[-1]
    assert ys.index(max(ys)) == 1 and ys.index(min(ys)) == 0
    trend = ids.trend
    assert all(trend.x <= x <= trend.right and trend.y <= y <= trend.top for x, y in plotted)
    assert ids.start.text and ids.end.text


def test_a_yesterday_sample_is_not_today_and_an_old_one_is_not_now(kiosk: Any,
                                                                    store: Any) -> None:
    add_resident(store, band=True)
    midnight = local_midnight(datetime.now(UTC))
    write_vitals(store, [(midnight - timedelta(hours=2), 140, 80)])
    open_health(kiosk)
    assert kiosk.screen.ids.today.text == "今天还没有心跳记录"
    assert kiosk.screen.ids.heart.text == "现在没有心跳数据"
    assert kiosk.controller.health.trend == ()


def test_red_only_while_the_wristband_rules_hold_a_heart_alert(kiosk: Any, store: Any) -> None:
    add_resident(store, band=True)
    write_vitals(store, [(minutes_ago(1), 130, 90)])
    write_alert(store, "heart_rate_high", "started", 130)
    open_health(kiosk)
    ids = kiosk.screen.ids
    assert ids.heart.text == "心跳一直偏快（每分钟 130 次），请坐下休息"
    assert tuple(ids.heart_panel.bg_color) == current().palette.help
    write_alert(store, "heart_rate_high", "ended", 90)
    kiosk.until(lambda: not kiosk.controller.health.alerts, what="the alert ended")
    assert tuple(ids.heart_panel.bg_color) == current().palette.background
    assert ids.heart.text == "现在心跳：每分钟 130 次"


def test_no_band_and_no_resident_are_said_plainly(kiosk: Any, store: Any) -> None:
    open_health(kiosk)
    assert kiosk.screen.ids.heart.text == "本机还没有登记住户，请联系社区"
    kiosk.tap("home")
    add_resident(store, band=False)
    kiosk.until(lambda: kiosk.controller.resident_id() == RESIDENT, what="resident")
    open_health(kiosk)
    assert kiosk.screen.ids.band.text == "您还没有配对手环，请找社区工作人员"
    assert kiosk.screen.ids.heart.text == "现在没有心跳数据"
    assert "您还没有配对手环" in kiosk.controller.speech.said[-1]


def test_english_and_korean_words(kiosk: Any, store: Any) -> None:
    add_resident(store, band=True)
    write_vitals(store, [(minutes_ago(2), 66, 80)])
    open_health(kiosk)
    kiosk.controller.set_language("en")
    kiosk.frames(3)
    assert kiosk.screen.ids.heart.text == "Heart rate now: 66 a minute"
    assert kiosk.screen.ids.band.text == "Wristband not connected, Wristband battery 80%"
    kiosk.controller.set_language("ko")
    kiosk.frames(3)
    assert kiosk.screen.ids.heart.text == "지금 심박수: 1분에 66번"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_virtual_wristband_shows_live_heart_rate_and_battery(store: Any,
                                                              manual_time: Any) -> None:
    from kiosk.wiring import simulated_wristbands

    add_resident(store, band=True)  # the simulator's band 1, worn by our resident
    kiosk = make_kiosk(store, manual_time, wristbands=simulated_wristbands(1))
    controller = kiosk.controller
    try:
        kiosk.until(lambda: controller.status.bands_connected == 1, timeout=20,
                    what="the virtual band connected")
        band = controller.wristband_service.fleet[0]
        assert band.address == BAND
        controller.background.submit(band.set_heart_rate(81)).result(timeout=5)
        controller.background.submit(band.set_battery(12)).result(timeout=5)
        open_health(kiosk)
        kiosk.until(lambda: controller.health.heart_rate == 81
                    and controller.health.battery == 12, timeout=10, what="live reading")
        kiosk.frames(3)
        assert kiosk.screen.ids.heart.text == "现在心跳：每分钟 81 次"
        assert kiosk.screen.ids.band.text == "手环已连上，手环电量低，请充电"
    finally:
        kiosk.close()


def test_a_heart_alert_without_a_recent_sample_names_the_rate_that_raised_it(
        kiosk: Any, store: Any) -> None:
    add_resident(store, band=True)
    write_alert(store, "heart_rate_low", "started", 41)
    open_health(kiosk)
    assert kiosk.screen.ids.heart.text == "心跳一直偏慢（每分钟 41 次），请坐下休息"
    assert tuple(kiosk.screen.ids.heart_panel.bg_color) == current().palette.help
