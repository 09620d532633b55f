"""The staff's one window for service requests (一窗受理): the queue and moving a request on.

Rules:
- Staff see the requests of residents placed in their grids; admins see all (also those
  of residents the server cannot place). Anyone else sees none.
- A request is assigned to a staff account working in the resident's grid (never anyone
  else), then put in progress with a note, then closed: done with an outcome note, or
  cancelled with a reason. Any staff of the grid may move it on (colleagues cover for each
  other); the audit log keeps who did what.
- Every change goes through `requests.set_request_status`, so the resident's kiosk is told
  with `handled_by` = the assigned worker's display name.
- Grocery orders belong to the volunteers' board: shown here read-only, and only when
  asked for (type filter `grocery`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from server.models import (
    Account,
    AuditEntry,
    Feedback,
    Grid,
    ReceivedRecord,
    RequestHandling,
    Resident,
    ServiceRequest,
    StaffGrid,
    utcnow,
)
from server.services import accounts, requests
from server.services.accounts import Role
from server.services.audit import audit
from server.services.due_times import OPEN_STATUSES, due_at
from sync.records import RequestStatus, RequestType

# The queue page shows at most this many rows (overdue first); the count says if more.
QUEUE_LIMIT = 300
READ_ONLY_TYPES = frozenset({RequestType.GROCERY.value})
CLOSED = (RequestStatus.DONE.value, RequestStatus.CANCELLED.value)


class NotInScope(Exception):
    """The request does not exist or is not this account's to see: the same answer for both."""


