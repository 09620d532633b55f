"""The volunteer grocery board: open orders without addresses, claims with a limit, the steps.

Rules (SENIOR_UX.md, "Volunteers and privacy"):
- An open order shows its items, the grid it is in and how long it has waited: never the
  resident's name, address, phone or anything about their health.
- Only volunteers claim, at most `limit` orders held at once (claimed or bought).
- Two volunteers claiming one order at once: exactly one wins. The winner's transaction
  holds the order's row lock (a guarded UPDATE) until it commits; the other then finds the
  order no longer open. A volunteer claiming two orders at once is serialised on their
  account row, so the limit holds too.
- The address (and the resident's name, to ring the right door) is shown only while the
  claim is held, and every showing is audited; after delivery it is gone.
- Every step is audited and reaches the kiosk through `set_request_status`, handled by the
  volunteer's display name, so the kiosk can say who is shopping.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from server.errors import InvalidStateError
from server.models import (
    Account,
    Grid,
    GroceryClaim,
    ReceivedRecord,
    Resident,
    ServiceRequest,
    utcnow,
)
from server.services.accounts import Role
from server.services.audit import audit
from server.services.requests import set_request_status
from sync.records import RequestStatus

GROCERY = "grocery"
HELD = (RequestStatus.CLAIMED.value, RequestStatus.BOUGHT.value)


class BoardError(InvalidStateError):
    """A board action that cannot be done; `reason` is the key of the words the page shows."""

    reason = "not_open"


class NotAVolunteer(BoardError):
    reason = "not_volunteer"


class ClaimLimitReached(BoardError):
    reason = "limit"


class NotOpen(BoardError):
    """Claimed by someone else, released, cancelled or finished: nothing done."""

    reason = "not_open"


class NotHeld(BoardError):
    """Not this volunteer's claim, or not at a step where this action makes sense."""

    reason = "not_held"


@dataclass(frozen=True, slots=True)
class Item:
    name: str
    quantity: str
    unit: str


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """What any volunteer may see of an order nobody holds."""

    request_id: uuid.UUID
    items: list[Item]
    note: str | None
    area: str | None  # the grid's name; None when the resident is not placed yet
    received_at: datetime


@dataclass(frozen=True, slots=True)
class HeldOrder:
    """An order the volunteer holds: with the address, while the claim lasts."""

    request_id: uuid.UUID
    status: str
    items: list[Item]
    note: str | None
    area: str | None
    received_at: datetime
    resident_name: str
    address: str | None


def _items(details: dict) -> list[Item]:
    return [Item(str(item.get("name", "")), _quantity(item.get("quantity")),
                 str(item.get("unit", ""))) for item in details.get("items", [])]


def _quantity(raw: object) -> str:
    # Decimals arrive as "2" or "1.50"; a shopper reads "1.5".
    text = str(raw)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _require_volunteer(account: Account) -> None:
    if Role(account.role) is not Role.VOLUNTEER:
        raise NotAVolunteer(f"{account.username} is not a volunteer")


def _order_query():  # type: ignore[no-untyped-def]
    return (
        select(ServiceRequest, ReceivedRecord.received_at, Grid.name)
        .join(ReceivedRecord, (ReceivedRecord.kiosk_id == ServiceRequest.kiosk_id)
              & (ReceivedRecord.record_id == ServiceRequest.record_id))
        .outerjoin(Resident, Resident.id == ServiceRequest.resident_id)
        .outerjoin(Grid, Grid.id == Resident.grid_id)
        .where(ServiceRequest.request_type == GROCERY)
    )


def open_orders(session: Session, *, limit: int = 100) -> list[OpenOrder]:
    """Orders nobody holds, oldest first."""
    rows = session.execute(
        _order_query()
        .where(ServiceRequest.status == RequestStatus.RECEIVED.value)
        .order_by(ReceivedRecord.received_at).limit(limit)
    ).all()
    return [OpenOrder(row.record_id, _items(row.details), row.details.get("note"), area,
                      received_at)
            for row, received_at, area in rows]


def held_count(session: Session, account_id: uuid.UUID) -> int:
    return session.scalar(
        select(func.count()).select_from(GroceryClaim)
        .join(ServiceRequest, (ServiceRequest.kiosk_id == GroceryClaim.kiosk_id)
              & (ServiceRequest.record_id == GroceryClaim.record_id))
        .where(GroceryClaim.account_id == account_id, ServiceRequest.status.in_(HELD))
    ) or 0


