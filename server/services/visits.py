"""The visit diary's rules: logging a visit, planned visits (tasks), weekly household counts.

Dates are the community's local dates (setting `community_timezone`, Asia/Shanghai by
default): a visit is logged on the day the worker was at the door, and a week runs Monday
to Sunday of that calendar, whatever the server's own clock zone is.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.errors import InvalidInputError
from server.models import Account, Resident, StaffGrid, Visit, VisitTask, utcnow
from server.services.accounts import Role
from server.services import accounts
from server.services.audit import audit

log = logging.getLogger(__name__)

# A follow-up the worker asks for is due this long after the visit.
FOLLOW_UP_DAYS = 14
# A visit cannot be logged for a date further back than this (typing slips, not history).
OLDEST_VISIT_DAYS = 366
NOTE_MAX = 2000
COMPANIONS_MAX = 200


class VisitInputError(InvalidInputError):
    """A visit form that cannot be stored; `key` names the web string that explains it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class Need(StrEnum):
    """What a visit found, as data (the free note says the rest)."""

    HEALTH = "health"  # 健康
    DAILY_CARE = "daily_care"  # 生活照料
    HOUSING = "housing"  # 住房维修
    LONELINESS = "loneliness"  # 精神慰藉
    SAFETY = "safety"  # 安全隐患
    BENEFITS = "benefits"  # 政策帮扶
    DISPUTE = "dispute"  # 邻里纠纷
    OTHER = "other"


class TaskReason(StrEnum):
    PLANNED = "planned"  # a staff member planned it by hand
    FOLLOW_UP = "follow_up"  # a visit asked for another one
    OUTREACH = "outreach"  # the segments' outreach list (services/segments.py)


def local_today(timezone: str, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(timezone)).date()


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def staff_of_grid(session: Session, grid_id: uuid.UUID | None) -> list[Account]:
    return accounts.active_staff_of_grid(session, grid_id)


def open_task(session: Session, resident_id: uuid.UUID) -> VisitTask | None:
    return session.scalars(select(VisitTask).where(VisitTask.resident_id == resident_id,
                                                   VisitTask.done_at.is_(None))).first()


def plan_task(session: Session, resident_id: uuid.UUID, *, due_on: date, reason: TaskReason,
              detail: dict | None = None, actor: str) -> VisitTask | None:
    """Plan a visit; None if the resident already has an open task (one at a time)."""
    if open_task(session, resident_id) is not None:
        return None
    task = VisitTask(resident_id=resident_id, due_on=due_on, reason=reason.value,
                     detail=detail or {}, created_by=actor)
    try:
        with session.begin_nested():  # another process may have planned one just now
            session.add(task)
            session.flush()
    except IntegrityError:
        log.info("visit task for resident %s not planned: one is already open", resident_id)
        return None
    audit(session, actor=actor, action="visit_task.created", target=f"resident:{resident_id}",
          detail={"task_id": str(task.id), "due_on": due_on.isoformat(), "reason": reason.value})
    return task


def plan_by_hand(session: Session, resident_id: uuid.UUID, *, due_on: date, note: str | None,
                 today: date, actor: str) -> VisitTask | None:
    """A staff member plans a visit; None if the resident already has an open task."""
    if due_on < today:
        raise VisitInputError("due_past", "a planned visit cannot be due in the past")
    note = (note or "").strip()[:NOTE_MAX]
    return plan_task(session, resident_id, due_on=due_on, reason=TaskReason.PLANNED,
                     detail={"note": note} if note else {}, actor=actor)


@dataclass(frozen=True, slots=True)
class VisitForm:
    """What the worker entered; checked by `log_visit`."""

    visited_on: date
    worker_id: uuid.UUID
    needs: Sequence[str] = ()
    note: str | None = None
    follow_up: bool = False
    companions: str | None = None


def log_visit(session: Session, resident: Resident, form: VisitForm, *, logged_by: Account,
              today: date, actor: str) -> Visit:
    """Store a visit; it completes the resident's open task, and may plan a follow-up."""
    if form.visited_on > today:
        raise VisitInputError("future", "a visit cannot be logged for a future date")
    if form.visited_on < today - timedelta(days=OLDEST_VISIT_DAYS):
        raise VisitInputError("too_old", f"a visit can be logged at most {OLDEST_VISIT_DAYS} days back")
    allowed_workers = {a.id for a in staff_of_grid(session, resident.grid_id)} | {logged_by.id}
    if form.worker_id not in allowed_workers:
        raise VisitInputError("worker", "the visiting worker must work in the resident's grid")
    try:
        needs = sorted({Need(value).value for value in form.needs})
    except ValueError as exc:
        raise VisitInputError("need", f"unknown need category: {exc}") from None
    note = (form.note or "").strip()[:NOTE_MAX] or None
    companions = (form.companions or "").strip()[:COMPANIONS_MAX] or None
    visit = Visit(resident_id=resident.id, worker_id=form.worker_id, visited_on=form.visited_on,
                  needs=needs, note=note, follow_up=form.follow_up, companions=companions,
                  logged_by=logged_by.id)
    session.add(visit)
    session.flush()
    completed = []
    task = open_task(session, resident.id)
    if task is not None:
        task.done_at = utcnow()
        task.visit_id = visit.id
        completed.append(str(task.id))
        session.flush()  # closed before a follow-up is planned (one open task per resident)
    # The note stays out of the audit log: it may hold personal details.
    audit(session, actor=actor, action="visit.logged", target=f"resident:{resident.id}",
          detail={"visit_id": str(visit.id), "worker_id": str(form.worker_id),
                  "visited_on": form.visited_on.isoformat(), "needs": needs,
                  "follow_up": form.follow_up, "completed_tasks": completed})
    if form.follow_up:
        plan_task(session, resident.id, due_on=form.visited_on + timedelta(days=FOLLOW_UP_DAYS),
                  reason=TaskReason.FOLLOW_UP, detail={"visit_id": str(visit.id)}, actor=actor)
    return visit


