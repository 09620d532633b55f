"""One resident's page: heart-rate chart, alarm history, wristband battery and last seen,
kiosk reachability; contact details only for staff; every view audited."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, select

from server.models import AuditEntry
from server.web.chart import heart_rate_chart
from tests.server.factories import envelope
from tests.web.conftest import Community

RATES = [62, 75, 88, 101, 93, 70]


def push(client, community: Community, *records) -> None:  # type: ignore[no-untyped-def]
    answer = client.post("/api/v1/sync/push", json={"records": list(records)},
                         headers=community.kiosk_headers)
    assert answer.json()["accepted"] == len(records), answer.text


def push_vitals(client, community: Community) -> datetime:  # type: ignore[no-untyped-def]
    start = datetime.now(timezone.utc) - timedelta(hours=3)
    push(client, community, *[
        envelope(community.kiosk_id, "vitals_sample", {
            "resident_id": str(community.east_resident), "wristband_id": str(community.east_band),
            "measured_at": (start + timedelta(minutes=10 * index)).isoformat(),
            "heart_rate": rate, "battery_percent": 90 - index,
        })
        for index, rate in enumerate(RATES)
    ])
    return start + timedelta(minutes=10 * (len(RATES) - 1))


def test_the_page_shows_heart_rate_battery_alarms_and_kiosk(
    browser_for, community: Community, server_app, migrated_engine: Engine
) -> None:
    ca = browser_for("ca")
    last = push_vitals(ca, community)
    push(ca, community, envelope(community.kiosk_id, "wristband_alert", {
        "resident_id": str(community.east_resident), "wristband_id": str(community.east_band),
        "alert": "battery_low", "phase": "started", "detected_at": last.isoformat()}))
    call = envelope(community.kiosk_id, "help_call",
                    {"resident_id": str(community.east_resident), "source": "fall"})
    push(ca, community, call)

    page = ca.get(f"/residents/{community.east_resident}").text
    polyline = re.search(r'<polyline class="hr" points="([^"]+)"', page)
    assert polyline is not None
    assert len(polyline.group(1).split()) == len(RATES)
    assert "最新心率 70 次/分" in page
    assert "85%" in page  # the newest sample's battery
    assert last.strftime("%Y-%m-%d %H:%M:%S UTC") in page  # last seen
    assert "电量低" in page  # the wristband notice
    assert "跌倒" in page and "新呼叫，待处理" in page  # the alarm in the history
    assert "连不上" in page  # the kiosk has not synced since the server started counting

    ca.get("/api/v1/sync/pull", headers=community.kiosk_headers)
    assert server_app.state.kiosks_seen.flush() == 1
    page = ca.get(f"/residents/{community.east_resident}").text
    assert "在线" in page and "连不上" not in page

    with migrated_engine.connect() as connection:
        views = connection.execute(
            select(AuditEntry.actor, AuditEntry.target).where(AuditEntry.action == "health.view")).all()
    assert views == [("account:ca", f"resident:{community.east_resident}")] * 2


def test_contact_details_are_for_staff_only(browser_for, community: Community) -> None:
    caregiver_page = browser_for("ca").get(f"/residents/{community.east_resident}").text
    staff_page = browser_for("se").get(f"/residents/{community.east_resident}").text
    assert "幸福路 12 号 3 单元 501" in staff_page and "13800000001" in staff_page
    assert "幸福路 12 号 3 单元 501" not in caregiver_page and "13800000001" not in caregiver_page


def test_a_resident_without_data_says_so(browser_for, community: Community) -> None:
    page = browser_for("cb").get(f"/residents/{community.west_resident}").text
    assert "近七天没有心率数据" in page and "没有配对手环" in page and "没有呼叫记录" in page
    assert "<polyline" not in page


def test_the_chart_scales_to_the_samples() -> None:
    start = datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)
    chart = heart_rate_chart([(start + timedelta(minutes=i), bpm) for i, bpm in enumerate([50, 150, 100])])
    assert chart is not None and chart.count == 3
    assert (chart.low, chart.high) == (40, 150)
    points = [tuple(map(float, point.split(","))) for point in chart.points.split()]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    assert xs == sorted(xs) and xs[0] < xs[-1]
    assert ys[1] < ys[2] < ys[0]  # higher rate, higher on the chart (smaller y)
    assert heart_rate_chart([]) is None
    flat = heart_rate_chart([(start, 72)])
    assert flat is not None and (flat.low, flat.high) == (40, 120)
