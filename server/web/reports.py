"""Satisfaction statistics and the weekly improvement report (page and PDF), for staff and admins."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import select

from server.errors import InvalidInputError
from server.models import Grid, StaffGrid, utcnow
from server.reports import figures
from server.reports.pdf import answers_line, weekly_pdf
from server.services import visibility
from server.services.accounts import Role
from server.services.audit import audit
from server.services.satisfaction import satisfaction
from server.services.weekly_report import (
    WeeklyReport,
    last_full_week,
    parse_week,
    scope_of_account,
    weekly_report,
)
from server.web.deps import Viewer, access, translator
from server.web.i18n import Translator
from server.web.setup import SECURITY_HEADERS, render

router = APIRouter()

STAFF = access(Role.STAFF, Role.ADMIN)
WEEK_PATTERN = r"^\d{4}-W\d{2}$"


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.community_timezone)


def _satisfaction(request: Request, viewer: Viewer, months: int) -> dict:
    zone = _zone(request)
    now = utcnow()
    # Whole calendar months: from the first day of the month `months - 1` before this one.
    local = now.astimezone(zone)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    with request.app.state.sessions() as session:
        scope = visibility.resident_ids_in_scope(session, viewer.account)
        result = satisfaction(session, first, now + timedelta(seconds=1), scope, zone)
        audit(session, actor=viewer.actor, action="satisfaction.view", target="satisfaction",
              detail={"months": months, "ratings": result.count})
        session.commit()
    t = translator(request, viewer.account)
    return {
        "result": result, "months": months, "zone": zone.key,
        "type_chart": figures.stars_chart(result.by_type, t, lambda k: figures.type_name(t, k)),
        "grid_chart": figures.stars_chart(result.by_grid, t, lambda k: figures.grid_name(t, k)),
        "month_chart": figures.stars_chart(result.by_month, t),
        "type_label": lambda key: figures.type_name(t, key),
        "grid_label": lambda key: figures.grid_name(t, key),
        "month_label": lambda key: key,
    }


@router.get("/satisfaction")
async def satisfaction_page(
    request: Request, viewer: Annotated[Viewer, Depends(STAFF)],
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> Response:
    context = await run_in_threadpool(_satisfaction, request, viewer, months)
    return render(request, "reports_satisfaction.html", {"viewer": viewer, **context})


def _scope_text(session, viewer: Viewer, t: Translator) -> str:  # type: ignore[no-untyped-def]
    if Role(viewer.account.role) is Role.ADMIN:
        return t("reports.weekly.scope_all")
    names = session.scalars(select(Grid.name).join(StaffGrid, StaffGrid.grid_id == Grid.id)
                            .where(StaffGrid.account_id == viewer.account.id).order_by(Grid.name))
    return t("reports.weekly.scope_grids", grids="、".join(names) or "—")


def _weekly(request: Request, viewer: Viewer, week_text: str | None,
            action: str) -> tuple[WeeklyReport, str]:
    zone = _zone(request)
    try:
        week = parse_week(week_text, zone) if week_text else last_full_week(zone)
    except InvalidInputError:
        week = last_full_week(zone)
    t = translator(request, viewer.account)
    with request.app.state.sessions() as session:
        report = weekly_report(session, week, scope_of_account(session, viewer.account))
        scope_text = _scope_text(session, viewer, t)
        audit(session, actor=viewer.actor, action=action, target=f"week:{week.label}",
              detail={"ratings": report.ratings, "overdue": len(report.overdue)})
        session.commit()
    return report, scope_text


@router.get("/reports/weekly")
async def weekly_page(
    request: Request, viewer: Annotated[Viewer, Depends(STAFF)],
    week: Annotated[str | None, Query(pattern=WEEK_PATTERN)] = None,
) -> Response:
    report, scope_text = await run_in_threadpool(_weekly, request, viewer, week, "report.view")
    t = translator(request, viewer.account)
    return render(request, "reports_weekly.html", {
        "viewer": viewer, "report": report, "scope_text": scope_text,
        "zone": _zone(request).key, "week": report.week,
        "previous": report.week.shifted(-1).label, "next": report.week.shifted(1).label,
        "lowest_chart": figures.stars_chart(report.lowest, t, lambda k: figures.type_name(t, k)),
        "words_chart": figures.quick_comments_chart(report.quick_comments, t),
        "answers_chart": figures.answers_chart(report.answers, t),
        "answers_line": answers_line(report.answers, t),
        "type_name": lambda key: figures.type_name(t, key),
    })


@router.get("/reports/weekly.pdf")
async def weekly_pdf_download(
    request: Request, viewer: Annotated[Viewer, Depends(STAFF)],
    week: Annotated[str | None, Query(pattern=WEEK_PATTERN)] = None,
) -> Response:
    report, scope_text = await run_in_threadpool(_weekly, request, viewer, week, "report.pdf")
    t = translator(request, viewer.account)
    body = await run_in_threadpool(weekly_pdf, report, t, zone=_zone(request).key,
                                   scope_text=scope_text)
    headers = {**SECURITY_HEADERS,
               "Content-Disposition": f'attachment; filename="linli-weekly-{report.week.label}.pdf"'}
    return Response(body, media_type="application/pdf", headers=headers)
