"""Redemptions after the kiosk: waiting to be handed out, handed out, or returned (points back).

A redemption the server accepted has status `received`: its points are already off the
ledger and the reward waits at the community office. Staff then either hand it out
(`delivered`) or take it back (`cancelled`, note `returned`: the reward ran out, the
resident changed their mind), which credits the same points back through the ledger. Each
change goes to the kiosk that made the redemption as a `request_status`, like any request.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.errors import InvalidStateError, NotFoundError
from server.models import PointsRedemption, Resident, utcnow
from server.services import points
from server.services.audit import audit
from server.services.feed import append_change
from sync.records import ChangeKind, RequestStatus, RequestStatusChange

WAITING = RequestStatus.RECEIVED.value
RETURNED_NOTE = "returned"


@dataclass(frozen=True, slots=True)
class WaitingRedemption:
    kiosk_id: uuid.UUID
    record_id: uuid.UUID
    resident_id: uuid.UUID
    resident_name: str | None
    item_name: str
    points: int
    made_at: datetime  # when the resident redeemed (the kiosk's time)


def waiting_redemptions(
    session: Session, resident_ids: Collection[uuid.UUID] | None
) -> list[WaitingRedemption]:
    """Redemptions waiting to be handed out, oldest first; `resident_ids` None means all."""
    query = (
        select(PointsRedemption, Resident.display_name)
        .outerjoin(Resident, Resident.id == PointsRedemption.resident_id)
        .where(PointsRedemption.status == WAITING)
        .order_by(PointsRedemption.created_at)
    )
    if resident_ids is not None:
        query = query.where(PointsRedemption.resident_id.in_(list(resident_ids)))
    return [
        WaitingRedemption(row.kiosk_id, row.record_id, row.resident_id, name,
                          row.catalogue_item_name, row.points, row.created_at)
        for row, name in session.execute(query)
    ]


def find_redemption(session: Session, kiosk_id: uuid.UUID, record_id: uuid.UUID) -> PointsRedemption:
    row = session.get(PointsRedemption, (kiosk_id, record_id))
    if row is None:
        raise NotFoundError(f"no redemption {record_id} from kiosk {kiosk_id}")
    return row


def hand_out(
    session: Session, kiosk_id: uuid.UUID, record_id: uuid.UUID, *, actor: str, handled_by: str
) -> PointsRedemption:
    """The reward was given to the resident."""
    row = _claim(session, kiosk_id, record_id, RequestStatus.DELIVERED, handled_by, note=None)
    _tell_kiosk(session, row, RequestStatus.DELIVERED, handled_by, note=None)
    audit(session, actor=actor, action="points.redemption_handed_out",
          target=f"resident:{row.resident_id}",
          detail={"record_id": str(record_id), "item": row.catalogue_item_name, "points": row.points})
    return row


def give_back(
    session: Session, kiosk_id: uuid.UUID, record_id: uuid.UUID, *, actor: str, handled_by: str
) -> PointsRedemption:
    """The reward is not handed out after all: the points go back through the ledger."""
    row = _claim(session, kiosk_id, record_id, RequestStatus.CANCELLED, handled_by,
                 note=RETURNED_NOTE)
    entry = points.credit_points(
        session, row.resident_id, row.points,
        f"returned: {row.catalogue_item_name}"[:200], actor=actor)
    _tell_kiosk(session, row, RequestStatus.CANCELLED, handled_by, note=RETURNED_NOTE)
    audit(session, actor=actor, action="points.redemption_returned",
          target=f"resident:{row.resident_id}",
          detail={"record_id": str(record_id), "item": row.catalogue_item_name,
                  "points": row.points, "entry_id": str(entry.id)})
    return row


def _claim(
    session: Session, kiosk_id: uuid.UUID, record_id: uuid.UUID, status: RequestStatus,
    handled_by: str, *, note: str | None,
) -> PointsRedemption:
    """Move a waiting redemption on, in one conditional statement: of two staff members
    pressing at once, exactly one wins (and only that one gives points back)."""
    moved = session.execute(
        update(PointsRedemption)
        .where(PointsRedemption.kiosk_id == kiosk_id, PointsRedemption.record_id == record_id,
               PointsRedemption.status == WAITING)
        .values(status=status.value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    row = find_redemption(session, kiosk_id, record_id)
    session.refresh(row)
    if moved != 1:
        raise InvalidStateError(f"redemption {record_id} is {row.status}, not waiting to be handed out")
    return row


def _tell_kiosk(session: Session, row: PointsRedemption, status: RequestStatus,
                handled_by: str, *, note: str | None) -> None:
    append_change(session, row.kiosk_id, ChangeKind.REQUEST_STATUS, RequestStatusChange(
        request_id=row.record_id, status=status, handled_by=handled_by[:200], note=note))
