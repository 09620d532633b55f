"""Two workers acting on one request at the same moment take turns (PostgreSQL, where
writers really run side by side; SQLite serialises writing transactions by itself)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select, text

from server.db import session_factory
from server.models import KioskChange, RequestHandling
from server.services import workflow
from server.services.accounts import find_account
from tests.web.conftest import Community
from tests.web.work_helpers import account_id, add_staff, push_request, repair, status_of

MAX_POLLS = 400  # each waits for the second worker's thread up to 50 ms


def test_two_assignments_at_once_wait_for_each_other(
    browser_for, community: Community, migrated_engine: Engine, db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writing transaction at a time (BEGIN IMMEDIATE)")
    add_staff(migrated_engine)
    record = push_request(browser_for(None), community, repair(community.east_resident))
    se_id, se2_id = account_id(migrated_engine, "se"), account_id(migrated_engine, "se2")
    factory = session_factory(migrated_engine)
    first, second = factory(), factory()
    failures: list[BaseException] = []
    try:
        workflow.assign(first, find_account(first, "se"), record, se2_id)  # not committed yet
        second_pid = second.execute(text("SELECT pg_backend_pid()")).scalar_one()

        def other_worker() -> None:
            try:
                workflow.assign(second, find_account(second, "se2"), record, se_id)
                second.commit()
            except BaseException as exc:  # reported to the test below
                second.rollback()
                failures.append(exc)

        thread = threading.Thread(target=other_worker)
        thread.start()
        waited = False
        with migrated_engine.connect() as watcher:
            for _ in range(MAX_POLLS):
                state = watcher.execute(text(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": second_pid}).scalar_one_or_none()
                watcher.rollback()  # a fresh snapshot for the next look
                if state == "Lock":
                    waited = True
                    break
                thread.join(0.05)
                if not thread.is_alive():
                    break
        first.commit()
        thread.join()
    finally:
        first.close()
        second.close()
    assert waited, "the second assignment did not wait for the first"
    assert failures == []
    # The second came after the first: its worker holds the request, one handling row.
    assert status_of(migrated_engine, record) == ("assigned", "网格员小陈", None)
    with migrated_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(RequestHandling)).scalar_one() == 1
        kinds = connection.execute(select(KioskChange.kind, KioskChange.payload)
                                   .order_by(KioskChange.seq)).all()
    assigned = [p["handled_by"] for kind, p in kinds
                if kind == "request_status" and p["request_id"] == str(record) and p["status"] == "assigned"]
    assert assigned == ["网格员小李", "网格员小陈"]
