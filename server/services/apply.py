"""Turning newly accepted records into domain rows and feed changes, kind by kind.

Rows are written with bulk inserts (one statement per table per batch), not one ORM
object per record: a batch of 500 vitals samples must cost a few milliseconds.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from server.models import (
    CallbackRequest,
    Feedback,
    HelpCall,
    HelpCallEvent,
    PointsLedgerEntry,
    PointsRedemption,
    ServiceRequest,
    VitalsSample,
    VolunteerSuggestion,
    WristbandAlert,
    utcnow,
)
from server.services import escalation, help_calls, live, points, volunteer_points
from server.services.audit import audit
from server.services.bulk import bulk_insert
from server.services.feed import PendingChange, append_changes
from sync import records as wire
from sync.records import ChangeKind, HelpCallState, HelpCallStatus, RecordKind, RequestStatus


@dataclass(frozen=True, slots=True)
class AcceptedRecord:
    """A pushed record that passed validation (named apart from the kiosk's `sync.NewRecord`)."""

    index: int
    id: uuid.UUID
    kind: RecordKind
    created_at: datetime
    payload: BaseModel
    sha256: str


Applier = Callable[[Session, uuid.UUID, list[AcceptedRecord]], list[PendingChange]]


def apply_records(session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord]) -> None:
    """Write the domain rows of `records` and append the changes the kiosk must hear of."""
    by_kind: dict[RecordKind, list[AcceptedRecord]] = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    changes: list[PendingChange] = []
    # Dict order is the apply order: calls exist before events of the same batch cancel them.
    for kind, applier in _APPLIERS.items():
        if kind in by_kind:
            changes.extend(applier(session, kiosk_id, by_kind[kind]))
    append_changes(session, kiosk_id, changes)
    live.announce(session, _live_events(kiosk_id, by_kind))


def _live_events(kiosk_id: uuid.UUID, by_kind: dict[RecordKind, list[AcceptedRecord]]) -> list[live.LiveEvent]:
    """New alarms and call-back requests, and alarms a resident cancelled: consoles show them."""
    kiosk = str(kiosk_id)
    events = [live.LiveEvent("help_call", kiosk, str(record.id))
              for record in by_kind.get(RecordKind.HELP_CALL, ())]
    events += [live.LiveEvent("help_call", kiosk, str(record.payload.help_call_id))  # type: ignore[attr-defined]
               for record in by_kind.get(RecordKind.HELP_CALL_EVENT, ())]
    events += [live.LiveEvent("callback", kiosk, str(record.id))
               for record in by_kind.get(RecordKind.CALLBACK_REQUEST, ())]
    return events


def _base(kiosk_id: uuid.UUID, record: AcceptedRecord) -> dict[str, Any]:
    return {"kiosk_id": kiosk_id, "record_id": record.id, "created_at": record.created_at}


def _bulk(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    bulk_insert(session, model.__table__, rows)  # type: ignore[attr-defined]


def _help_calls(session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord]) -> list[PendingChange]:
    rows = []
    changes: list[PendingChange] = []
    for record in records:
        call: wire.HelpCall = record.payload  # type: ignore[assignment]
        rows.append({
            **_base(kiosk_id, record),
            "resident_id": call.resident_id,
            "source": call.source.value,
            "wristband_id": call.wristband_id,
            "note": call.note,
            "state": HelpCallState.RECEIVED.value,
        })
        # Tells the kiosk "the server has your call", before anyone acknowledges it.
        changes.append((ChangeKind.HELP_CALL_STATUS,
                        HelpCallStatus(help_call_id=record.id, state=HelpCallState.RECEIVED)))
    _bulk(session, HelpCall, rows)
    # Each alarm's escalation chain starts in the same transaction: none can be lost.
    escalation.start_runs(session, kiosk_id, [(row["record_id"], row["resident_id"]) for row in rows],
                          utcnow())
    return changes


def _help_call_events(session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord]) -> list[PendingChange]:
    _bulk(session, HelpCallEvent, [
        {
            **_base(kiosk_id, record),
            "help_call_id": record.payload.help_call_id,  # type: ignore[attr-defined]
            "event": record.payload.event.value,  # type: ignore[attr-defined]
            "note": record.payload.note,  # type: ignore[attr-defined]
        }
        for record in records
    ])
    changes: list[PendingChange] = []
    for record in records:
        event: wire.HelpCallEvent = record.payload  # type: ignore[assignment]
        if event.event is wire.HelpCallEventType.CANCELLED_BY_RESIDENT:
            status = help_calls.cancel_by_resident(
                session, kiosk_id, event.help_call_id, record.created_at, event.note
            )
            if status is not None:
                changes.append((ChangeKind.HELP_CALL_STATUS, status))
    return changes


def _received_status(record: AcceptedRecord) -> PendingChange:
    return (ChangeKind.REQUEST_STATUS,
            wire.RequestStatusChange(request_id=record.id, status=RequestStatus.RECEIVED))


def _callback_requests(session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord]) -> list[PendingChange]:
    now = utcnow()
    rows = []
    for record in records:
        request: wire.CallbackRequest = record.payload  # type: ignore[assignment]
        rows.append({
            **_base(kiosk_id, record),
            "resident_id": request.resident_id,
            "target": request.target.value,
            "caregiver_name": request.caregiver_name,
            "reason": request.reason,
            "status": RequestStatus.RECEIVED.value,
            "updated_at": now,
        })
    _bulk(session, CallbackRequest, rows)
    return [_received_status(record) for record in records]


