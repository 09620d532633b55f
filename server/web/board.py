"""The volunteer grocery board and the staff's page of suggestions to mark useful.

Thin routes: the rules (limit, who holds what, when the address shows, points) live in
services/grocery_board.py and services/volunteer_points.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from server.errors import InvalidStateError, NotFoundError
from server.models import utcnow
from server.services import grocery_board, volunteer_points
from server.services.accounts import Role
from server.services.audit import audit
from server.web.deps import Forbidden, Viewer, access
from server.web.setup import render

router = APIRouter()

VolunteerViewer = Annotated[Viewer, Depends(access(Role.VOLUNTEER))]
MarkerViewer = Annotated[Viewer, Depends(access(Role.STAFF, Role.ADMIN))]
Action = Literal["claim", "release", "bought", "delivered"]
# The only words a redirect may ask the board to show (never text from the query).
NOTICES = frozenset({"claimed", "released", "bought", "delivered", "limit", "not_open",
                     "not_held"})


def minutes_waited(since: datetime, now: datetime) -> int:
    return max(0, int((now - since).total_seconds() // 60))


def _board(request: Request, viewer: Viewer) -> dict[str, object]:
    with request.app.state.sessions() as session:
        held = grocery_board.held_orders(session, viewer.account, actor=viewer.actor)
        open_ = grocery_board.open_orders(session)
        earned = volunteer_points.volunteer_points(session, viewer.account.id)
        session.commit()  # the address views' audit entries
    return {"held": held, "open": open_, "points": earned}


@router.get("/volunteer")
async def board(request: Request, viewer: VolunteerViewer, notice: str | None = None) -> Response:
    context = await run_in_threadpool(_board, request, viewer)
    return render(request, "board.html", {
        "viewer": viewer, **context, "now": utcnow(), "waited": minutes_waited,
        "limit": request.app.state.settings.grocery_claim_limit,
        "completed_points": volunteer_points.rules()[volunteer_points.COMPLETED_SERVICE].points,
        "notice": notice if notice in NOTICES else None,
    })


def _act(request: Request, viewer: Viewer, request_id: uuid.UUID, action: Action) -> str:
    steps: dict[str, Callable[[Session], None]] = {
        "claim": lambda session: grocery_board.claim(
            session, viewer.account, request_id, actor=viewer.actor,
            limit=request.app.state.settings.grocery_claim_limit),
        "release": lambda session: grocery_board.release(
            session, viewer.account, request_id, actor=viewer.actor),
        "bought": lambda session: grocery_board.bought(
            session, viewer.account, request_id, actor=viewer.actor),
        "delivered": lambda session: grocery_board.delivered(
            session, viewer.account, request_id, actor=viewer.actor),
    }
    with request.app.state.sessions() as session:
        try:
            steps[action](session)
        except grocery_board.BoardError as refused:
            session.rollback()
            with request.app.state.sessions() as audit_session:
                audit(audit_session, actor=viewer.actor, action="grocery.refused",
                      target=f"request:{request_id}",
                      detail={"action": action, "why": refused.reason})
                audit_session.commit()
            return refused.reason
        session.commit()
    return {"claim": "claimed", "release": "released"}.get(action, action)


@router.post("/volunteer/orders/{request_id}/{action}")
async def act(request: Request, request_id: uuid.UUID, action: Action,
              viewer: VolunteerViewer) -> Response:
    notice = await run_in_threadpool(_act, request, viewer, request_id, action)
    return RedirectResponse(f"/volunteer?notice={notice}", status_code=303)


def _suggestions(request: Request, viewer: Viewer) -> list[volunteer_points.SuggestionView]:
    with request.app.state.sessions() as session:
        shown = volunteer_points.suggestions(session, viewer.account)
        audit(session, actor=viewer.actor, action="suggestions.view", target="suggestions",
              detail={"shown": len(shown)})
        session.commit()
    return shown


@router.get("/suggestions")
async def suggestions(request: Request, viewer: MarkerViewer) -> Response:
    shown = await run_in_threadpool(_suggestions, request, viewer)
    return render(request, "board_suggestions.html", {
        "viewer": viewer, "suggestions": shown,
        "useful_points": volunteer_points.rules()[volunteer_points.USEFUL_SUGGESTION].points})


def _mark(request: Request, viewer: Viewer, kiosk_id: uuid.UUID, record_id: uuid.UUID) -> None:
    with request.app.state.sessions() as session:
        try:
            volunteer_points.mark_useful(session, viewer.account, kiosk_id, record_id,
                                         actor=viewer.actor)
            session.commit()
        except NotFoundError:
            raise Forbidden() from None
        except InvalidStateError:
            # Marked already (perhaps by someone else just now): no second credit.
            session.rollback()


@router.post("/suggestions/{kiosk_id}/{record_id}/useful")
async def mark_useful(request: Request, kiosk_id: uuid.UUID, record_id: uuid.UUID,
                      viewer: MarkerViewer) -> Response:
    await run_in_threadpool(_mark, request, viewer, kiosk_id, record_id)
    return RedirectResponse("/suggestions", status_code=303)
