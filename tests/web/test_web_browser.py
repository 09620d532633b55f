"""The console in a real browser: Debian's chromium driven by Playwright (never a downloaded
browser), against a real `linli server` process. A caregiver signs in on a phone-sized
screen, a kiosk's alarm appears live with a flashing title, and the caregiver acknowledges it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from linli.server_process import ServerProcess, free_port
from server.db import create_db_engine
from server.models import HelpCall
from tests.web.conftest import PASSWORD
from tests.web.test_web_live import kiosk_sends_alarm

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: `make deps` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def test_a_caregiver_sees_an_alarm_arrive_live_and_acknowledges_it(
    browser, community_db, tmp_path: Path
) -> None:
    db_url, community = community_db
    server = ServerProcess(db_url, free_port(), log_path=tmp_path / "server.log").start()
    try:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{server.url}/console")
        assert "/login" in page.url  # no session: the sign-in page
        page.fill("input[name=username]", "ca")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/console")
        page.wait_for_selector("#live-status.on")
        assert page.locator("article.alert").count() == 0
        # Fits a phone screen: nothing wider than the viewport.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        call_id = kiosk_sends_alarm(server, community, community.east_resident, tmp_path / "kiosk.sqlite3")
        card = page.locator(f"#alert-help_call-{call_id}")
        card.wait_for()
        assert "王秀英" in card.inner_text()
        # The title flashes while the alarm waits (the page's CSP forbids eval, so no
        # wait_for_function: Playwright's own title check polls from outside the page).
        expect(page).to_have_title(re.compile("^【新告警】"))

        card.locator("button.ack").click()
        page.wait_for_url(f"{server.url}/console")
        acknowledged = page.locator(f"#alert-help_call-{call_id}.state-acknowledged")
        acknowledged.wait_for()
        assert "张阿姨" in acknowledged.inner_text()
        assert acknowledged.locator("button.ack").count() == 0
        context.close()
    finally:
        server.stop()
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        state, by = connection.execute(
            select(HelpCall.state, HelpCall.acknowledged_by).where(HelpCall.record_id == call_id)).one()
    engine.dispose()
    assert (state, by) == ("acknowledged", "张阿姨")
