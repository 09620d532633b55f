"""The visit diary pages: weekly counts and tasks, one resident's visits, one worker's visits.

Staff of the resident's grid and admins only: visit notes may hold personal details, so
caregivers and volunteers get 403 (the role check in `access`), and staff see only the
residents of their grids (the resident check in `access`, and `scope` on the lists).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from server.models import Account, Grid, Resident
from server.services import visibility, visits
from server.services.accounts import Role
from server.services.audit import audit
from server.settings import Settings
from server.web.deps import Viewer, access
from server.web.setup import render

router = APIRouter(prefix="/visits")

STAFF_ROLES = (Role.STAFF, Role.ADMIN)
Staff = Annotated[Viewer, Depends(access(*STAFF_ROLES))]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _today(request: Request) -> date:
    return visits.local_today(_settings(request).community_timezone)


def _overview(request: Request, viewer: Viewer) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        scope = visibility.resident_ids_in_scope(session, viewer.account)
        workers = visits.workers_in_view(session, viewer.account, scope)
        context = {
            "weekly": visits.weekly_counts(session, scope, workers=workers, today=_today(request),
                                           target=_settings(request).visit_target_per_week),
            "tasks": visits.open_tasks(session, scope),
            "visits": visits.visits_in_scope(session, scope, limit=50),
            "today": _today(request),
        }
        audit(session, actor=viewer.actor, action="visits.view", target="visits")
        session.commit()
        session.expunge_all()
        return context


@router.get("")
async def overview(request: Request, viewer: Staff) -> Response:
    context = await run_in_threadpool(_overview, request, viewer)
    return render(request, "visits.html", {"viewer": viewer, **context})


def _resident_context(session: Session, request: Request, viewer: Viewer,
                      resident: Resident) -> dict[str, Any]:
    workers = visits.staff_of_grid(session, resident.grid_id)
    if viewer.account.id not in {worker.id for worker in workers}:
        workers.insert(0, viewer.account)
    return {
        "resident": resident,
        "grid": session.get(Grid, resident.grid_id) if resident.grid_id else None,
        "visits": visits.visits_in_scope(session, None, resident_id=resident.id),
        "task": visits.open_task(session, resident.id),
        "workers": workers,
        "needs": list(visits.Need),
        "today": _today(request),
        "follow_up_days": visits.FOLLOW_UP_DAYS,
    }


def _resident_page(request: Request, viewer: Viewer, resident_id: uuid.UUID) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        resident = session.get(Resident, resident_id)
        if resident is None:  # access() let it through only if visible; admins may ask for any id
            return {}
        context = _resident_context(session, request, viewer, resident)
        audit(session, actor=viewer.actor, action="visits.view", target=f"resident:{resident_id}")
        session.commit()
        session.expunge_all()
        return context


def _not_found(request: Request, viewer: Viewer) -> Response:
    return render(request, "message.html", {"viewer": viewer, "title_key": "errors.not_found_title",
                                            "message_key": "errors.not_found"}, status_code=404)


@router.get("/resident/{resident_id}")
async def resident_visits(request: Request, resident_id: uuid.UUID, viewer: Staff) -> Response:
    context = await run_in_threadpool(_resident_page, request, viewer, resident_id)
    if not context:
        return _not_found(request, viewer)
    return render(request, "visits_resident.html", {"viewer": viewer, **context})


def _parse_date(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


def _attempt(request: Request, viewer: Viewer, resident_id: uuid.UUID,
             action: Callable[[Session, Resident], None]) -> dict[str, Any] | None:
    """Run `action` on the resident and commit: None when done, {} for no such resident,
    else the resident's page again with the VisitInputError's message key."""
    with request.app.state.sessions() as session:
        resident = session.get(Resident, resident_id)
        if resident is None:
            return {}
        try:
            action(session, resident)
        except visits.VisitInputError as error:
            session.rollback()
            context = _resident_context(session, request, viewer, resident)
            session.expunge_all()
            return {**context, "error_key": f"visits.error.{error.key}"}
        session.commit()
        return None


def _log(request: Request, viewer: Viewer, resident_id: uuid.UUID, form: visits.VisitForm | None
         ) -> dict[str, Any] | None:
    def log(session: Session, resident: Resident) -> None:
        if form is None:
            raise visits.VisitInputError("date", "no valid visit date")
        visits.log_visit(session, resident, form, logged_by=viewer.account,
                         today=_today(request), actor=viewer.actor)

    return _attempt(request, viewer, resident_id, log)


@router.post("/resident/{resident_id}")
async def log_visit(request: Request, resident_id: uuid.UUID, viewer: Staff) -> Response:
    form = await request.form()
    visited_on = _parse_date(form.get("visited_on"))
    try:
        worker_id = uuid.UUID(str(form.get("worker")))
    except ValueError:
        worker_id = viewer.account.id
    entry = visits.VisitForm(
        visited_on=visited_on, worker_id=worker_id,
        needs=[str(value) for value in form.getlist("needs")],
        note=str(form.get("note") or ""), follow_up=form.get("follow_up") == "yes",
        companions=str(form.get("companions") or ""),
    ) if visited_on is not None else None
    failed = await run_in_threadpool(_log, request, viewer, resident_id, entry)
    if failed is None:
        return RedirectResponse(f"/visits/resident/{resident_id}?logged=1", status_code=303)
    if not failed:
        return _not_found(request, viewer)
    return render(request, "visits_resident.html", {"viewer": viewer, **failed}, status_code=400)


def _plan(request: Request, viewer: Viewer, resident_id: uuid.UUID, due_on: date | None,
          note: str) -> dict[str, Any] | None:
    def plan(session: Session, resident: Resident) -> None:
        if due_on is None:
            raise visits.VisitInputError("date", "no valid due date")
        planned = visits.plan_by_hand(session, resident.id, due_on=due_on, note=note,
                                      today=_today(request), actor=viewer.actor)
        if planned is None:
            raise visits.VisitInputError("task_open", "this resident already has an open visit task")

    return _attempt(request, viewer, resident_id, plan)


@router.post("/resident/{resident_id}/plan")
async def plan_visit(request: Request, resident_id: uuid.UUID, viewer: Staff) -> Response:
    form = await request.form()
    failed = await run_in_threadpool(_plan, request, viewer, resident_id,
                                     _parse_date(form.get("due_on")), str(form.get("note") or ""))
    if failed is None:
        return RedirectResponse(f"/visits/resident/{resident_id}?planned=1", status_code=303)
    if not failed:
        return _not_found(request, viewer)
    return render(request, "visits_resident.html", {"viewer": viewer, **failed}, status_code=400)


def _worker_page(request: Request, viewer: Viewer, account_id: uuid.UUID) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        worker = session.get(Account, account_id)
        if worker is None:
            return {}
        scope = visibility.resident_ids_in_scope(session, viewer.account)
        context = {
            "worker": worker,
            "weekly": visits.weekly_counts(session, scope, workers=[worker], today=_today(request),
                                           target=_settings(request).visit_target_per_week, weeks=8),
            "visits": visits.visits_in_scope(session, scope, worker_id=account_id),
        }
        audit(session, actor=viewer.actor, action="visits.view", target=f"account:{worker.username}")
        session.commit()
        session.expunge_all()
        return context


@router.get("/worker/{account_id}")
async def worker_visits(request: Request, account_id: uuid.UUID, viewer: Staff) -> Response:
    context = await run_in_threadpool(_worker_page, request, viewer, account_id)
    if not context:
        return _not_found(request, viewer)
    return render(request, "visits_worker.html", {"viewer": viewer, **context})
