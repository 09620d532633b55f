"""The service workflow reaching a real kiosk store: a real `linli server` process, the
kiosk's LocalStore and its real sync client; staff work in the web pages over HTTP.

A request the resident made on the kiosk is assigned, progressed and closed, and the
kiosk's "my requests" list follows; a request staff entered for the resident after a
phone call appears in that list too, takes later status changes, and can be rated.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests

from linli.server_process import ServerProcess, free_port
from server.db import create_db_engine
from sync import LocalStore, RetryPolicy, SyncClient, Syncer, SyncOutcome
from sync.records import (
    Feedback,
    RecordKind,
    RepairDetails,
    RequestStatus,
    ServiceRequest,
)
from sync.store_models import OutboxState
from tests.web.conftest import PASSWORD, csrf_of
from tests.web.work_helpers import account_id, add_staff

pytestmark = pytest.mark.slow


class Staff:
    """A signed-in browser of a staff account, posting the work pages' forms."""

    def __init__(self, base_url: str, username: str) -> None:
        self.base = base_url
        self.http = requests.Session()
        page = self.http.get(f"{base_url}/login", timeout=10)
        answer = self.http.post(f"{base_url}/login", timeout=10, allow_redirects=False, data={
            "username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)})
        assert answer.status_code == 303, answer.text
        self.token = csrf_of(self.http.get(f"{base_url}/work", timeout=10).text)

    def post(self, path: str, **data: str) -> requests.Response:
        answer = self.http.post(f"{self.base}{path}", data={"csrf_token": self.token, **data},
                                allow_redirects=False, timeout=10)
        assert answer.status_code == 303, answer.text
        return answer


def test_requests_and_their_status_reach_the_kiosks_my_requests(community_db, tmp_path: Path) -> None:
    db_url, community = community_db
    engine = create_db_engine(db_url)
    add_staff(engine)
    worker = account_id(engine, "se2")
    engine.dispose()
    server = ServerProcess(db_url, free_port(), log_path=tmp_path / "server.log").start()
    store = LocalStore.open(tmp_path / "kiosk.sqlite3", community.kiosk_id)
    syncer = Syncer(store, SyncClient(server.url, community.token, connect_timeout=2, read_timeout=20),
                    policy=RetryPolicy(base=0.01, cap=0.1, quick_tries=2, max_inline_wait=1.0))
    east = community.east_resident

    def sync() -> None:
        assert syncer.sync_once().outcome is SyncOutcome.SYNCED

    def mine(record_id: uuid.UUID):  # type: ignore[no-untyped-def]
        return next(view for view in store.requests_of(east) if view.id == record_id)

    try:
        # 1. The resident asks on the kiosk; staff move it on; the kiosk hears each step.
        own = store.create_record(RecordKind.SERVICE_REQUEST,
                                  ServiceRequest(resident_id=east, details=RepairDetails(what="water")))
        sync()
        assert mine(own).status is RequestStatus.RECEIVED
        se = Staff(server.url, "se")
        se.post(f"/work/request/{own}/assign", worker_id=str(worker))
        sync()
        assert (mine(own).status, mine(own).handled_by) == (RequestStatus.ASSIGNED, "网格员小李")
        se.post(f"/work/request/{own}/progress", note="师傅明天上午来")
        sync()
        assert (mine(own).status, mine(own).note) == (RequestStatus.IN_PROGRESS, "师傅明天上午来")
        se.post(f"/work/request/{own}/close", outcome="done", note="换了新水管")
        sync()
        view = mine(own)
        assert (view.status, view.handled_by, view.note) == (RequestStatus.DONE, "网格员小李", "换了新水管")

        # 2. The resident phones; staff enter a certificate request for them.
        answer = se.post("/work/new", type="certificate", certificate="income", purpose="办低保",
                         channel="phone", resident=str(east))
        entered = uuid.UUID(answer.headers["location"].rsplit("/", 1)[1])
        report = syncer.sync_once()
        assert report.outcome is SyncOutcome.SYNCED and report.skipped_changes == 0
        view = mine(entered)
        assert view.kind is RecordKind.SERVICE_REQUEST and view.status is RequestStatus.RECEIVED
        assert view.payload["details"] == {"type": "certificate", "certificate": "income",
                                           "purpose": "办低保"}
        assert view.delivery is OutboxState.SENT  # the server has it: nothing to push back
        assert store.outbox_status().pending == 0
        assert [v.id for v in store.requests_of(east)][:2] == [entered, own]  # newest first
        assert all(v.id != entered for v in store.requests_of(community.west_resident))

        # Later status changes work on it like on any request, and the resident can rate it.
        se.post(f"/work/request/{entered}/assign", worker_id=str(worker))
        se.post(f"/work/request/{entered}/close", outcome="done", note="证明已开好，请来取")
        sync()
        view = mine(entered)
        assert (view.status, view.handled_by, view.note) == (RequestStatus.DONE, "网格员小李",
                                                             "证明已开好，请来取")
        store.create_record(RecordKind.FEEDBACK, Feedback(resident_id=east, request_id=entered, stars=5))
        sync()
        page = se.http.get(f"{server.url}/work/request/{entered}", timeout=10).text
        assert "★★★★★" in page and "电话" in page
    finally:
        store.close()
        server.stop()
