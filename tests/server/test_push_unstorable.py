"""Values the databases cannot hold: each such record is refused on its own, the rest stored."""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid

from sqlalchemy import event, select, text

from server.models import ReceivedRecord, VolunteerSuggestion
from tests.server.factories import envelope, grocery_payload, help_call_payload, row_counts, vitals_payload

PUSH = "/api/v1/sync/push"
NON_FINITE = "NaN and Infinity are not JSON numbers"
PAST_9999 = "9999-12-31T23:00:00-05:00"  # year 10000 once in UTC


def _push_raw(client, kiosk, records):  # type: ignore[no-untyped-def]
    # json.dumps writes NaN / Infinity as bare tokens, as a careless client would.
    body = json.dumps({"records": records}).encode()
    return client.post(PUSH, content=body, headers={**kiosk.headers, "Content-Type": "application/json"})


def _alert(kiosk_id, value):  # type: ignore[no-untyped-def]
    return envelope(kiosk_id, "wristband_alert", {
        "wristband_id": str(uuid.uuid4()), "alert": "heart_rate_high",
        "detected_at": "2026-11-24T08:00:00+00:00", "value": value})


def test_nul_nan_infinity_and_bare_number_times_are_refused_per_record(
    server_client, registered_kiosk, migrated_engine
):
    kiosk = registered_kiosk.id
    grocery = grocery_payload()
    nul_item = {**grocery, "details": {**grocery["details"], "items": [{"name": "鸡\x00蛋", "quantity": "2", "unit": "斤"}]}}
    inf_item = {**grocery, "details": {**grocery["details"], "items": [{"name": "鸡蛋", "quantity": float("-inf"), "unit": "斤"}]}}
    cases = [
        (envelope(kiosk, payload={**help_call_payload(), "note": "a\x00b"}), "invalid_payload", None),
        (envelope(kiosk, "service_request", nul_item), "invalid_payload", None),
        (envelope(kiosk, "feedback", {"resident_id": str(uuid.uuid4()), "request_id": str(uuid.uuid4()),
                                      "stars": 5, "quick_comments": ["好\x00"]}), "invalid_payload", None),
        (envelope(kiosk, "volunteer_suggestion", {"text": "\x00"}), "invalid_payload", None),
        (_alert(kiosk, float("nan")), "invalid_payload", NON_FINITE),
        (_alert(kiosk, float("inf")), "invalid_payload", NON_FINITE),
        (envelope(kiosk, "service_request", inf_item), "invalid_payload", NON_FINITE),
        ({**envelope(kiosk), "created_at": float("nan")}, "invalid_envelope", NON_FINITE),
        ({**envelope(kiosk), "created_at": 1795000000}, "invalid_envelope", "ISO 8601"),
        (envelope(kiosk, "vitals_sample", {**vitals_payload(), "measured_at": 1795000000}),
         "invalid_payload", "ISO 8601"),
        (envelope(kiosk, created_at=PAST_9999), "invalid_envelope", "year 9999"),
        (envelope(kiosk, "vitals_sample", {**vitals_payload(), "measured_at": PAST_9999}),
         "invalid_payload", "year 9999"),
    ]
    good = envelope(kiosk)
    before = row_counts(migrated_engine)
    response = _push_raw(server_client, registered_kiosk, [good, *(record for record, _, _ in cases)])
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert results[0]["code"] == "accepted"
    for (record, code, words), result in zip(cases, results[1:]):
        assert (result["status"], result["code"], result["id"]) == (422, code, record["id"]), result
        assert words is None or words in result["message"], result["message"]
    after = row_counts(migrated_engine)
    assert after["received_records"] == before["received_records"] + 1
    assert after["help_calls"] == before["help_calls"] + 1
    for table in ("service_requests", "feedback", "volunteer_suggestions", "wristband_alerts", "vitals_samples"):
        assert after[table] == before[table], table


def test_record_the_database_refuses_is_answered_alone(
    server_app, server_client, registered_kiosk, migrated_engine, caplog
):
    # A real refusal by each database of a value validation lets through (text of 350
    # characters): on PostgreSQL a column narrower than the wire allows, as a careless
    # migration would leave it; on SQLite a string length limit on the connection.
    if migrated_engine.dialect.name == "postgresql":
        with migrated_engine.begin() as connection:
            connection.execute(text("ALTER TABLE volunteer_suggestions ALTER COLUMN text TYPE varchar(50)"))
    else:
        engine = server_app.state.engine

        @event.listens_for(engine, "connect")
        def _limit(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 600)

        engine.dispose()
    kiosk = registered_kiosk.id
    too_long = envelope(kiosk, "volunteer_suggestion", {"text": "多组织下棋活动" * 50})
    batch = [
        envelope(kiosk),
        envelope(kiosk, "volunteer_suggestion", {"text": "多组织下棋活动"}),
        too_long,
        envelope(kiosk, "vitals_sample", vitals_payload()),
        too_long,  # the same record again: refused too, not "accepted" unstored
    ]
    with caplog.at_level(logging.WARNING, logger="server.services.ingest"):
        response = server_client.post(PUSH, json={"records": batch}, headers=registered_kiosk.headers)
    assert response.status_code == 200, response.text
    assert [(r["status"], r["code"]) for r in response.json()["results"]] == [
        (200, "accepted"), (200, "accepted"), (422, "invalid_payload"), (200, "accepted"),
        (422, "invalid_payload"),
    ]
    assert "cannot store" in response.json()["results"][2]["message"]
    assert any(r.levelno == logging.WARNING and too_long["id"] in r.getMessage() for r in caplog.records)
    with migrated_engine.connect() as connection:
        stored = set(connection.execute(select(ReceivedRecord.record_id)).scalars())
        suggestions = connection.execute(select(VolunteerSuggestion.text)).scalars().all()
    assert stored == {uuid.UUID(record["id"]) for record in batch} - {uuid.UUID(too_long["id"])}
    assert suggestions == ["多组织下棋活动"]
    before = row_counts(migrated_engine)
    again = server_client.post(PUSH, json={"records": batch}, headers=registered_kiosk.headers)
    assert again.json() == response.json()
    assert row_counts(migrated_engine) == before
