"""POST /api/v1/sync/push: per-record answers, idempotency and whole-request refusals."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

from sqlalchemy import select

from server.models import (
    Feedback,
    HelpCall,
    KioskChange,
    PointsRedemption,
    ReceivedRecord,
    ServiceRequest,
    VitalsSample,
)
from tests.server.factories import T0, envelope, grocery_payload, help_call_payload, row_counts

PUSH = "/api/v1/sync/push"


def _push(client, kiosk, records):  # type: ignore[no-untyped-def]
    return client.post(PUSH, json={"records": records}, headers=kiosk.headers)


def test_accepted_record_is_stored_with_its_domain_row(server_client, registered_kiosk, session):
    record = envelope(registered_kiosk.id)
    response = _push(server_client, registered_kiosk, [record])
    assert response.status_code == 200
    assert response.json() == {
        "results": [{"index": 0, "id": record["id"], "status": 200, "code": "accepted", "message": None}],
        "accepted": 1,
        "rejected": 0,
    }
    call = session.scalars(select(HelpCall)).one()
    assert (call.record_id, call.kiosk_id, call.state) == (uuid.UUID(record["id"]), registered_kiosk.id, "received")
    assert call.created_at == T0
    stored = session.scalars(select(ReceivedRecord)).one()
    assert stored.kind == "help_call" and len(stored.payload_sha256) == 64
    # the kiosk is told the server has its call
    change = session.scalars(select(KioskChange).where(KioskChange.kind == "help_call_status")).one()
    assert change.payload == {"help_call_id": record["id"], "state": "received",
                              "acknowledged_by": None, "note": None}


def test_replay_gets_the_same_answer_and_stores_nothing(server_client, registered_kiosk, migrated_engine):
    records = [envelope(registered_kiosk.id) for _ in range(3)]
    first = _push(server_client, registered_kiosk, records)
    before = row_counts(migrated_engine)
    again = _push(server_client, registered_kiosk, records)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert row_counts(migrated_engine) == before


def test_reserialised_record_is_not_a_conflict(server_client, registered_kiosk, migrated_engine):
    record = envelope(registered_kiosk.id, created_at="2026-11-24T16:15:02.120000+08:00")
    _push(server_client, registered_kiosk, [record])
    before = row_counts(migrated_engine)
    # Same meaning: other key order, the time in UTC, an explicit default.
    same = {
        "payload": {**dict(reversed(list(record["payload"].items()))), "note": None},
        "kiosk_id": record["kiosk_id"],
        "created_at": T0.isoformat(),
        "kind": "help_call",
        "id": record["id"],
    }
    response = _push(server_client, registered_kiosk, [same])
    assert response.json()["results"][0]["code"] == "accepted"
    assert row_counts(migrated_engine) == before


def test_changed_payload_is_a_conflict_and_leaves_the_row(server_client, registered_kiosk, session, migrated_engine):
    record = envelope(registered_kiosk.id, payload=help_call_payload(source="fall"))
    _push(server_client, registered_kiosk, [record])
    before = row_counts(migrated_engine)
    changed = {**record, "payload": {**record["payload"], "source": "voice"}}
    response = _push(server_client, registered_kiosk, [changed])
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert (result["status"], result["code"], result["id"]) == (409, "record_id_conflict", record["id"])
    assert response.json()["rejected"] == 1
    assert row_counts(migrated_engine) == before
    assert session.scalars(select(HelpCall.source)).one() == "fall"


def test_duplicates_inside_one_batch_are_taken_in_order(server_client, registered_kiosk, migrated_engine):
    record = envelope(registered_kiosk.id)
    changed = {**record, "payload": help_call_payload(source="voice")}
    response = _push(server_client, registered_kiosk, [record, record, changed])
    codes = [r["code"] for r in response.json()["results"]]
    assert codes == ["accepted", "accepted", "record_id_conflict"]
    assert row_counts(migrated_engine)["help_calls"] == 1


def test_each_bad_record_gets_its_own_code(server_client, registered_kiosk, migrated_engine):
    kiosk = registered_kiosk.id
    good = envelope(kiosk, "service_request", grocery_payload())
    bad = [
        "not an object",
        {k: v for k, v in envelope(kiosk).items() if k != "created_at"},  # lacks a field
        {**envelope(kiosk), "id": "not-a-uuid"},
        envelope(kiosk, created_at="2026-11-24T08:15:02"),  # no zone
        envelope(kiosk, kind="teleport"),
        envelope(kiosk, payload={"source": 42}),  # wrong type
        envelope(kiosk, payload={**help_call_payload(), "surprise": 1}),  # unknown field
        envelope(kiosk, "vitals_sample", payload=help_call_payload()),  # payload of another kind
        envelope(uuid.uuid4()),  # another kiosk's id
    ]
    before = row_counts(migrated_engine)
    response = _push(server_client, registered_kiosk, [good, *bad])
    assert response.status_code == 200
    body = response.json()
    assert [(r["index"], r["status"], r["code"]) for r in body["results"]] == [
        (0, 200, "accepted"),
        (1, 422, "invalid_envelope"),
        (2, 422, "invalid_envelope"),
        (3, 422, "invalid_envelope"),
        (4, 422, "invalid_envelope"),
        (5, 422, "unknown_kind"),
        (6, 422, "invalid_payload"),
        (7, 422, "invalid_payload"),
        (8, 422, "invalid_payload"),
        (9, 422, "kiosk_mismatch"),
    ]
    assert all(r["message"] for r in body["results"][1:])
    assert body["results"][5]["id"] == bad[4]["id"]  # readable ids are echoed back
    assert (body["accepted"], body["rejected"]) == (1, 9)
    after = row_counts(migrated_engine)
    # Only the good record (+ its status change) was stored.
    assert after["received_records"] == before["received_records"] + 1
    assert after["service_requests"] == before["service_requests"] + 1
    assert after["kiosk_changes"] == before["kiosk_changes"] + 1
    assert after["help_calls"] == before["help_calls"]


def test_service_request_row_keeps_details(server_client, registered_kiosk, session):
    record = envelope(registered_kiosk.id, "service_request", grocery_payload())
    _push(server_client, registered_kiosk, [record])
    row = session.scalars(select(ServiceRequest)).one()
    assert (row.request_type, row.status) == ("grocery", "received")
    assert row.details["items"] == [{"name": "鸡蛋", "quantity": "2", "unit": "斤"}]


def _assert_refused(response, status, code, engine, before):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert row_counts(engine) == before


def test_malformed_json(server_client, registered_kiosk, migrated_engine):
    before = row_counts(migrated_engine)
    response = server_client.post(PUSH, content=b'{"records": [', headers={
        **registered_kiosk.headers, "Content-Type": "application/json"})
    _assert_refused(response, 400, "malformed_json", migrated_engine, before)


def test_body_that_is_not_a_records_object(server_client, registered_kiosk, migrated_engine):
    before = row_counts(migrated_engine)
    for body in ([], {"records": {}}, {"items": []}, {"records": [], "extra": 1}, "records"):
        response = server_client.post(PUSH, json=body, headers=registered_kiosk.headers)
        _assert_refused(response, 422, "invalid_request", migrated_engine, before)


def test_batch_too_large(server_app, server_client, registered_kiosk, migrated_engine):
    server_app.state.settings.max_batch = 5
    before = row_counts(migrated_engine)
    records = [envelope(registered_kiosk.id) for _ in range(6)]
    _assert_refused(_push(server_client, registered_kiosk, records), 413, "batch_too_large",
                    migrated_engine, before)
    assert _push(server_client, registered_kiosk, records[:5]).json()["accepted"] == 5


def test_body_too_large_by_content_length(server_app, server_client, registered_kiosk, migrated_engine):
    server_app.state.settings.max_body_bytes = 2000
    before = row_counts(migrated_engine)
    body = json.dumps({"records": [envelope(registered_kiosk.id) for _ in range(20)]}).encode()
    assert len(body) > 2000
    response = server_client.post(PUSH, content=body, headers={
        **registered_kiosk.headers, "Content-Type": "application/json"})
    _assert_refused(response, 413, "body_too_large", migrated_engine, before)


def test_body_too_large_when_chunked(server_app, server_client, registered_kiosk, migrated_engine):
    server_app.state.settings.max_body_bytes = 2000
    before = row_counts(migrated_engine)
    body = json.dumps({"records": [envelope(registered_kiosk.id) for _ in range(20)]}).encode()

    def chunks():  # a generator body is sent without Content-Length
        for start in range(0, len(body), 500):
            yield body[start:start + 500]

    response = server_client.post(PUSH, content=chunks(), headers={
        **registered_kiosk.headers, "Content-Type": "application/json"})
    _assert_refused(response, 413, "body_too_large", migrated_engine, before)


def test_small_chunked_body_is_accepted(server_client, registered_kiosk):
    body = json.dumps({"records": [envelope(registered_kiosk.id)]}).encode()
    response = server_client.post(PUSH, content=iter([body[:10], body[10:]]), headers={
        **registered_kiosk.headers, "Content-Type": "application/json"})
    assert response.status_code == 200 and response.json()["accepted"] == 1


def test_one_record_of_every_kind_lands_in_its_table(server_client, registered_kiosk, migrated_engine):
    kiosk, resident, band = registered_kiosk.id, uuid.uuid4(), uuid.uuid4()
    call = envelope(kiosk)
    records = [
        call,
        envelope(kiosk, "help_call_event", {"help_call_id": call["id"], "event": "reminder_played"}),
        envelope(kiosk, "callback_request", {"target": "service_centre", "reason": "问电费"}),
        envelope(kiosk, "service_request", grocery_payload(resident)),
        envelope(kiosk, "vitals_sample", {"resident_id": str(resident), "wristband_id": str(band),
                                          "measured_at": "2026-11-24T16:00:00+08:00", "heart_rate": 72}),
        envelope(kiosk, "wristband_alert", {"wristband_id": str(band), "alert": "fall",
                                            "detected_at": T0.isoformat(), "value": 3.5, "band_sequence": 7}),
        envelope(kiosk, "feedback", {"resident_id": str(resident), "request_id": str(uuid.uuid4()),
                                     "stars": 5, "quick_comments": ["很及时"], "comment": "谢谢"}),
        envelope(kiosk, "points_redemption", {"resident_id": str(resident), "catalogue_item_id": "soap",
                                              "catalogue_item_name": "肥皂", "points": 5}),
        envelope(kiosk, "volunteer_suggestion", {"text": "多组织下棋活动"}),
    ]
    before = row_counts(migrated_engine)
    assert _push(server_client, registered_kiosk, records).json()["accepted"] == len(records)
    after = row_counts(migrated_engine)
    for table in ("help_calls", "help_call_events", "callback_requests", "service_requests",
                  "vitals_samples", "wristband_alerts", "feedback", "points_redemptions",
                  "volunteer_suggestions"):
        assert after[table] == before[table] + 1, table
    with migrated_engine.connect() as connection:
        measured = connection.execute(select(VitalsSample.measured_at)).scalar_one()
        comments = connection.execute(select(Feedback.quick_comments)).scalar_one()
        status = connection.execute(select(PointsRedemption.status)).scalar_one()
    assert measured == datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)
    assert comments == ["很及时"]
    assert status == "cancelled"  # no points yet


def test_content_length_that_is_not_a_number(server_client, registered_kiosk, migrated_engine):
    before = row_counts(migrated_engine)
    response = server_client.post(PUSH, content=b'{"records": []}', headers={
        **registered_kiosk.headers, "Content-Type": "application/json", "Content-Length": "fifteen"})
    # The protocol lists invalid_request as a 422, whatever part of the request is wrong.
    _assert_refused(response, 422, "invalid_request", migrated_engine, before)
