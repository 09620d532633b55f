"""The caregivers' console: open alarms and call-back requests, live over server-sent events."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidStateError
from server.models import CallbackRequest, HelpCall
from server.services import help_calls, live, requests, visibility, web_sessions
from server.services.accounts import Role
from server.services.audit import audit
from server.web.alerts import AlertCard, card_for_event, open_alerts
from server.web.deps import Forbidden, Viewer, access, translator
from server.web.setup import render, templates
from sync.records import RequestStatus

router = APIRouter(prefix="/console")

CONSOLE_ROLES = (Role.CAREGIVER, Role.STAFF, Role.ADMIN)
ConsoleViewer = Annotated[Viewer, Depends(access(*CONSOLE_ROLES))]
NoteField = Annotated[str, Form(max_length=1000)]


def _load_open(request: Request, viewer: Viewer, action: str) -> list[AlertCard]:
    # Read, then a short write for the audit entry: SQLite's write lock is not held while
    # the list is read.
    with request.app.state.read_sessions() as session:
        cards = open_alerts(session, viewer.account)
    with request.app.state.sessions() as session:
        audit(session, actor=viewer.actor, action=action, target="alerts:open",
              detail={"shown": len(cards)})
        session.commit()
    return cards


@router.get("")
async def console(request: Request, viewer: ConsoleViewer) -> Response:
    cards = await run_in_threadpool(_load_open, request, viewer, "alerts.view")
    return render(request, "console.html", {"viewer": viewer, "cards": cards})


def _render_list(request: Request, viewer: Viewer, cards: list[AlertCard]) -> str:
    return templates.get_template("_alert_list.html").render(
        cards=cards, t=translator(request, viewer.account), viewer=viewer)


def _render_card(request: Request, viewer: Viewer, card: AlertCard) -> str:
    return templates.get_template("_alert_card.html").render(
        card=card, t=translator(request, viewer.account), viewer=viewer)


def _sse(event: str, data: dict[str, object]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _card_now(request: Request, viewer: Viewer, item: live.LiveEvent) -> AlertCard | None:
    with request.app.state.read_sessions() as session:
        return card_for_event(session, viewer.account, item)


def _still_signed_in(request: Request, viewer: Viewer) -> bool:
    with request.app.state.read_sessions() as session:
        found = web_sessions.load_session(session, viewer.token)
        return found is not None and visibility.sees_health(found.account)


@router.get("/events")
async def events(request: Request, viewer: ConsoleViewer) -> StreamingResponse:
    """The console's live feed: a snapshot of the open list, then one event per change."""
    heartbeat = request.app.state.settings.live_heartbeat_seconds

    async def snapshot(action: str) -> str:
        cards = await run_in_threadpool(_load_open, request, viewer, action)
        return _sse("snapshot", {"html": _render_list(request, viewer, cards),
                                 "open": [card.dom_id for card in cards]})

    async def stream() -> AsyncIterator[str]:
        # Subscribed before the snapshot is read, so nothing falls between the two.
        subscription = live.HUB.subscribe()
        try:
            # The browser reconnects after 2 s if the stream breaks.
            yield "retry: 2000\n\n"
            yield await snapshot("alerts.watch")
            while True:
                item = await subscription.get(heartbeat)
                if item is None:
                    # A signed-out or disabled account stops getting alarms at the next beat.
                    if not await run_in_threadpool(_still_signed_in, request, viewer):
                        yield _sse("signed_out", {})
                        return
                    yield ": keep-alive\n\n"
                    continue
                if item.kind == live.RESYNC:
                    yield await snapshot("alerts.resync")
                    continue
                card = await run_in_threadpool(_card_now, request, viewer, item)
                if card is not None:
                    yield _sse("alert", {
                        "id": card.dom_id, "kind": card.kind, "state": card.state,
                        "open": card.open, "acknowledged": card.acknowledged,
                        "escalated_to_me": card.escalated_to(viewer.account.username),
                        "html": _render_card(request, viewer, card),
                    })
        finally:
            subscription.close()

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _checked(session: Session, viewer: Viewer, model: type, record_id: uuid.UUID) -> None:
    """Raise Forbidden (nothing done) unless this viewer may act on the alarm or request."""
    row = session.scalars(select(model).where(model.record_id == record_id)).first()
    if row is None or not visibility.may_see_alert(session, viewer.account, row.resident_id):
        raise Forbidden()


def _act(request: Request, viewer: Viewer, model: type, record_id: uuid.UUID, action) -> Response:  # type: ignore[no-untyped-def]
    with request.app.state.sessions() as session:
        _checked(session, viewer, model, record_id)
        try:
            action(session)
            session.commit()
        except InvalidStateError:
            # Someone else closed it first; the console shows the current state.
            session.rollback()
    return RedirectResponse("/console", status_code=303)


@router.post("/help_call/{record_id}/acknowledge")
async def acknowledge_call(request: Request, record_id: uuid.UUID, viewer: ConsoleViewer) -> Response:
    return await run_in_threadpool(
        _act, request, viewer, HelpCall, record_id,
        lambda session: help_calls.acknowledge_help_call(
            session, record_id, by=viewer.account.display_name, actor=viewer.actor))


@router.post("/help_call/{record_id}/resolve")
async def resolve_call(request: Request, record_id: uuid.UUID, viewer: ConsoleViewer,
                       note: NoteField = "") -> Response:
    return await run_in_threadpool(
        _act, request, viewer, HelpCall, record_id,
        lambda session: help_calls.resolve_help_call(
            session, record_id, note=note.strip() or None, actor=viewer.actor))


@router.post("/callback/{record_id}/acknowledge")
async def acknowledge_callback(request: Request, record_id: uuid.UUID, viewer: ConsoleViewer) -> Response:
    return await run_in_threadpool(
        _act, request, viewer, CallbackRequest, record_id,
        lambda session: requests.set_request_status(
            session, record_id, RequestStatus.ASSIGNED, handled_by=viewer.account.display_name,
            actor=viewer.actor))


@router.post("/callback/{record_id}/done")
async def callback_done(request: Request, record_id: uuid.UUID, viewer: ConsoleViewer,
                        note: NoteField = "") -> Response:
    return await run_in_threadpool(
        _act, request, viewer, CallbackRequest, record_id,
        lambda session: requests.set_request_status(
            session, record_id, RequestStatus.DONE, handled_by=viewer.account.display_name,
            note=note.strip() or None, actor=viewer.actor))
