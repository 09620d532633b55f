"""Due times of service requests per type (assets/workflow/due_times.yaml) and which are overdue."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import ReceivedRecord, ServiceRequest, utcnow
from sync.records import RequestStatus, RequestType

DUE_TIMES_FILE = Path(__file__).resolve().parents[2] / "assets" / "workflow" / "due_times.yaml"
OPEN_STATUSES = tuple(
    status.value for status in RequestStatus
    if status not in (RequestStatus.DONE, RequestStatus.CANCELLED)
)


@cache
def due_hours(path: Path = DUE_TIMES_FILE) -> dict[str, float]:
    """Hours allowed per request type; every type must be listed, so none is never due."""
    with path.open(encoding="utf-8") as handle:
        hours = {str(k): float(v) for k, v in (yaml.safe_load(handle) or {})["hours"].items()}
    missing = {t.value for t in RequestType} - hours.keys()
    if missing:
        raise ValueError(f"{path}: no due time for request types {sorted(missing)}")
    if any(value <= 0 for value in hours.values()):
        raise ValueError(f"{path}: due times must be positive hours")
    return hours


def due_at(request_type: str, received_at: datetime) -> datetime:
    return received_at + timedelta(hours=due_hours()[request_type])


def overdue_requests(
    session: Session,
    *,
    now: datetime | None = None,
    resident_ids: Collection[uuid.UUID] | None = None,
) -> list[tuple[ServiceRequest, datetime]]:
    """Open requests past their due time, oldest due first, with the due time.

    `resident_ids` limits the answer to a scope (a staff member's grids); None means all.
    """
    now = now or utcnow()
    query = (
        select(ServiceRequest, ReceivedRecord.received_at)
        .join(ReceivedRecord, (ReceivedRecord.kiosk_id == ServiceRequest.kiosk_id)
              & (ReceivedRecord.record_id == ServiceRequest.record_id))
        .where(ServiceRequest.status.in_(OPEN_STATUSES))
    )
    if resident_ids is not None:
        query = query.where(ServiceRequest.resident_id.in_(list(resident_ids)))
    late = []
    for request, received_at in session.execute(query):
        due = due_at(request.request_type, received_at)
        if due < now:
            late.append((request, due))
    return sorted(late, key=lambda pair: pair[1])
