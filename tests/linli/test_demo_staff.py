"""The demo's server-side people, on a real server database (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, select

from linli.demo_staff import (
    GRID_WORKER,
    GROCERY_STEPS,
    REQUEST_STEPS,
    VOLUNTEER,
    VOLUNTEER_USERNAME,
    DemoStaff,
    next_status,
)
from server.db import session_scope
from server.models import GroceryClaim, KioskChange
from server.services.accounts import find_account
from server.models.records import HelpCall, ServiceRequest
from server.services.directory import create_resident
from server.services.ingest import push_batch
from sync.records import RequestStatus
from tests.server.factories import envelope, grocery_payload, help_call_payload


def test_next_status_walks_the_steps_and_stops_at_the_end() -> None:
    assert next_status("received", GROCERY_STEPS) is RequestStatus.CLAIMED
    assert next_status("claimed", GROCERY_STEPS) is RequestStatus.BOUGHT
    assert next_status("delivered", GROCERY_STEPS) is None
    assert next_status("assigned", REQUEST_STEPS) is RequestStatus.IN_PROGRESS
    assert next_status("cancelled", REQUEST_STEPS) is None


def _push(engine: Engine, kiosk_id: uuid.UUID, records: list[dict]) -> None:
    import json

    with session_scope(engine) as session:
        answer = push_batch(session, kiosk_id, json.dumps({"records": records}).encode(),
                            max_batch=100)
    assert answer.accepted == len(records), answer


def test_demo_staff_answer_help_first_then_move_requests_to_the_end(
        migrated_engine: Engine, registered_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk_id = registered_kiosk.id
    with session_scope(migrated_engine) as session:
        resident = create_resident(session, "王秀英", kiosk_id=kiosk_id,
                                   caregivers=["张阿姨", "王小明"], actor="test").id
    grocery = envelope(kiosk_id, "service_request", grocery_payload(resident))
    repair = envelope(kiosk_id, "service_request", {
        "resident_id": str(resident), "details": {"type": "repair", "what": "water"}})
    call = envelope(kiosk_id, "help_call", help_call_payload(resident))
    _push(migrated_engine, kiosk_id, [grocery, repair, call])

    said: list[str] = []
    staff = DemoStaff(migrated_engine, kiosk_id, say=said.append)
    first = staff.step()
    assert first is not None and "张阿姨 acknowledged help call" in first
    while staff.step() is not None:
        pass

    with session_scope(migrated_engine) as session:
        assert session.scalars(select(HelpCall.acknowledged_by)).one() == "张阿姨"
        rows = {str(row.record_id): row for row in session.scalars(select(ServiceRequest))}
        assert (rows[grocery["id"]].status, rows[grocery["id"]].handled_by) == \
            ("delivered", VOLUNTEER)
        # The grocery order went through the board, held by the demo volunteer's account.
        claim = session.scalars(select(GroceryClaim)).one()
        assert claim.account_id == find_account(session, VOLUNTEER_USERNAME).id
        assert claim.delivered_at is not None
        assert (rows[repair["id"]].status, rows[repair["id"]].handled_by) == ("done", GRID_WORKER)
        # Every step went to the kiosk's feed, after the server's own "received".
        changes = list(session.scalars(
            select(KioskChange).where(KioskChange.kiosk_id == kiosk_id)))
    help_states = [change.payload["state"] for change in changes
                   if change.kind == "help_call_status"]
    assert help_states == ["received", "acknowledged"]
    def steps(request: dict) -> list[str]:
        return [change.payload["status"] for change in changes
                if change.kind == "request_status" and change.payload["request_id"] == request["id"]]

    assert steps(grocery) == ["received", "claimed", "bought", "delivered"]
    assert steps(repair) == ["received", "assigned", "in_progress", "done"]
    assert len(said) == 7


def test_without_auto_acknowledgement_a_help_call_waits_for_a_person(
        migrated_engine: Engine, registered_kiosk) -> None:  # type: ignore[no-untyped-def]
    _push(migrated_engine, registered_kiosk.id,
          [envelope(registered_kiosk.id, "help_call", help_call_payload())])
    staff = DemoStaff(migrated_engine, registered_kiosk.id, acknowledge_help=False,
                      say=lambda _line: None)
    assert staff.step() is None
    with session_scope(migrated_engine) as session:
        assert session.scalars(select(HelpCall.state)).one() == "received"