def _service_requests(session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord]) -> list[PendingChange]:
    now = utcnow()
    rows = []
    for record in records:
        request: wire.ServiceRequest = record.payload  # type: ignore[assignment]
        rows.append({
            **_base(kiosk_id, record),
            "resident_id": request.resident_id,
            "request_type": request.details.type,
            "status": RequestStatus.RECEIVED.value,
            "details": request.details.model_dump(mode="json"),
            "updated_at": now,
        })
    _bulk(session, ServiceRequest, rows)
    return [_received_status(record) for record in records]


def _vitals(session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord]) -> list[PendingChange]:
    rows = []
    for record in records:
        sample: wire.VitalsSample = record.payload  # type: ignore[assignment]
        rows.append({
            **_base(kiosk_id, record),
            "resident_id": sample.resident_id,
            "wristband_id": sample.wristband_id,
            "measured_at": sample.measured_at,
            "heart_rate": sample.heart_rate,
            "battery_percent": sample.battery_percent,
            "abnormal": sample.abnormal,
        })
    _bulk(session, VitalsSample, rows)
    return []


def _wristband_alerts(session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord]) -> list[PendingChange]:
    rows = []
    for record in records:
        alert: wire.WristbandAlert = record.payload  # type: ignore[assignment]
        rows.append({
            **_base(kiosk_id, record),
            "resident_id": alert.resident_id,
            "wristband_id": alert.wristband_id,
            "alert": alert.alert.value,
            "phase": alert.phase.value,
            "detected_at": alert.detected_at,
            "value": alert.value,
            "band_sequence": alert.band_sequence,
        })
    _bulk(session, WristbandAlert, rows)
    return []


def _feedback(session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord]) -> list[PendingChange]:
    rows = []
    for record in records:
        feedback: wire.Feedback = record.payload  # type: ignore[assignment]
        rows.append({
            **_base(kiosk_id, record),
            "resident_id": feedback.resident_id,
            "request_id": feedback.request_id,
            "stars": feedback.stars,
            "quick_comments": list(feedback.quick_comments),
            "comment": feedback.comment,
        })
    _bulk(session, Feedback, rows)
    # A rating of a delivered grocery order is the resident confirming it: done, volunteer paid.
    volunteer_points.credit_rated_orders(
        session, kiosk_id, [record.payload for record in records])  # type: ignore[misc]
    return []


def _redemptions(session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord]) -> list[PendingChange]:
    now = utcnow()
    rows = []
    changes: list[PendingChange] = []
    for record in records:
        redemption: wire.PointsRedemption = record.payload  # type: ignore[assignment]
        outcome = points.redeem_points(
            session,
            resident_id=redemption.resident_id,
            points=redemption.points,
            reason=f"redeemed: {redemption.catalogue_item_name}"[:200],
            kiosk_id=kiosk_id,
            record_id=record.id,
        )
        entry: PointsLedgerEntry | None = None
        if isinstance(outcome, points.RedemptionRefused):
            status = RequestStatus.CANCELLED
            changes.append((ChangeKind.REQUEST_STATUS, wire.RequestStatusChange(
                request_id=record.id, status=status, note=outcome.value)))
        else:
            # Its points_entry already went to the resident's kiosk (points._post_entry), so
            # by the time the kiosk reads "received" its balance has the points taken off.
            entry, status = outcome, RequestStatus.RECEIVED
            changes.append(_received_status(record))
        audit(session, actor=f"kiosk:{kiosk_id}", action=f"points.redemption_{status.value}",
              target=f"resident:{redemption.resident_id}",
              detail={"record_id": str(record.id), "points": redemption.points})
        rows.append({
            **_base(kiosk_id, record),
            "resident_id": redemption.resident_id,
            "catalogue_item_id": redemption.catalogue_item_id,
            "catalogue_item_name": redemption.catalogue_item_name,
            "points": redemption.points,
            "status": status.value,
            "ledger_entry_id": entry.id if entry is not None else None,
            "updated_at": now,
        })
    _bulk(session, PointsRedemption, rows)
    return changes


def _suggestions(session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord]) -> list[PendingChange]:
    _bulk(session, VolunteerSuggestion, [
        {
            **_base(kiosk_id, record),
            "resident_id": record.payload.resident_id,  # type: ignore[attr-defined]
            "text": record.payload.text,  # type: ignore[attr-defined]
        }
        for record in records
    ])
    return []


_APPLIERS: dict[RecordKind, Applier] = {
    RecordKind.HELP_CALL: _help_calls,
    RecordKind.HELP_CALL_EVENT: _help_call_events,
    RecordKind.WRISTBAND_ALERT: _wristband_alerts,
    RecordKind.CALLBACK_REQUEST: _callback_requests,
    RecordKind.SERVICE_REQUEST: _service_requests,
    RecordKind.FEEDBACK: _feedback,
    RecordKind.POINTS_REDEMPTION: _redemptions,
    RecordKind.VOLUNTEER_SUGGESTION: _suggestions,
    RecordKind.VITALS_SAMPLE: _vitals,
}
if set(_APPLIERS) != set(RecordKind):  # a new wire kind must not be accepted and then lost
    raise RuntimeError(f"no applier for {set(RecordKind) - set(_APPLIERS)}")

