"""The grocery board in a real browser (Debian's chromium through Playwright, nothing
downloaded) on a phone-sized screen, against a real `linli server` and a real kiosk store:
a volunteer claims an order, sees the address, delivers, and the address is gone; the kiosk
learns each step with the volunteer's name, and the resident's rating pays the volunteer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from linli.server_process import ServerProcess, free_port
from sync import LocalStore, RetryPolicy, SyncClient, Syncer, SyncOutcome
from sync.records import Feedback, GroceryDetails, GroceryItem, RecordKind, ServiceRequest
from tests.web.conftest import PASSWORD, Community
from tests.web.test_web_browser import browser  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow

ADDRESS = "幸福路 12 号 3 单元 501"


class Kiosk:
    """The community's kiosk: its own local store and the real sync client."""

    def __init__(self, server: ServerProcess, community: Community, path: Path) -> None:
        self.store = LocalStore.open(path, community.kiosk_id)
        self.syncer = Syncer(self.store, SyncClient(server.url, community.token, connect_timeout=2,
                                                    read_timeout=20),
                             policy=RetryPolicy(base=0.01, cap=0.1, quick_tries=2, max_inline_wait=1.0))

    def sync(self) -> None:
        assert self.syncer.sync_once().outcome is SyncOutcome.SYNCED
        assert self.store.outbox_status().pending == 0


def test_a_volunteer_claims_sees_the_address_delivers_and_no_longer_sees_it(
    browser, community_db, tmp_path: Path  # noqa: F811 - the fixture
) -> None:
    db_url, community = community_db
    server = ServerProcess(db_url, free_port(), log_path=tmp_path / "server.log").start()
    kiosk = Kiosk(server, community, tmp_path / "kiosk.sqlite3")
    resident = community.east_resident
    try:
        order_id = kiosk.store.create_record(RecordKind.SERVICE_REQUEST, ServiceRequest(
            resident_id=resident, details=GroceryDetails(items=[
                GroceryItem(name="鸡蛋", quantity=Decimal(2), unit="斤"),
                GroceryItem(name="大米", quantity=Decimal(1), unit="袋")])))
        kiosk.sync()

        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{server.url}/volunteer")
        page.fill("input[name=username]", "vol")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/volunteer")

        open_card = page.locator(f"#open-{order_id}")
        assert "鸡蛋" in open_card.inner_text() and "East" in open_card.inner_text()
        assert ADDRESS not in page.content() and "王秀英" not in page.content()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        open_card.locator("button.claim").click()
        page.wait_for_url(f"{server.url}/volunteer?notice=claimed")
        held = page.locator(f"#held-{order_id}")
        assert held.locator(".address").inner_text() == ADDRESS
        assert "王秀英" in held.inner_text() and "大米" in held.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        kiosk.sync()
        (view,) = kiosk.store.requests_of(resident)
        assert (view.status.value, view.handled_by) == ("claimed", "志愿者小周")

        held.locator("button.bought").click()
        page.wait_for_url(f"{server.url}/volunteer?notice=bought")
        page.locator(f"#held-{order_id} button.delivered").click()
        page.wait_for_url(f"{server.url}/volunteer?notice=delivered")
        assert page.locator(f"#held-{order_id}").count() == 0
        assert ADDRESS not in page.content() and "王秀英" not in page.content()
        page.reload()
        assert ADDRESS not in page.content()

        kiosk.sync()
        (view,) = kiosk.store.requests_of(resident)
        assert (view.status.value, view.handled_by) == ("delivered", "志愿者小周")
        # The resident rates the delivery on the kiosk: the order is done, the volunteer paid.
        kiosk.store.create_record(RecordKind.FEEDBACK, Feedback(
            resident_id=resident, request_id=order_id, stars=5))
        kiosk.sync()
        kiosk.sync()
        (view,) = kiosk.store.requests_of(resident)
        assert view.status.value == "done"
        page.reload()
        assert page.locator("#my-points h2").inner_text().endswith("10")
        assert ADDRESS not in page.content()
        context.close()
    finally:
        kiosk.store.close()
        server.stop()
