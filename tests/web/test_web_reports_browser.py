"""Points and the weekly report in Debian's chromium (Playwright, executable_path), against a
real `linli server` process: staff hand out a redemption on a phone-sized screen, and the
report's charts are drawn and fit the screen."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests

from linli.server_process import ServerProcess, free_port
from server.db import create_db_engine, session_scope
from server.services import points
from tests.server.factories import envelope
from tests.web.conftest import PASSWORD
from tests.web.test_web_browser import browser  # noqa: F401  (the chromium fixture)

pytestmark = pytest.mark.slow


def test_staff_hand_out_a_redemption_and_read_the_weekly_report(
    browser, community_db, tmp_path: Path  # noqa: F811
) -> None:
    db_url, community = community_db
    engine = create_db_engine(db_url)
    with session_scope(engine) as session:
        points.credit_points(session, community.east_resident, 150, "volunteering", actor="test")
    engine.dispose()
    server = ServerProcess(db_url, free_port(), log_path=tmp_path / "server.log").start()
    try:
        record = envelope(community.kiosk_id, "points_redemption", {
            "resident_id": str(community.east_resident), "catalogue_item_id": "rice",
            "catalogue_item_name": "一袋大米", "points": 100})
        repair = envelope(community.kiosk_id, "service_request", {
            "resident_id": str(community.east_resident), "details": {"type": "repair", "what": "water"}})
        rating = envelope(community.kiosk_id, "feedback", {
            "resident_id": str(community.east_resident), "request_id": repair["id"], "stars": 2,
            "quick_comments": ["太慢了"]})
        pushed = requests.post(f"{server.url}/api/v1/sync/push", json={"records": [record, repair, rating]},
                               headers=community.kiosk_headers, timeout=10)
        assert pushed.json()["accepted"] == 3

        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{server.url}/points")
        page.fill("input[name=username]", "se")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/points")
        row = page.locator(f"tr.redemption[data-record='{uuid.UUID(record['id'])}']")
        assert "王秀英" in row.inner_text()
        row.locator("button.primary").click()
        page.wait_for_url(f"{server.url}/points?done=handed_out")
        assert page.locator("#notice").inner_text() == "已标记为已领取。"
        assert page.locator("tr.redemption").count() == 0
        assert page.locator("#balances .balance").first.inner_text() == "50"

        page.goto(f"{server.url}/satisfaction")
        charts = page.locator("svg.bar-chart")
        assert charts.count() == 3  # per type, grid and month
        box = charts.first.bounding_box()
        assert box is not None and 0 < box["width"] <= 390
        assert "2.00" in page.locator("#by-type").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(tmp_path / "satisfaction.png"), full_page=True)

        page.click("text=每周报告")
        page.wait_for_url(f"{server.url}/reports/weekly")
        assert page.locator("#pdf").get_attribute("href").startswith("/reports/weekly.pdf?week=")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        context.close()
    finally:
        server.stop()
