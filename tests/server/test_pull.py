"""GET /api/v1/sync/pull: ordered, resumable paging over a kiosk's own feed."""

from __future__ import annotations

import uuid

from server.db import session_scope
from server.services.directory import create_resident
from server.services.feed import append_changes
from server.services.kiosks import register_kiosk
from sync.records import ChangeKind, PullResponse, Resident, validate_change

PULL = "/api/v1/sync/pull"


def _fill_feed(engine, kiosk_id, count):  # type: ignore[no-untyped-def]
    changes = [
        (ChangeKind.RESIDENT, Resident(resident_id=uuid.uuid4(), display_name=f"居民 {n}"))
        for n in range(count)
    ]
    with session_scope(engine) as session:
        append_changes(session, kiosk_id, changes)


def _pull(client, kiosk, **params):  # type: ignore[no-untyped-def]
    response = client.get(PULL, params=params, headers=kiosk.headers)
    assert response.status_code == 200, response.text
    return PullResponse.model_validate(response.json())


def test_first_change_is_the_kiosks_own_info(server_client, registered_kiosk):
    page = _pull(server_client, registered_kiosk)
    assert [(c.seq, c.kind) for c in page.changes] == [(1, ChangeKind.KIOSK_INFO)]
    assert page.changes[0].payload == {"kiosk_id": str(registered_kiosk.id), "name": "Building 3 lobby",
                                       "location": None, "community_phone": "010-12345678"}
    assert (page.next_cursor, page.has_more) == (1, False)
    assert page.changes[0].changed_at.tzinfo is not None
    empty = _pull(server_client, registered_kiosk, cursor=1)
    assert (empty.changes, empty.next_cursor, empty.has_more) == ([], 1, False)


def test_a_week_offline_catches_up_page_by_page(server_client, registered_kiosk, migrated_engine):
    _fill_feed(migrated_engine, registered_kiosk.id, 2500)  # + kiosk_info = 2501 changes
    seqs, pages, cursor = [], 0, 0
    while True:
        page = _pull(server_client, registered_kiosk, cursor=cursor, limit=1000)
        pages += 1
        seqs += [c.seq for c in page.changes]
        for change in page.changes:
            validate_change(change.kind, change.payload)
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert pages == 3
    assert seqs == list(range(1, 2502))
    # a kiosk killed mid-way resumes from the last page it committed
    resumed = _pull(server_client, registered_kiosk, cursor=1234, limit=1000)
    assert [c.seq for c in resumed.changes] == list(range(1235, 2235))
    assert (resumed.next_cursor, resumed.has_more) == (2234, True)


def test_default_and_maximum_page_size(server_client, registered_kiosk, migrated_engine):
    _fill_feed(migrated_engine, registered_kiosk.id, 1200)
    assert len(_pull(server_client, registered_kiosk).changes) == 500
    assert len(_pull(server_client, registered_kiosk, limit=5000).changes) == 1000


def test_each_kiosk_sees_only_its_own_feed(server_client, registered_kiosk, migrated_engine):
    with session_scope(migrated_engine) as session:
        other, _ = register_kiosk(session, "Other lobby")
    _fill_feed(migrated_engine, other.id, 3)
    _fill_feed(migrated_engine, registered_kiosk.id, 2)
    page = _pull(server_client, registered_kiosk)
    assert [c.seq for c in page.changes] == [1, 2, 3]
    assert all(c.payload.get("name") != "Other lobby" for c in page.changes)


def test_feed_never_carries_address_or_phone(server_client, registered_kiosk, migrated_engine):
    with session_scope(migrated_engine) as session:
        create_resident(session, "王秀英", kiosk_id=registered_kiosk.id, caregivers=["张阿姨"],
                        address="幸福路 12 号 3 单元 501", phone="13800138000")
    response = server_client.get(PULL, headers=registered_kiosk.headers)
    assert "幸福路" not in response.text and "13800138000" not in response.text
    resident = response.json()["changes"][-1]
    assert resident["kind"] == "resident"
    assert set(resident["payload"]) == {"resident_id", "display_name", "language", "caregivers"}
    assert resident["payload"]["caregivers"] == ["张阿姨"]


def test_invalid_cursor_and_limit(server_client, registered_kiosk):
    for cursor in ("-1", "abc", "1.5", str(2**40)):
        response = server_client.get(PULL, params={"cursor": cursor}, headers=registered_kiosk.headers)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_cursor", cursor
    response = server_client.get(PULL, params={"limit": 0}, headers=registered_kiosk.headers)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_request")


def test_pull_does_not_wait_for_a_writer(server_client, registered_kiosk, migrated_engine):
    import threading

    from server.db import session_factory

    answers: list[PullResponse] = []
    # An open write transaction, as a long push holds: on SQLite it has the write lock.
    with session_factory(migrated_engine)() as writer:
        append_changes(writer, registered_kiosk.id, [
            (ChangeKind.RESIDENT, Resident(resident_id=uuid.uuid4(), display_name="未提交"))])
        puller = threading.Thread(target=lambda: answers.append(_pull(server_client, registered_kiosk)))
        puller.start()
        puller.join(5)  # the write lock's busy timeout is 30 s
        finished = not puller.is_alive()
        writer.rollback()
    puller.join()
    assert finished, "the pull (token check or feed read) waited for the writer's lock"
    assert [c.kind for c in answers[0].changes] == [ChangeKind.KIOSK_INFO]  # nothing uncommitted
