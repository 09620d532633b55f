"""`request_created`: a request staff entered for a resident lands in the kiosk's "my requests"."""

from __future__ import annotations

import uuid
from typing import Any

from sync.records import RecordKind, RequestStatus
from sync.store import LocalStore
from sync.store_models import OutboxState


def _change(seq: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"seq": seq, "kind": kind, "changed_at": "2026-12-03T08:00:00+00:00", "payload": payload}


def _created(request_id: uuid.UUID, resident: uuid.UUID) -> dict[str, Any]:
    return {"request_id": str(request_id), "resident_id": str(resident),
            "created_at": "2026-12-03T07:59:00+00:00",
            "details": {"type": "mediation", "with_whom": "neighbour", "description": "楼上漏水"},
            "channel": "walk_in", "entered_by": "网格员小陈"}


def _status(request_id: uuid.UUID, status: str, by: str | None = None) -> dict[str, Any]:
    return {"request_id": str(request_id), "status": status, "handled_by": by, "note": None}


def test_an_entered_request_is_listed_and_follows_its_status(store: LocalStore) -> None:
    resident, entered = uuid.uuid4(), uuid.uuid4()
    page = [_change(1, "request_created", _created(entered, resident)),
            _change(2, "request_status", _status(entered, "assigned", "网格员小李"))]
    for _ in range(2):  # fetched again after a crash: the later status is not reset
        result = store.apply_pull(page, next_cursor=2)
        assert (result.applied, result.skipped) == (2, 0)
        [view] = store.requests_of(resident)
        assert view.id == entered and view.kind is RecordKind.SERVICE_REQUEST
        assert (view.status, view.handled_by) == (RequestStatus.ASSIGNED, "网格员小李")
        assert view.payload == {"resident_id": str(resident), "details": {
            "type": "mediation", "with_whom": "neighbour", "description": "楼上漏水"}}
        assert view.delivery is OutboxState.SENT
    # Nothing to push: the server made it.
    status = store.outbox_status()
    assert (status.pending, status.sent, status.dead_count) == (0, 0, 0)
    assert store.due_batch(10) == []


def test_a_bad_request_created_is_skipped_alone(store: LocalStore) -> None:
    resident, good = uuid.uuid4(), uuid.uuid4()
    bad = {**_created(uuid.uuid4(), resident), "channel": "kiosk"}  # only phone / walk_in
    page = [_change(1, "request_created", bad), _change(2, "request_created", _created(good, resident))]
    result = store.apply_pull(page, next_cursor=2)
    assert (result.applied, result.skipped) == (1, 1)
    assert [v.id for v in store.requests_of(resident)] == [good]


def test_a_kiosk_that_does_not_know_the_kind_skips_it_and_goes_on(store: LocalStore) -> None:
    """What an older kiosk does: its ChangeKind has no `request_created`, so the change fails
    validation like any unknown kind (here a name this build does not know either), is
    skipped, and the status changes that follow for that unknown request are skipped too;
    the cursor moves on and everything else is applied."""
    resident, entered = uuid.uuid4(), uuid.uuid4()
    page = [_change(1, "request_created_from_a_newer_server", _created(entered, resident)),
            _change(2, "request_status", _status(entered, "assigned", "网格员小李")),
            _change(3, "resident", {"resident_id": str(resident), "display_name": "王秀英"})]
    result = store.apply_pull(page, next_cursor=3)
    # The status change finds no request to update: applied as a no-op, not an error.
    assert (result.applied, result.skipped) == (2, 1)
    assert store.cursor() == 3
    assert store.requests_of(resident) == []
    assert [r.display_name for r in store.residents()] == ["王秀英"]