def held_orders(session: Session, account: Account, *, actor: str) -> list[HeldOrder]:
    """The volunteer's claimed or bought orders with addresses; each showing is audited."""
    _require_volunteer(account)
    rows = session.execute(
        _order_query().add_columns(Resident.display_name, Resident.address)
        .join(GroceryClaim, (GroceryClaim.kiosk_id == ServiceRequest.kiosk_id)
              & (GroceryClaim.record_id == ServiceRequest.record_id))
        .where(GroceryClaim.account_id == account.id, ServiceRequest.status.in_(HELD))
        .order_by(GroceryClaim.claimed_at)
    ).all()
    held = []
    for row, received_at, area, name, address in rows:
        audit(session, actor=actor, action="grocery.address_view",
              target=f"request:{row.record_id}",
              detail={"resident_id": str(row.resident_id)})
        held.append(HeldOrder(row.record_id, row.status, _items(row.details),
                              row.details.get("note"), area, received_at, name or "", address))
    return held


def claim(session: Session, account: Account, request_id: uuid.UUID, *, limit: int,
          actor: str) -> None:
    """Take an open order, if the volunteer holds fewer than `limit`."""
    _require_volunteer(account)
    # One volunteer's claims run one after another (row lock; SQLite writers queue anyway),
    # so two tabs claiming at once cannot both pass the count below.
    session.execute(select(Account.id).where(Account.id == account.id).with_for_update())
    if held_count(session, account.id) >= limit:
        raise ClaimLimitReached(f"{account.username} already holds {limit} orders")
    kiosk_id = _guard(session, request_id, (RequestStatus.RECEIVED.value,))
    if kiosk_id is None:
        raise NotOpen(f"grocery order {request_id} is not open")
    # A row left by an earlier holder cannot be here (release deletes it), unless staff
    # moved the order back by hand: the new holder replaces it.
    session.execute(delete(GroceryClaim).where(GroceryClaim.kiosk_id == kiosk_id,
                                               GroceryClaim.record_id == request_id))
    session.add(GroceryClaim(kiosk_id=kiosk_id, record_id=request_id, account_id=account.id,
                             claimed_at=utcnow()))
    _step(session, account, request_id, RequestStatus.CLAIMED, actor, "grocery.claimed")


def release(session: Session, account: Account, request_id: uuid.UUID, *, actor: str) -> None:
    """Give a held order back: open again for every volunteer, the kiosk told."""
    kiosk_id = _held_guard(session, account, request_id, HELD)
    session.execute(delete(GroceryClaim).where(GroceryClaim.kiosk_id == kiosk_id,
                                               GroceryClaim.record_id == request_id))
    row = session.scalars(select(ServiceRequest).where(
        ServiceRequest.kiosk_id == kiosk_id, ServiceRequest.record_id == request_id)).one()
    row.handled_by = None  # nobody is shopping any more
    set_request_status(session, request_id, RequestStatus.RECEIVED, actor=actor)
    audit(session, actor=actor, action="grocery.released", target=f"request:{request_id}")


def bought(session: Session, account: Account, request_id: uuid.UUID, *, actor: str) -> None:
    _held_guard(session, account, request_id, (RequestStatus.CLAIMED.value,))
    _step(session, account, request_id, RequestStatus.BOUGHT, actor, "grocery.bought")


def delivered(session: Session, account: Account, request_id: uuid.UUID, *, actor: str) -> None:
    """Handed over: the claim ends here, and with it the sight of the address."""
    kiosk_id = _held_guard(session, account, request_id, HELD)
    session.execute(update(GroceryClaim)
                    .where(GroceryClaim.kiosk_id == kiosk_id, GroceryClaim.record_id == request_id)
                    .values(delivered_at=utcnow()))
    _step(session, account, request_id, RequestStatus.DELIVERED, actor, "grocery.delivered")


def _step(session: Session, account: Account, request_id: uuid.UUID, status: RequestStatus,
          actor: str, action: str) -> None:
    set_request_status(session, request_id, status, handled_by=account.display_name, actor=actor)
    audit(session, actor=actor, action=action, target=f"request:{request_id}")


def _guard(session: Session, request_id: uuid.UUID, statuses: Collection[str]) -> uuid.UUID | None:
    """Lock the order's row if it is a grocery order in one of `statuses`; its kiosk id, or None.

    The UPDATE takes the row lock; on PostgreSQL a concurrent transaction blocked on it
    re-checks the WHERE against the committed row, so it sees the winner's new status.
    """
    return session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.record_id == request_id, ServiceRequest.request_type == GROCERY,
               ServiceRequest.status.in_(list(statuses)))
        .values(updated_at=utcnow())
        .returning(ServiceRequest.kiosk_id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()


def _held_guard(session: Session, account: Account, request_id: uuid.UUID,
                statuses: Collection[str]) -> uuid.UUID:
    _require_volunteer(account)
    kiosk_id = _guard(session, request_id, statuses)
    holder = None
    if kiosk_id is not None:
        holder = session.scalar(select(GroceryClaim.account_id).where(
            GroceryClaim.kiosk_id == kiosk_id, GroceryClaim.record_id == request_id))
    if holder is None or holder != account.id:
        raise NotHeld(f"{account.username} does not hold grocery order {request_id} at that step")
    return kiosk_id
