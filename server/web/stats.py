"""Answer times of alarms for staff and admins, against the telecare targets."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from server.models import HelpCall, utcnow
from server.services import visibility
from server.services.accounts import Role
from server.services.answer_times import TARGETS, AnswerTimes, answer_times
from server.services.audit import audit
from server.web.deps import Viewer, access
from server.web.setup import render

router = APIRouter()


def _compute(request: Request, viewer: Viewer, days: int) -> AnswerTimes:
    with request.app.state.sessions() as session:
        now = utcnow()
        result = answer_times(session, now - timedelta(days=days), now,
                              visibility.alert_filter(session, viewer.account, HelpCall.resident_id))
        audit(session, actor=viewer.actor, action="stats.view", target="answer_times",
              detail={"days": days})
        session.commit()
    return result


@router.get("/stats")
async def stats(
    request: Request,
    viewer: Annotated[Viewer, Depends(access(Role.STAFF, Role.ADMIN))],
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> Response:
    result = await run_in_threadpool(_compute, request, viewer, days)
    return render(request, "stats.html", {"viewer": viewer, "stats": result, "days": days,
                                          "targets": TARGETS})
