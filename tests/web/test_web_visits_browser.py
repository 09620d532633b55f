"""The visit diary in a real browser (Debian's chromium via Playwright, a real `linli server`):
a grid worker on a phone logs a home visit with the form, and the diary shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from linli.server_process import ServerProcess, free_port
from tests.web.conftest import PASSWORD
from tests.web.test_web_browser import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow


def test_a_worker_logs_a_visit_on_a_phone(browser, community_db, tmp_path: Path) -> None:  # noqa: F811
    db_url, community = community_db
    server = ServerProcess(db_url, free_port(), log_path=tmp_path / "server.log").start()
    try:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{server.url}/login")
        page.fill("input[name=username]", "se")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/console")
        page.goto(f"{server.url}/residents/{community.east_resident}")
        page.click("text=民情日记（走访记录）")
        page.wait_for_url(f"{server.url}/visits/resident/{community.east_resident}")
        page.check("input[name=needs][value=loneliness]")
        page.check("input[name=needs][value=housing]")
        page.fill("textarea[name=note]", "独居，厨房水管漏水")
        page.check("input[name=follow_up]")
        page.click("button.primary")
        page.wait_for_selector("p.ok[role=status]")
        history = page.locator("table.visits").inner_text()
        assert "独居，厨房水管漏水" in history and "精神慰藉" in history and "住房维修" in history
        assert "回访" in page.locator("#open-task").inner_text()  # the follow-up was planned
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(tmp_path / "visit_phone.png"), full_page=True)
        page.goto(f"{server.url}/visits")
        assert "1 / 10" in page.locator("#weeks-se").inner_text()
        context.close()
    finally:
        server.stop()
