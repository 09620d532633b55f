"""Service requests staff enter for a resident who phoned or walked in (the traditional channel).

The request is stored exactly like one pushed by the resident's kiosk: a `received_records`
row under the kiosk's id with a new record id (so due times, the overdue list and the
idempotency ledger see it like any other), a `service_requests` row, and a
`request_handling` row naming the channel and who entered it. The kiosk learns it from a
`request_created` change in its pull feed and lists it in "my requests"; later
`request_status` changes and the resident's rating then work on it as on any request.
"""

from __future__ import annotations

import uuid

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import (
    Account,
    ReceivedRecord,
    RequestHandling,
    Resident,
    ServiceRequest,
    utcnow,
)
from server.services.audit import audit
from server.services.feed import append_change
from server.services.ingest import payload_sha256
from server.services.workflow import READ_ONLY_TYPES, NotInScope, WorkflowRefused, staff_grid_ids
from sync import records as wire
from sync.records import ChangeKind, RecordKind, RequestChannel, RequestDetails, RequestStatus

DETAILS = TypeAdapter(RequestDetails)
ENTRY_CHANNELS = (RequestChannel.PHONE, RequestChannel.WALK_IN)


def residents_for_entry(session: Session, account: Account) -> list[Resident]:
    """Residents this account may enter requests for: placed in its grids (admin: all), with a kiosk."""
    query = select(Resident).where(Resident.kiosk_id.is_not(None)).order_by(Resident.display_name)
    grids = staff_grid_ids(session, account)
    if grids is not None:
        query = query.where(Resident.grid_id.in_(list(grids)))
    return list(session.scalars(query))


def enter_request(
    session: Session,
    account: Account,
    resident_id: uuid.UUID,
    details: wire.RepairDetails | wire.CertificateDetails | wire.ClinicBookingDetails
    | wire.ActivityBookingDetails | wire.MediationDetails | wire.GroceryDetails,
    channel: RequestChannel | str,
) -> ServiceRequest:
    """Store a request for `resident_id` as if their kiosk had sent it, and tell the kiosk."""
    channel = RequestChannel(channel)
    if channel not in ENTRY_CHANNELS:
        raise WorkflowRefused("channel")
    if details.type in READ_ONLY_TYPES:
        raise WorkflowRefused("grocery")
    resident = next((r for r in residents_for_entry(session, account) if r.id == resident_id), None)
    if resident is None:
        # Out of scope and unknown look the same; a resident without a kiosk is refused
        # with its own reason by the page (it lists only residents with a kiosk).
        raise NotInScope()
    kiosk_id = resident.kiosk_id
    assert kiosk_id is not None  # residents_for_entry lists only residents with a kiosk
    record_id, now = uuid.uuid4(), utcnow()
    payload = wire.ServiceRequest(resident_id=resident.id, details=details)
    envelope = wire.Envelope(id=record_id, kind=RecordKind.SERVICE_REQUEST, created_at=now,
                             kiosk_id=kiosk_id, payload=payload.model_dump(mode="json"))
    session.add(ReceivedRecord(kiosk_id=kiosk_id, record_id=record_id,
                               kind=RecordKind.SERVICE_REQUEST.value,
                               payload_sha256=payload_sha256(envelope, payload),
                               created_at=now, received_at=now))
    session.flush()  # the ledger row first: service_requests points at it
    row = ServiceRequest(kiosk_id=kiosk_id, record_id=record_id, created_at=now,
                         resident_id=resident.id, request_type=details.type,
                         status=RequestStatus.RECEIVED.value,
                         details=details.model_dump(mode="json"), updated_at=now)
    session.add(row)
    session.flush()
    session.add(RequestHandling(kiosk_id=kiosk_id, record_id=record_id, channel=channel.value,
                                entered_by_account_id=account.id, updated_at=now))
    append_change(session, kiosk_id, ChangeKind.REQUEST_CREATED, wire.RequestCreated(
        request_id=record_id, resident_id=resident.id, created_at=now, details=details,
        channel=channel, entered_by=account.display_name))
    audit(session, actor=f"account:{account.username}", action="request.entered",
          target=f"request:{record_id}",
          detail={"resident": str(resident.id), "type": details.type, "channel": channel.value})
    return row
