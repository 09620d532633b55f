"""A resident's escalation chain in the browser: staff of the resident's grid and admins edit it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidInputError
from server.models import Account, Resident
from server.services import visibility
from server.services.accounts import Role
from server.services.escalation_chains import (
    ACCOUNT_PREFIX,
    MAX_STEPS,
    ROLE_TARGETS,
    Step,
    chain_for,
    set_chain,
)
from server.web.deps import Viewer, access
from server.web.setup import render

router = APIRouter(prefix="/residents")

EditorViewer = Annotated[Viewer, Depends(access(Role.STAFF, Role.ADMIN))]
EXTRA_ROWS = 2  # empty rows under the chain, to add steps


def _account_choices(session: Session, resident_id: uuid.UUID) -> list[Account]:
    """Accounts a step may name: those who may already see this resident."""
    candidates = session.scalars(select(Account).where(
        Account.disabled_at.is_(None),
        Account.role.in_([Role.CAREGIVER.value, Role.STAFF.value, Role.ADMIN.value]))
        .order_by(Account.role, Account.username))
    return [account for account in candidates
            if visibility.may_see_resident(session, account, resident_id)]


def _context(session: Session, resident_id: uuid.UUID, steps: list[Step] | None = None,
             own: bool | None = None) -> dict[str, object]:
    resident = session.get(Resident, resident_id)
    if steps is None:
        steps, own = chain_for(session, resident_id)
    rows = [*steps, *[None] * EXTRA_ROWS][:MAX_STEPS]
    return {"resident": resident, "rows": rows, "own": own, "role_targets": ROLE_TARGETS,
            "accounts": _account_choices(session, resident_id), "account_prefix": ACCOUNT_PREFIX}


def _page(request: Request, resident_id: uuid.UUID) -> dict[str, object]:
    with request.app.state.read_sessions() as session:
        if session.get(Resident, resident_id) is None:
            return {}
        return _context(session, resident_id)


@router.get("/{resident_id}/escalation")
async def chain_page(request: Request, resident_id: uuid.UUID, viewer: EditorViewer) -> Response:
    context = await run_in_threadpool(_page, request, resident_id)
    if not context:
        return render(request, "message.html", {"viewer": viewer, "title_key": "errors.not_found_title",
                                                "message_key": "errors.not_found"}, status_code=404)
    return render(request, "escalation.html", {"viewer": viewer, **context})


def _steps_from_form(form) -> list[Step]:  # type: ignore[no-untyped-def]
    """The filled rows (a row without a target is unused), in the order shown."""
    steps = []
    rows = zip(form.getlist("after_seconds"), form.getlist("target"), form.getlist("webhook"), strict=False)
    for number, (seconds, target, webhook) in enumerate(rows, start=1):
        if not str(target).strip():
            continue
        try:
            after = int(str(seconds).strip() or "0")
        except ValueError:
            raise InvalidInputError(f"step {number}: {seconds!r} is not a number of seconds") from None
        steps.append(Step(after, str(target).strip(), str(webhook).strip() or None))
    return steps


def _save(request: Request, viewer: Viewer, resident_id: uuid.UUID, form) -> str | None:  # type: ignore[no-untyped-def]
    """Store the chain; returns the error to show, or None when stored."""
    with request.app.state.sessions() as session:
        try:
            steps = None if form.get("use_default") else _steps_from_form(form)
            set_chain(session, resident_id, steps, actor=viewer.actor)
        except InvalidInputError as exc:
            session.rollback()
            return str(exc)
        session.commit()
    return None


def _error_context(request: Request, resident_id: uuid.UUID, form) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with request.app.state.read_sessions() as session:
        try:
            steps = _steps_from_form(form)
        except InvalidInputError:
            steps = None
        return _context(session, resident_id, steps, own=True)


@router.post("/{resident_id}/escalation")
async def save_chain(request: Request, resident_id: uuid.UUID, viewer: EditorViewer) -> Response:
    form = await request.form()  # already read (and cached) by the CSRF check
    error = await run_in_threadpool(_save, request, viewer, resident_id, form)
    if error is None:
        return RedirectResponse(f"/residents/{resident_id}/escalation", status_code=303)
    context = await run_in_threadpool(_error_context, request, resident_id, form)
    return render(request, "escalation.html", {"viewer": viewer, "error": error, **context},
                  status_code=400)
