"""The one window in Debian's chromium (Playwright, executable_path; nothing downloaded)
against a real `linli server`: on a phone-sized and a desk-sized screen a grid worker
enters a request for a resident who phoned, assigns it and closes it; no page is wider
than the screen, and an overdue request says so in words."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from linli.server_process import ServerProcess, free_port
from server.db import create_db_engine
from server.models import utcnow
from tests.web.conftest import PASSWORD
from tests.web.test_web_browser import browser  # noqa: F401 - the chromium fixture
from tests.web.work_helpers import add_staff, received_at, status_of

pytestmark = pytest.mark.slow


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 900}],
                         ids=["phone", "desk"])
def test_a_worker_enters_assigns_and_closes_a_request(
    browser, community_db, tmp_path: Path, viewport: dict  # noqa: F811
) -> None:
    db_url, community = community_db
    engine = create_db_engine(db_url)
    add_staff(engine)
    server = ServerProcess(db_url, free_port(), log_path=tmp_path / "server.log").start()
    try:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{server.url}/work")
        page.fill("input[name=username]", "se")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/work")
        assert _fits(page)

        page.click("#new-request")
        page.click(".type-choices a[href*='type=repair']")
        assert _fits(page)
        page.select_option("select[name=resident]", str(community.east_resident))
        page.check("input[name=channel][value=phone]")
        page.select_option("select[name=what]", "heating")
        page.fill("textarea[name=description]", "暖气不热")
        page.click("#new-form button[type=submit]")
        page.wait_for_selector("#actions")
        record_id = page.url.rsplit("/", 1)[1]
        assert "暖气不热" in page.inner_text("main") and _fits(page)

        page.select_option("select[name=worker_id]", label="网格员小李")
        page.click("form[action$='/assign'] button[type=submit]")
        page.wait_for_selector("#assignee:has-text('网格员小李')")
        page.fill("form[action$='/close'] input[name=note]", "修好了")
        page.click("form[action$='/close'] button[type=submit]")
        page.wait_for_selector("#outcome")
        assert "修好了" in page.inner_text("#outcome")
        assert status_of(engine, uuid.UUID(record_id)) == ("done", "网格员小李", "修好了")

        # An old open request, entered and then left: overdue, in words, at the top.
        page.goto(f"{server.url}/work/new?type=mediation")
        page.select_option("select[name=resident]", str(community.east_resident))
        page.select_option("select[name=with_whom]", "family")
        page.click("#new-form button[type=submit]")
        page.wait_for_selector("#actions")
        late = uuid.UUID(page.url.rsplit("/", 1)[1])
        received_at(engine, late, utcnow() - timedelta(hours=200))
        page.goto(f"{server.url}/work")
        first = page.locator(".work-item").first
        assert first.get_attribute("id") == f"request-{late}"
        assert "已超时" in first.inner_text()
        assert _fits(page)
        context.close()
    finally:
        server.stop()
        engine.dispose()
