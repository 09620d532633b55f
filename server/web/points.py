"""Points for staff and admins: the rewards catalogue, redemptions to hand out, residents' points."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from server.errors import InvalidInputError, InvalidStateError, NotFoundError
from server.models import Resident
from server.services import catalogue, points, redemptions, visibility
from server.services.accounts import Role
from server.services.audit import audit
from server.web.deps import Forbidden, Viewer, access
from server.web.setup import render

router = APIRouter(prefix="/points")

STAFF = access(Role.STAFF, Role.ADMIN)
NOTICES = ("saved", "handed_out", "given_back")


def _overview(request: Request, viewer: Viewer) -> dict:
    with request.app.state.sessions() as session:
        scope = visibility.resident_ids_in_scope(session, viewer.account)
        query = select(Resident).order_by(Resident.display_name)
        if scope is not None:
            query = query.where(Resident.id.in_(scope))
        residents = list(session.scalars(query))
        balances = points.balances_of(session, [r.id for r in residents])
        context = {
            "rewards": catalogue.list_rewards(session, include_retired=True),
            "waiting": redemptions.waiting_redemptions(session, scope),
            "residents": [(r, balances[r.id]) for r in residents],
        }
        audit(session, actor=viewer.actor, action="points.view", target="points",
              detail={"waiting": len(context["waiting"])})
        session.commit()
        return context


@router.get("")
async def overview(request: Request, viewer: Annotated[Viewer, Depends(STAFF)],
                   done: str | None = None, error: str | None = None) -> Response:
    context = await run_in_threadpool(_overview, request, viewer)
    return render(request, "points.html", {
        "viewer": viewer, **context, "error": error,
        "done": done if done in NOTICES else None})


def _after(done: str | None = None, error: str | None = None) -> RedirectResponse:
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in (("done", done), ("error", error)) if v})
    return RedirectResponse(f"/points?{query}" if query else "/points", status_code=303)


def _run(request: Request, action) -> RedirectResponse:  # type: ignore[no-untyped-def]
    """One state change in one transaction; a refused input comes back as a notice."""
    try:
        with request.app.state.sessions() as session:
            done = action(session)
            session.commit()
    except (InvalidInputError, InvalidStateError) as exc:
        return _after(error=str(exc)[:300])
    except NotFoundError:
        raise Forbidden() from None
    return _after(done=done)


RewardForm = Annotated[str, Form(max_length=200)]


@router.post("/rewards")
async def add_reward(
    request: Request, viewer: Annotated[Viewer, Depends(STAFF)],
    name_zh: RewardForm, points_needed: Annotated[int, Form(alias="points")],
    name_en: RewardForm = "", name_ko: RewardForm = "",
    description: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def action(session) -> str:  # type: ignore[no-untyped-def]
        catalogue.add_reward(session, name_zh=name_zh, name_en=name_en, name_ko=name_ko,
                             points=points_needed, description=description, actor=viewer.actor)
        return "saved"

    return await run_in_threadpool(_run, request, action)


@router.post("/rewards/{reward_id}")
async def edit_reward(
    request: Request, viewer: Annotated[Viewer, Depends(STAFF)], reward_id: uuid.UUID,
    name_zh: RewardForm, points_needed: Annotated[int, Form(alias="points")],
    name_en: RewardForm = "", name_ko: RewardForm = "",
    description: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def action(session) -> str:  # type: ignore[no-untyped-def]
        catalogue.edit_reward(session, reward_id, name_zh=name_zh, name_en=name_en,
                              name_ko=name_ko, points=points_needed, description=description,
                              actor=viewer.actor)
        return "saved"

    return await run_in_threadpool(_run, request, action)


@router.post("/rewards/{reward_id}/retire")
async def retire_reward(request: Request, viewer: Annotated[Viewer, Depends(STAFF)],
                        reward_id: uuid.UUID) -> Response:
    def action(session) -> str:  # type: ignore[no-untyped-def]
        catalogue.retire_reward(session, reward_id, actor=viewer.actor)
        return "saved"

    return await run_in_threadpool(_run, request, action)


def _redemption_action(request: Request, viewer: Viewer, kiosk_id: uuid.UUID,
                       record_id: uuid.UUID, give_back: bool) -> RedirectResponse:
    def action(session) -> str:  # type: ignore[no-untyped-def]
        row = redemptions.find_redemption(session, kiosk_id, record_id)
        scope = visibility.resident_ids_in_scope(session, viewer.account)
        if scope is not None and row.resident_id not in scope:
            raise NotFoundError("not in this account's grids")  # same answer as "no such row"
        move = redemptions.give_back if give_back else redemptions.hand_out
        move(session, kiosk_id, record_id, actor=viewer.actor,
             handled_by=viewer.account.display_name)
        return "given_back" if give_back else "handed_out"

    return _run(request, action)


@router.post("/redemptions/{kiosk_id}/{record_id}/hand_out")
async def hand_out(request: Request, viewer: Annotated[Viewer, Depends(STAFF)],
                   kiosk_id: uuid.UUID, record_id: uuid.UUID) -> Response:
    return await run_in_threadpool(_redemption_action, request, viewer, kiosk_id, record_id, False)


@router.post("/redemptions/{kiosk_id}/{record_id}/give_back")
async def give_back(request: Request, viewer: Annotated[Viewer, Depends(STAFF)],
                    kiosk_id: uuid.UUID, record_id: uuid.UUID) -> Response:
    return await run_in_threadpool(_redemption_action, request, viewer, kiosk_id, record_id, True)


def _resident(request: Request, viewer: Viewer, resident_id: uuid.UUID) -> dict:
    with request.app.state.sessions() as session:
        resident = session.get(Resident, resident_id)
        if resident is None:
            raise Forbidden()
        context = {"resident": resident, "balance": points.balance_of(session, resident_id),
                   "history": points.ledger_of(session, resident_id)}
        audit(session, actor=viewer.actor, action="points.resident_view",
              target=f"resident:{resident_id}")
        session.commit()
        return context


@router.get("/residents/{resident_id}")
async def resident_points(request: Request, viewer: Annotated[Viewer, Depends(STAFF)],
                          resident_id: uuid.UUID) -> Response:
    # access() has checked the relation to `resident_id` (staff: their grids).
    context = await run_in_threadpool(_resident, request, viewer, resident_id)
    return render(request, "points_resident.html", {"viewer": viewer, **context})