def visits_in_scope(session: Session, scope: Collection[uuid.UUID] | None, *,
                    resident_id: uuid.UUID | None = None, worker_id: uuid.UUID | None = None,
                    limit: int = 200) -> list[tuple[Visit, Resident, Account]]:
    """Visits, newest first, of residents in `scope` (None: all), with resident and worker."""
    query = (select(Visit, Resident, Account).join(Resident, Resident.id == Visit.resident_id)
             .join(Account, Account.id == Visit.worker_id)
             .order_by(Visit.visited_on.desc(), Visit.created_at.desc()).limit(limit))
    if scope is not None:
        query = query.where(Visit.resident_id.in_(list(scope)))
    if resident_id is not None:
        query = query.where(Visit.resident_id == resident_id)
    if worker_id is not None:
        query = query.where(Visit.worker_id == worker_id)
    return [(v, r, a) for v, r, a in session.execute(query).all()]


def open_tasks(session: Session, scope: Collection[uuid.UUID] | None) -> list[tuple[VisitTask, Resident]]:
    """Open tasks of residents in `scope`, earliest due first."""
    query = (select(VisitTask, Resident).join(Resident, Resident.id == VisitTask.resident_id)
             .where(VisitTask.done_at.is_(None))
             .order_by(VisitTask.due_on, Resident.display_name))
    if scope is not None:
        query = query.where(VisitTask.resident_id.in_(list(scope)))
    return [(t, r) for t, r in session.execute(query).all()]


def household_of(resident: Resident) -> str:
    """Residents at one address are one household (a couple visited together counts once)."""
    address = " ".join((resident.address or "").split())
    return f"address:{address}" if address else f"resident:{resident.id}"


@dataclass(frozen=True, slots=True)
class WorkerWeeks:
    worker: Account
    counts: list[int]  # distinct households per week, same order as WeeklyCounts.weeks


@dataclass(frozen=True, slots=True)
class WeeklyCounts:
    weeks: list[date]  # Mondays, the current week first
    target: int
    workers: list[WorkerWeeks]


def weekly_counts(session: Session, scope: Collection[uuid.UUID] | None, *, workers: Sequence[Account],
                  today: date, target: int, weeks: int = 4) -> WeeklyCounts:
    """Distinct households each worker visited per local week: this week and `weeks - 1` before.

    Only visits to residents in `scope` count, so staff see the work done in their grids.
    """
    mondays = [week_start(today) - timedelta(weeks=back) for back in range(weeks)]
    query = (select(Visit.worker_id, Visit.visited_on, Resident)
             .join(Resident, Resident.id == Visit.resident_id)
             .where(Visit.visited_on >= mondays[-1], Visit.visited_on < mondays[0] + timedelta(weeks=1)))
    if scope is not None:
        query = query.where(Visit.resident_id.in_(list(scope)))
    households: dict[tuple[uuid.UUID, date], set[str]] = {}
    for worker_id, visited_on, resident in session.execute(query).all():
        households.setdefault((worker_id, week_start(visited_on)), set()).add(household_of(resident))
    return WeeklyCounts(mondays, target, [
        WorkerWeeks(worker, [len(households.get((worker.id, monday), ())) for monday in mondays])
        for worker in workers])


def workers_in_view(session: Session, viewer: Account, scope: Collection[uuid.UUID] | None) -> list[Account]:
    """Workers whose weekly counts a viewer sees: staff of the viewer's grids (all staff for an
    admin), plus anyone who logged a visit in scope (an admin who went along counts too)."""
    query = select(Account).where(Account.role == Role.STAFF.value, Account.disabled_at.is_(None))
    if Role(viewer.role) is not Role.ADMIN:
        grids = select(StaffGrid.grid_id).where(StaffGrid.account_id == viewer.id)
        query = query.where(Account.id.in_(select(StaffGrid.account_id).where(StaffGrid.grid_id.in_(grids))))
    found = {a.id: a for a in session.scalars(query)}
    visited = select(Visit.worker_id).distinct()
    if scope is not None:
        visited = visited.where(Visit.resident_id.in_(list(scope)))
    for account in session.scalars(select(Account).where(Account.id.in_(visited))):
        found.setdefault(account.id, account)
    return sorted(found.values(), key=lambda a: (a.display_name, a.username))
