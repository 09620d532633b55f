"""Directory and workflow services: what each writes, what each kiosk is told, the audit log."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from server.errors import InvalidStateError, NotFoundError
from server.models import AuditEntry, KioskChange, PointsRedemption
from server.services import directory, help_calls, points, requests
from server.services.feed import read_changes
from server.services.ingest import push_batch
from server.services.kiosks import register_kiosk
from tests.server.factories import envelope, grocery_payload, help_call_payload


def _feed(session, kiosk_id, after=0):  # type: ignore[no-untyped-def]
    return [(c.kind.value, c.payload) for c in read_changes(session, kiosk_id, after, 1000).changes]


def _push(session, kiosk_id, records):  # type: ignore[no-untyped-def]
    return push_batch(session, kiosk_id, json.dumps({"records": records}).encode(), max_batch=1000)


def _actions(session) -> list[str]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_resident_moves_between_kiosks_with_their_wristband(session):
    a, _ = register_kiosk(session, "A")
    b, _ = register_kiosk(session, "B")
    resident = directory.create_resident(session, "李建国", kiosk_id=a.id, caregivers=["李华"],
                                         address="secret street", phone="123")
    band = directory.pair_wristband(session, ble_address="C0:00:00:00:00:01", name="Linli-Band-01",
                                    resident_id=resident.id)
    session.commit()
    assert [kind for kind, _ in _feed(session, a.id)] == ["kiosk_info", "resident", "wristband_pairing"]
    assert _feed(session, a.id)[2][1]["resident_id"] == str(resident.id)

    directory.move_resident(session, resident.id, b.id)
    session.commit()
    assert _feed(session, a.id, after=3) == [
        ("resident_removed", {"resident_id": str(resident.id)}),
        ("wristband_pairing", {"wristband_id": str(band.id), "ble_address": "C0:00:00:00:00:01",
                               "name": "Linli-Band-01", "resident_id": None}),
    ]
    assert [kind for kind, _ in _feed(session, b.id, after=1)] == ["resident", "wristband_pairing"]
    assert "resident.moved" in _actions(session)

    directory.remove_resident(session, resident.id)
    session.commit()
    assert _feed(session, b.id, after=3)[0] == ("resident_removed", {"resident_id": str(resident.id)})
    assert resident.kiosk_id is None


def test_unpair_tells_the_wearers_kiosk(session):
    kiosk, _ = register_kiosk(session, "A")
    resident = directory.create_resident(session, "张桂兰", kiosk_id=kiosk.id)
    band = directory.pair_wristband(session, ble_address="C0:00:00:00:00:02", name="Linli-Band-02",
                                    resident_id=resident.id)
    directory.unpair_wristband(session, band.id)
    session.commit()
    assert _feed(session, kiosk.id)[-1] == ("wristband_pairing", {
        "wristband_id": str(band.id), "ble_address": "C0:00:00:00:00:02",
        "name": "Linli-Band-02", "resident_id": None})
    assert _actions(session)[-1] == "wristband.unpaired"


def test_unknown_ids_raise_not_found(session):
    with pytest.raises(NotFoundError):
        directory.create_resident(session, "X", kiosk_id=uuid.uuid4())
    with pytest.raises(NotFoundError):
        requests.set_request_status(session, uuid.uuid4(), "done")
    with pytest.raises(NotFoundError):
        help_calls.acknowledge_help_call(session, uuid.uuid4(), by="张阿姨")


def test_help_call_acknowledged_then_resolved(session):
    kiosk, _ = register_kiosk(session, "A")
    record = envelope(kiosk.id, payload=help_call_payload())
    _push(session, kiosk.id, [record])
    call_id = uuid.UUID(record["id"])
    help_calls.acknowledge_help_call(session, call_id, by="张阿姨")
    session.commit()
    assert _feed(session, kiosk.id)[-1] == ("help_call_status", {
        "help_call_id": record["id"], "state": "acknowledged", "acknowledged_by": "张阿姨", "note": None})
    help_calls.escalate_help_call(session, call_id, note="no answer in 60 s")
    help_calls.resolve_help_call(session, call_id, note="checked on her", actor="duty staff")
    session.commit()
    assert _feed(session, kiosk.id)[-1][1]["state"] == "resolved"
    with pytest.raises(InvalidStateError):
        help_calls.acknowledge_help_call(session, call_id, by="someone")
    assert _actions(session)[-3:] == ["help_call.acknowledged", "help_call.escalated", "help_call.resolved"]


def test_resident_cancelling_resolves_the_call_even_in_the_same_batch(session):
    kiosk, _ = register_kiosk(session, "A")
    call = envelope(kiosk.id)
    cancel = envelope(kiosk.id, "help_call_event", {"help_call_id": call["id"], "event": "cancelled_by_resident"})
    assert _push(session, kiosk.id, [call, cancel]).accepted == 2
    assert help_calls.get_help_call(session, uuid.UUID(call["id"])).state == "resolved"
    statuses = [p["state"] for kind, p in _feed(session, kiosk.id) if kind == "help_call_status"]
    assert statuses == ["received", "resolved"]
    # an event for a call the server never saw is stored, nothing else happens
    stray = envelope(kiosk.id, "help_call_event", {"help_call_id": str(uuid.uuid4()), "event": "cancelled_by_resident"})
    assert _push(session, kiosk.id, [stray]).accepted == 1


def test_request_status_goes_to_the_kiosk_and_closed_stays_closed(session):
    kiosk, _ = register_kiosk(session, "A")
    record = envelope(kiosk.id, "service_request", grocery_payload())
    callback = envelope(kiosk.id, "callback_request", {"target": "caregiver", "caregiver_name": "李华"})
    _push(session, kiosk.id, [record, callback])
    assert [p["status"] for k, p in _feed(session, kiosk.id) if k == "request_status"] == ["received", "received"]
    requests.set_request_status(session, uuid.UUID(record["id"]), "claimed", handled_by="志愿者小刘")
    requests.set_request_status(session, uuid.UUID(callback["id"]), "done", note="called back")
    session.commit()
    assert _feed(session, kiosk.id)[-2:] == [
        ("request_status", {"request_id": record["id"], "status": "claimed", "handled_by": "志愿者小刘", "note": None}),
        ("request_status", {"request_id": callback["id"], "status": "done", "handled_by": None, "note": "called back"}),
    ]
    with pytest.raises(InvalidStateError):
        requests.set_request_status(session, uuid.UUID(callback["id"]), "in_progress")


def test_points_credit_and_redemption(session):
    kiosk, _ = register_kiosk(session, "A")
    resident = directory.create_resident(session, "王秀英", kiosk_id=kiosk.id)
    points.credit_points(session, resident.id, 100, "volunteering")
    session.commit()
    assert _feed(session, kiosk.id)[-1][0] == "points_entry"

    def redemption(cost: int) -> dict:
        return envelope(kiosk.id, "points_redemption", {
            "resident_id": str(resident.id), "catalogue_item_id": "rice-5kg",
            "catalogue_item_name": "大米 5kg", "points": cost})

    ok, too_much = redemption(60), redemption(60)
    assert _push(session, kiosk.id, [ok, too_much]).accepted == 2
    assert points.balance_of(session, resident.id) == 40
    kind, entry = _feed(session, kiosk.id)[-3]
    assert kind == "points_entry" and (entry["delta"], entry["balance_after"]) == (-60, 40)
    # The kiosk hears its redemption was taken, after the ledger line that paid for it.
    assert _feed(session, kiosk.id)[-2] == ("request_status", {
        "request_id": ok["id"], "status": "received", "handled_by": None, "note": None})
    assert _feed(session, kiosk.id)[-1] == ("request_status", {
        "request_id": too_much["id"], "status": "cancelled", "handled_by": None, "note": "insufficient_points"})
    with pytest.raises(InvalidStateError):
        points.credit_points(session, resident.id, -41, "correction")
    assert points.balance_of(session, resident.id) == 40


def _redemption(kiosk_id, resident_id, cost):  # type: ignore[no-untyped-def]
    return envelope(kiosk_id, "points_redemption", {
        "resident_id": str(resident_id), "catalogue_item_id": "soap",
        "catalogue_item_name": "肥皂", "points": cost})


def test_a_kiosk_cannot_spend_another_kiosks_residents_points(session):
    a, _ = register_kiosk(session, "A")
    b, _ = register_kiosk(session, "B")
    resident = directory.create_resident(session, "王秀英", kiosk_id=b.id)
    points.credit_points(session, resident.id, 100, "volunteering")
    session.commit()
    b_feed = _feed(session, b.id)
    stranger = _redemption(a.id, resident.id, 30)
    assert _push(session, a.id, [stranger]).accepted == 1  # stored, and answered on the feed
    assert points.balance_of(session, resident.id) == 100
    assert _feed(session, a.id)[-1] == ("request_status", {
        "request_id": stranger["id"], "status": "cancelled", "handled_by": None,
        "note": "resident_not_on_this_kiosk"})
    assert _feed(session, b.id) == b_feed
    row = session.scalars(select(PointsRedemption)).one()
    assert (row.status, row.ledger_entry_id) == ("cancelled", None)
    assert _actions(session)[-1] == "points.redemption_cancelled"


def test_every_ledger_line_goes_to_the_residents_kiosk(session):
    a, _ = register_kiosk(session, "A")
    b, _ = register_kiosk(session, "B")
    resident = directory.create_resident(session, "李建国", kiosk_id=a.id)
    points.credit_points(session, resident.id, 50, "volunteering")
    directory.move_resident(session, resident.id, b.id)
    points.credit_points(session, resident.id, 50, "volunteering")
    session.commit()
    assert _push(session, b.id, [_redemption(b.id, resident.id, 30)]).accepted == 1
    assert _push(session, a.id, [_redemption(a.id, resident.id, 30)]).accepted == 1

    def ledger(kiosk_id):  # type: ignore[no-untyped-def]
        return [(p["delta"], p["balance_after"]) for kind, p in _feed(session, kiosk_id)
                if kind == "points_entry"]

    assert ledger(a.id) == [(50, 50)]  # before the move; the old kiosk's redemption spent nothing
    assert ledger(b.id) == [(50, 100), (-30, 70)]
    assert points.balance_of(session, resident.id) == 70


def test_every_feed_append_is_numbered_without_gaps(session):
    kiosk, _ = register_kiosk(session, "A")
    directory.create_resident(session, "A1", kiosk_id=kiosk.id)
    _push(session, kiosk.id, [envelope(kiosk.id) for _ in range(5)])
    seqs = list(session.scalars(select(KioskChange.seq).where(KioskChange.kiosk_id == kiosk.id)
                                .order_by(KioskChange.seq)))
    assert seqs == list(range(1, 8))
    session.refresh(kiosk)
    assert kiosk.feed_seq == 7
