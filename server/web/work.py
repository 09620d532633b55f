"""The staff's one window (一窗受理): the request queue, one request's page, and new requests
entered for a resident who phoned or walked in. Rules live in services/workflow.py and
services/on_behalf.py; these routes read the form and render."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from server.models import Grid
from server.services import on_behalf, workflow
from server.services.audit import audit
from server.services.accounts import Role
from server.services.workflow import NotInScope, Outcome, StatusFilter, WorkflowRefused
from server.web.deps import Forbidden, Viewer, access
from server.web.setup import render
from server.web.work_forms import ENTRY_TYPES, FIELDS, FormInvalid, read_details, upcoming_activities
from sync.records import RequestStatus, RequestType

router = APIRouter(prefix="/work")

WorkViewer = Annotated[Viewer, Depends(access(Role.STAFF, Role.ADMIN))]
NoteField = Annotated[str, Form(max_length=1000)]
STATUS_CHOICES = (*(s.value for s in StatusFilter), *(s.value for s in RequestStatus))
TYPE_CHOICES = tuple(t.value for t in RequestType)


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _grids(session: Any, viewer: Viewer) -> list[Grid]:
    ids = workflow.staff_grid_ids(session, viewer.account)
    query = select(Grid).order_by(Grid.name)
    if ids is not None:
        query = query.where(Grid.id.in_(list(ids)))
    return list(session.scalars(query))


def _load_queue(request: Request, viewer: Viewer, grid: uuid.UUID | None, request_type: str | None,
                status: str) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        result = workflow.queue(session, viewer.account, grid_id=grid, request_type=request_type,
                                status=status)
        audit(session, actor=viewer.actor, action="work.view", target="work:queue",
              detail={"grid": str(grid) if grid else None, "type": request_type, "status": status,
                      "shown": len(result.items)})
        session.commit()
        return {"queue": result, "grids": _grids(session, viewer)}


@router.get("")
async def queue(request: Request, viewer: WorkViewer,
                grid: Annotated[str | None, Query()] = None,
                type: Annotated[str | None, Query()] = None,  # noqa: A002 - the page's own word
                status: Annotated[str, Query()] = StatusFilter.OPEN.value) -> Response:
    grid_id = _uuid(grid)
    request_type = type if type in TYPE_CHOICES else None
    status = status if status in STATUS_CHOICES else StatusFilter.OPEN.value
    context = await run_in_threadpool(_load_queue, request, viewer, grid_id, request_type, status)
    return render(request, "work.html", {
        "viewer": viewer, **context, "grid": grid_id, "type": request_type, "status": status,
        "types": TYPE_CHOICES, "statuses": STATUS_CHOICES})


def _page(request: Request, viewer: Viewer, record_id: uuid.UUID) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        try:
            item = workflow.get_item(session, viewer.account, record_id)
        except NotInScope:
            raise Forbidden() from None
        audit(session, actor=viewer.actor, action="work.request_view",
              target=f"work:request:{record_id}")
        session.commit()
        return {"item": item, "history": workflow.history(session, record_id),
                "workers": workflow.workers_for(session, item.grid_id),
                "feedback": workflow.feedback_of(session, item)}


async def _render_item(request: Request, viewer: Viewer, record_id: uuid.UUID,
                       refused: str | None = None) -> Response:
    context = await run_in_threadpool(_page, request, viewer, record_id)
    return render(request, "work_request.html", {"viewer": viewer, **context, "refused": refused},
                  status_code=409 if refused else 200)


@router.get("/request/{record_id}")
async def request_page(request: Request, record_id: uuid.UUID, viewer: WorkViewer) -> Response:
    return await _render_item(request, viewer, record_id)


def _change(request: Request, viewer: Viewer, record_id: uuid.UUID, action: Any) -> str | None:
    """Run one workflow change; its refusal code, or None when it was done."""
    with request.app.state.sessions() as session:
        try:
            action(session)
            session.commit()
        except NotInScope:
            raise Forbidden() from None
        except WorkflowRefused as refused:
            session.rollback()
            return refused.code
    return None


async def _act(request: Request, viewer: Viewer, record_id: uuid.UUID, action: Any) -> Response:
    refused = await run_in_threadpool(_change, request, viewer, record_id, action)
    if refused is not None:
        return await _render_item(request, viewer, record_id, refused)
    return RedirectResponse(f"/work/request/{record_id}", status_code=303)


@router.post("/request/{record_id}/assign")
async def assign(request: Request, record_id: uuid.UUID, viewer: WorkViewer,
                 worker_id: Annotated[str, Form(max_length=64)] = "") -> Response:
    worker = _uuid(worker_id) or uuid.UUID(int=0)  # no such account: refused as not in grid
    return await _act(request, viewer, record_id,
                      lambda session: workflow.assign(session, viewer.account, record_id, worker))


@router.post("/request/{record_id}/progress")
async def progress(request: Request, record_id: uuid.UUID, viewer: WorkViewer,
                   note: NoteField = "") -> Response:
    return await _act(request, viewer, record_id,
                      lambda session: workflow.progress(session, viewer.account, record_id, note))


@router.post("/request/{record_id}/close")
async def close(request: Request, record_id: uuid.UUID, viewer: WorkViewer,
                outcome: Annotated[str, Form(max_length=20)] = "", note: NoteField = "") -> Response:
    if outcome not in tuple(Outcome):
        return await _render_item(request, viewer, record_id, "outcome")
    return await _act(request, viewer, record_id,
                      lambda session: workflow.close(session, viewer.account, record_id, outcome, note))


# --- a new request for a resident (phone call, walk-in) ----------------------------------


def _form_context(request: Request, viewer: Viewer) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        return {"residents": on_behalf.residents_for_entry(session, viewer.account),
                "activities": upcoming_activities(session)}


async def _render_form(request: Request, viewer: Viewer, request_type: str | None,
                       values: dict[str, Any], invalid: list[str], status_code: int = 200) -> Response:
    context = await run_in_threadpool(_form_context, request, viewer)
    return render(request, "work_new.html", {
        "viewer": viewer, **context, "types": ENTRY_TYPES, "type": request_type,
        "fields": FIELDS.get(request_type or "", ()), "values": values, "invalid": invalid,
        "channels": [c.value for c in on_behalf.ENTRY_CHANNELS]}, status_code=status_code)


@router.get("/new")
async def new_form(request: Request, viewer: WorkViewer,
                   type: Annotated[str | None, Query()] = None,  # noqa: A002
                   resident: Annotated[str | None, Query()] = None) -> Response:
    request_type = type if type in ENTRY_TYPES else None
    return await _render_form(request, viewer, request_type, {"resident": resident or ""}, [])


def _enter(request: Request, viewer: Viewer, request_type: str, form: Any) -> uuid.UUID:
    with request.app.state.sessions() as session:
        details = read_details(session, request_type, form)
        resident_id = _uuid(str(form.get("resident") or ""))
        if resident_id is None:
            raise FormInvalid(["resident"])
        try:
            row = on_behalf.enter_request(session, viewer.account, resident_id, details,
                                          str(form.get("channel") or ""))
        except NotInScope:
            raise FormInvalid(["resident"]) from None
        except (WorkflowRefused, ValueError):
            raise FormInvalid(["channel"]) from None
        session.commit()
        return row.record_id


@router.post("/new")
async def new_request(request: Request, viewer: WorkViewer) -> Response:
    form = await request.form()
    request_type = str(form.get("type") or "")
    try:
        record_id = await run_in_threadpool(_enter, request, viewer, request_type, form)
    except FormInvalid as invalid:
        values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
        return await _render_form(request, viewer, request_type if request_type in ENTRY_TYPES else None,
                                  values, invalid.fields, status_code=422)
    return RedirectResponse(f"/work/request/{record_id}", status_code=303)
