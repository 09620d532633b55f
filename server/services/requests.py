"""Service and call-back requests after they arrive: staff move them on, the kiosk is told."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from server.errors import InvalidStateError, NotFoundError
from server.models import CallbackRequest, ServiceRequest, utcnow
from server.services import live
from server.services.audit import audit
from server.services.feed import append_change
from server.services.lookup import find_pushed
from sync.records import ChangeKind, RequestStatus, RequestStatusChange

# A finished or cancelled request is closed; a new need is a new request from the kiosk.
CLOSED_STATUSES = frozenset({RequestStatus.DONE, RequestStatus.CANCELLED})


def get_request(
    session: Session, request_id: uuid.UUID, kiosk_id: uuid.UUID | None = None
) -> ServiceRequest | CallbackRequest:
    """The service request or call-back request with this (kiosk record) id."""
    row = find_pushed(session, ServiceRequest, request_id, kiosk_id)
    if row is None:
        row = find_pushed(session, CallbackRequest, request_id, kiosk_id)
    if row is None:
        raise NotFoundError(f"no service or call-back request with id {request_id}")
    return row


def set_request_status(
    session: Session,
    request_id: uuid.UUID,
    status: RequestStatus | str,
    *,
    actor: str = "admin",
    handled_by: str | None = None,
    note: str | None = None,
) -> ServiceRequest | CallbackRequest:
    """Move a request on (assigned, in progress, ..., done) and tell its kiosk."""
    status = RequestStatus(status)
    row = get_request(session, request_id)
    if RequestStatus(row.status) in CLOSED_STATUSES:
        raise InvalidStateError(f"request {request_id} is already {row.status}")
    row.status = status.value
    if handled_by is not None:
        row.handled_by = handled_by
    row.note = note
    row.updated_at = utcnow()
    session.flush()
    change = RequestStatusChange(
        request_id=row.record_id, status=status, handled_by=row.handled_by, note=note
    )
    append_change(session, row.kiosk_id, ChangeKind.REQUEST_STATUS, change)
    audit(session, actor=actor, action="request.status", target=f"request:{row.record_id}",
          detail={"status": status.value, "handled_by": handled_by, "note": note})
    if isinstance(row, CallbackRequest):
        live.announce(session, [live.LiveEvent("callback", str(row.kiosk_id), str(row.record_id))])
    return row
