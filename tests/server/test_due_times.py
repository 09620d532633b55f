"""Due times per request type and the overdue list, on a real pushed request."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from server.db import session_scope
from server.models import utcnow
from server.services.due_times import due_hours, overdue_requests
from server.services.requests import set_request_status
from tests.server.factories import envelope, grocery_payload


def test_every_request_type_has_a_positive_due_time() -> None:
    hours = due_hours()
    assert hours["repair"] == 48
    assert all(value > 0 for value in hours.values())


def test_a_file_missing_a_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "due.yaml"
    path.write_text("hours:\n  repair: 48\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no due time for request types"):
        due_hours(path)


def test_an_open_request_is_overdue_after_its_due_time_and_not_once_done(
    server_client, registered_kiosk, migrated_engine: Engine
) -> None:
    record = envelope(registered_kiosk.id, "service_request", grocery_payload())
    answer = server_client.post("/api/v1/sync/push", json={"records": [record]},
                                headers=registered_kiosk.headers)
    assert answer.status_code == 200, answer.text
    with session_scope(migrated_engine) as session:
        assert overdue_requests(session) == []
        late = overdue_requests(session, now=utcnow() + timedelta(hours=25))
        assert [str(request.record_id) for request, _ in late] == [record["id"]]
        assert overdue_requests(session, now=utcnow() + timedelta(hours=25), resident_ids=[]) == []
        set_request_status(session, late[0][0].record_id, "done")
    with session_scope(migrated_engine) as session:
        assert overdue_requests(session, now=utcnow() + timedelta(hours=25)) == []