class WorkflowRefused(Exception):
    """The change is not allowed (wrong worker, closed, grocery, missing note); says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # a web.work.refused.<code> string


class StatusFilter(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"


class Outcome(StrEnum):
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class QueueItem:
    record_id: uuid.UUID
    kiosk_id: uuid.UUID
    request_type: str
    status: str
    details: dict[str, Any]
    note: str | None
    resident_id: uuid.UUID
    resident_name: str | None  # None: the server does not know this resident
    grid_id: uuid.UUID | None
    grid_name: str | None
    received_at: datetime
    due_at: datetime
    overdue: bool
    channel: str
    assigned_account_id: uuid.UUID | None
    assigned_name: str | None
    outcome: str | None
    outcome_note: str | None

    @property
    def open(self) -> bool:
        return self.status not in CLOSED

    @property
    def read_only(self) -> bool:
        return self.request_type in READ_ONLY_TYPES


@dataclass(frozen=True, slots=True)
class Queue:
    items: list[QueueItem]
    total: int
    overdue: int


def staff_grid_ids(session: Session, account: Account) -> set[uuid.UUID] | None:
    """The grids whose requests `account` handles; None = all (admin)."""
    role = Role(account.role)
    if role is Role.ADMIN:
        return None
    if role is Role.STAFF:
        return set(session.scalars(select(StaffGrid.grid_id).where(StaffGrid.account_id == account.id)))
    return set()


def _base_query(session: Session, account: Account) -> Select[Any]:
    assignee = aliased(Account)
    query = (
        select(ServiceRequest, ReceivedRecord.received_at, Resident.display_name, Resident.grid_id,
               Grid.name, RequestHandling, assignee.display_name)
        .join(ReceivedRecord, (ReceivedRecord.kiosk_id == ServiceRequest.kiosk_id)
              & (ReceivedRecord.record_id == ServiceRequest.record_id))
        .outerjoin(Resident, Resident.id == ServiceRequest.resident_id)
        .outerjoin(Grid, Grid.id == Resident.grid_id)
        .outerjoin(RequestHandling, (RequestHandling.kiosk_id == ServiceRequest.kiosk_id)
                   & (RequestHandling.record_id == ServiceRequest.record_id))
        .outerjoin(assignee, assignee.id == RequestHandling.assigned_account_id)
    )
    grids = staff_grid_ids(session, account)
    if grids is not None:
        query = query.where(Resident.grid_id.in_(list(grids)))
    return query


def _item(row: Any, now: datetime) -> QueueItem:
    request, received_at, resident_name, grid_id, grid_name, handling, assigned_name = row
    due = due_at(request.request_type, received_at)
    return QueueItem(
        record_id=request.record_id, kiosk_id=request.kiosk_id,
        request_type=request.request_type, status=request.status, details=request.details,
        note=request.note, resident_id=request.resident_id, resident_name=resident_name,
        grid_id=grid_id, grid_name=grid_name, received_at=received_at, due_at=due,
        overdue=request.status in OPEN_STATUSES and due < now,
        channel=handling.channel if handling else "kiosk",
        assigned_account_id=handling.assigned_account_id if handling else None,
        assigned_name=assigned_name,
        outcome=handling.outcome if handling else None,
        outcome_note=handling.outcome_note if handling else None,
    )


def queue(
    session: Session,
    account: Account,
    *,
    grid_id: uuid.UUID | None = None,
    request_type: str | None = None,
    status: str = StatusFilter.OPEN,
    now: datetime | None = None,
    limit: int = QUEUE_LIMIT,
) -> Queue:
    """The requests in the account's scope: overdue first (longest overdue first), then by
    due time; closed ones after, newest first. `status` is open, closed, all or one status."""
    now = now or utcnow()
    query = _base_query(session, account)
    if grid_id is not None:
        query = query.where(Resident.grid_id == grid_id)
    if request_type:
        query = query.where(ServiceRequest.request_type == request_type)
    else:
        # Grocery orders are the volunteers': shown only when asked for by type.
        query = query.where(ServiceRequest.request_type.not_in(READ_ONLY_TYPES))
    if status == StatusFilter.OPEN:
        query = query.where(ServiceRequest.status.in_(OPEN_STATUSES))
    elif status == StatusFilter.CLOSED:
        query = query.where(ServiceRequest.status.in_(CLOSED))
    elif status != StatusFilter.ALL:
        query = query.where(ServiceRequest.status == status)
    items = [_item(row, now) for row in session.execute(query)]
    items.sort(key=lambda item: (not item.open, not item.overdue,
                                 item.due_at.timestamp() * (1 if item.open else -1)))
    return Queue(items[:limit], len(items), sum(item.overdue for item in items))


def get_item(session: Session, account: Account, record_id: uuid.UUID, now: datetime | None = None) -> QueueItem:
    """One request in the account's scope; NotInScope for unknown and out-of-scope alike."""
    row = session.execute(_base_query(session, account)
                          .where(ServiceRequest.record_id == record_id).limit(2)).all()
    if len(row) != 1:
        raise NotInScope()
    return _item(row[0], now or utcnow())


def workers_for(session: Session, grid_id: uuid.UUID | None) -> list[Account]:
    return accounts.active_staff_of_grid(session, grid_id)


def _handling(session: Session, item: QueueItem) -> RequestHandling:
    handling = session.get(RequestHandling, (item.kiosk_id, item.record_id))
    if handling is None:
        handling = RequestHandling(kiosk_id=item.kiosk_id, record_id=item.record_id, channel="kiosk")
        session.add(handling)
    return handling


def _movable(session: Session, account: Account, record_id: uuid.UUID) -> QueueItem:
    # Two workers acting on one request at once take turns (PostgreSQL row lock; SQLite
    # writers are serialised anyway), so the second sees the first's change, never a
    # duplicate handling row.
    session.execute(select(ServiceRequest.record_id).where(ServiceRequest.record_id == record_id)
                    .with_for_update())
    item = get_item(session, account, record_id)
    if item.read_only:
        raise WorkflowRefused("grocery")
    if not item.open:
        raise WorkflowRefused("closed")
    return item


def _actor(account: Account) -> str:
    return f"account:{account.username}"


