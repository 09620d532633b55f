"""The resident segments page and its outreach button, for staff (their grids) and admins."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Resident, utcnow
from server.services import segments, visibility, visits
from server.services.accounts import Role
from server.services.audit import audit
from server.services.segment_features import FEATURES
from server.web.deps import Viewer, access
from server.web.setup import render

router = APIRouter(prefix="/segments")

Staff = Annotated[Viewer, Depends(access(Role.STAFF, Role.ADMIN))]


def _segmentation(session: Session, request: Request, viewer: Viewer) -> segments.Segmentation:
    scope = visibility.resident_ids_in_scope(session, viewer.account)
    if scope is None:
        scope = set(session.scalars(select(Resident.id)))
    return segments.segment(session, scope, now=utcnow(),
                            timezone=request.app.state.settings.community_timezone)


def _page(request: Request, viewer: Viewer) -> dict[str, Any]:
    with request.app.state.sessions() as session:
        result = _segmentation(session, request, viewer)
        names = dict(session.execute(select(Resident.id, Resident.display_name)
                                     .where(Resident.id.in_(list(result.features)))).all())
        audit(session, actor=viewer.actor, action="segments.view", target="segments",
              detail={"residents": result.residents, "k": result.k})
        session.commit()
        return {"result": result, "names": names, "features": FEATURES,
                "rule": segments.outreach_rule(), "min_residents": segments.MIN_RESIDENTS}


@router.get("")
async def segments_page(request: Request, viewer: Staff) -> Response:
    context = await run_in_threadpool(_page, request, viewer)
    planned = request.query_params.get("planned")
    return render(request, "segments.html", {"viewer": viewer, **context,
                                             "planned": int(planned) if (planned or "").isdigit() else None})


def _outreach(request: Request, viewer: Viewer, chosen: set[uuid.UUID]) -> int:
    with request.app.state.sessions() as session:
        # Computed again, not trusted from the form: only residents on the list now, in scope.
        result = _segmentation(session, request, viewer)
        today = visits.local_today(request.app.state.settings.community_timezone)
        planned = segments.create_outreach_tasks(session, result, chosen, today=today, actor=viewer.actor)
        audit(session, actor=viewer.actor, action="segments.outreach", target="segments",
              detail={"chosen": len(chosen), "planned": planned})
        session.commit()
        return planned


@router.post("/outreach")
async def outreach(request: Request, viewer: Staff) -> Response:
    form = await request.form()
    chosen = set()
    for raw in form.getlist("resident"):
        try:
            chosen.add(uuid.UUID(str(raw)))
        except ValueError:
            continue
    planned = await run_in_threadpool(_outreach, request, viewer, chosen)
    return RedirectResponse(f"/segments?planned={planned}", status_code=303)