def assign(session: Session, account: Account, record_id: uuid.UUID, worker_id: uuid.UUID) -> QueueItem:
    """Give the request to `worker_id`, a staff account of the resident's grid."""
    item = _movable(session, account, record_id)
    worker = next((w for w in workers_for(session, item.grid_id) if w.id == worker_id), None)
    if worker is None:
        raise WorkflowRefused("not_in_grid")
    handling = _handling(session, item)
    handling.assigned_account_id = worker.id
    handling.assigned_at = handling.updated_at = utcnow()
    # A reassignment keeps "in progress"; otherwise the request is now assigned.
    status = (RequestStatus.IN_PROGRESS if item.status == RequestStatus.IN_PROGRESS
              else RequestStatus.ASSIGNED)
    audit(session, actor=_actor(account), action="request.assigned", target=f"request:{record_id}",
          detail={"worker": worker.username, "worker_name": worker.display_name})
    requests.set_request_status(session, record_id, status, actor=_actor(account),
                                handled_by=worker.display_name, note=item.note)
    return get_item(session, account, record_id)


def _assignee_name(session: Session, item: QueueItem) -> str:
    if item.assigned_account_id is None:
        raise WorkflowRefused("not_assigned")
    return session.get(Account, item.assigned_account_id).display_name  # type: ignore[union-attr]


def progress(session: Session, account: Account, record_id: uuid.UUID, note: str) -> QueueItem:
    """In progress, with a note the resident's kiosk shows ("师傅明天上午来")."""
    item = _movable(session, account, record_id)
    note = note.strip()
    if not note:
        raise WorkflowRefused("note_needed")
    requests.set_request_status(session, record_id, RequestStatus.IN_PROGRESS, actor=_actor(account),
                                handled_by=_assignee_name(session, item), note=note)
    handling = _handling(session, item)
    handling.updated_at = utcnow()
    return get_item(session, account, record_id)


def close(session: Session, account: Account, record_id: uuid.UUID, outcome: Outcome | str,
          note: str) -> QueueItem:
    """Done (needs an assignee and an outcome note) or cancelled (needs a reason)."""
    outcome = Outcome(outcome)
    item = _movable(session, account, record_id)
    note = note.strip()
    if not note:
        raise WorkflowRefused("note_needed")
    handled_by = _assignee_name(session, item) if outcome is Outcome.DONE else None
    status = RequestStatus.DONE if outcome is Outcome.DONE else RequestStatus.CANCELLED
    handling = _handling(session, item)
    handling.outcome, handling.outcome_note = outcome.value, note
    handling.closed_at = handling.updated_at = utcnow()
    audit(session, actor=_actor(account), action="request.closed", target=f"request:{record_id}",
          detail={"outcome": outcome.value, "note": note})
    requests.set_request_status(session, record_id, status, actor=_actor(account),
                                handled_by=handled_by, note=note)
    return get_item(session, account, record_id)


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: datetime
    who: str
    action: str
    detail: dict[str, Any]


def history(session: Session, record_id: uuid.UUID) -> list[HistoryLine]:
    """Every audited change of the request, oldest first, with who made it."""
    entries: Sequence[AuditEntry] = session.scalars(
        select(AuditEntry).where(AuditEntry.target == f"request:{record_id}").order_by(AuditEntry.id)).all()
    usernames = {e.actor.removeprefix("account:") for e in entries if e.actor.startswith("account:")}
    names = dict(session.execute(select(Account.username, Account.display_name)
                                 .where(Account.username.in_(usernames))).all()) if usernames else {}
    return [HistoryLine(e.at, names.get(e.actor.removeprefix("account:"), e.actor), e.action, e.detail or {})
            for e in entries]


def feedback_of(session: Session, item: QueueItem) -> list[Feedback]:
    """The resident's ratings of this request (from their kiosk)."""
    return list(session.scalars(select(Feedback).where(Feedback.request_id == item.record_id)))
