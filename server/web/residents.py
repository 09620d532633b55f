"""Residents a viewer may see, and one resident's page: heart rate, alarms, wristbands, kiosk."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from server.models import Grid, Kiosk, Resident, VitalsSample, Wristband, WristbandAlert, utcnow
from server.services import visibility
from server.services.accounts import Role
from server.services.audit import audit
from server.web.alerts import resident_alert_history
from server.web.chart import heart_rate_chart
from server.web.deps import Viewer, access
from server.web.setup import render

router = APIRouter(prefix="/residents")

HEALTH_ROLES = (Role.CAREGIVER, Role.STAFF, Role.ADMIN)
HISTORY = timedelta(days=7)
MAX_CHART_POINTS = 2000
# A kiosk syncs every few seconds; one not seen for this long is shown as unreachable.
KIOSK_OFFLINE_AFTER = timedelta(minutes=5)


# The page's statements, built once with bind parameters: building them on every view
# cost more CPU than the database spent answering them.
_RESIDENT = (select(Resident, Kiosk, Grid).where(Resident.id == bindparam("resident_id"))
             .outerjoin(Kiosk, Kiosk.id == Resident.kiosk_id)
             .outerjoin(Grid, Grid.id == Resident.grid_id))
_HEART_RATES = (select(VitalsSample.measured_at, VitalsSample.heart_rate)
                .where(VitalsSample.resident_id == bindparam("resident_id"),
                       VitalsSample.measured_at >= bindparam("since"),
                       VitalsSample.heart_rate.is_not(None))
                .order_by(VitalsSample.measured_at.desc()).limit(MAX_CHART_POINTS))
_BAND_ALERTS = (select(WristbandAlert).where(WristbandAlert.resident_id == bindparam("resident_id"))
                .order_by(WristbandAlert.detected_at.desc()).limit(50))
_battery = (select(VitalsSample.battery_percent)
            .where(VitalsSample.wristband_id == Wristband.id, VitalsSample.battery_percent.is_not(None))
            .order_by(VitalsSample.measured_at.desc()).limit(1).scalar_subquery())
_last_sample = (select(func.max(VitalsSample.measured_at))
                .where(VitalsSample.wristband_id == Wristband.id).scalar_subquery())
_last_alert = (select(func.max(WristbandAlert.detected_at))
               .where(WristbandAlert.wristband_id == Wristband.id).scalar_subquery())
_BANDS = (select(Wristband.name, Wristband.ble_address, _battery, _last_sample, _last_alert)
          .where(Wristband.resident_id == bindparam("resident_id")).order_by(Wristband.name))


@dataclass(frozen=True, slots=True)
class BandState:
    name: str
    ble_address: str
    battery_percent: int | None
    last_seen: datetime | None


def _list(request: Request, viewer: Viewer) -> list[Resident]:
    with request.app.state.sessions() as session:
        scope = visibility.resident_ids_in_scope(session, viewer.account)
        query = select(Resident).order_by(Resident.display_name)
        if scope is not None:
            query = query.where(Resident.id.in_(scope))
        residents = list(session.scalars(query))
        audit(session, actor=viewer.actor, action="residents.list", target="residents",
              detail={"shown": len(residents)})
        session.commit()
        return residents


@router.get("")
async def residents(request: Request,
                    viewer: Annotated[Viewer, Depends(access(*HEALTH_ROLES))]) -> Response:
    rows = await run_in_threadpool(_list, request, viewer)
    return render(request, "residents.html", {"viewer": viewer, "residents": rows})


def _bands(session: Session, resident_id: uuid.UUID) -> list[BandState]:
    """Each wristband with its last battery reading and when it was last heard, in one query."""
    rows = session.execute(_BANDS, {"resident_id": resident_id})
    return [BandState(name, address, battery_percent,
                      max((at for at in (sample_at, alert_at) if at is not None), default=None))
            for name, address, battery_percent, sample_at, alert_at in rows]


def _page(request: Request, viewer: Viewer, resident_id: uuid.UUID) -> dict[str, object]:
    with request.app.state.read_sessions() as session:
        found = session.execute(_RESIDENT, {"resident_id": resident_id}).first()
        if found is None:  # access() let it through only if visible; admins may ask for any id
            return {}
        resident, kiosk, grid = found
        samples = list(session.execute(
            _HEART_RATES, {"resident_id": resident_id, "since": utcnow() - HISTORY}).all())
        samples.reverse()
        band_alerts = list(session.scalars(_BAND_ALERTS, {"resident_id": resident_id}))
        return {
            "resident": resident,
            "chart": heart_rate_chart([(at, bpm) for at, bpm in samples]),
            "latest": samples[-1] if samples else None,
            "alerts": resident_alert_history(session, resident_id),
            "band_alerts": band_alerts,
            "bands": _bands(session, resident_id),
            "kiosk": kiosk,
            "kiosk_reachable": bool(kiosk and kiosk.last_seen_at
                                    and kiosk.last_seen_at >= utcnow() - KIOSK_OFFLINE_AFTER),
            "grid": grid,
            # Address and phone are for staff visits; caregivers know them already.
            "show_contact": viewer.role in (Role.STAFF, Role.ADMIN),
        }


@router.get("/{resident_id}")
async def resident_page(
    request: Request, resident_id: uuid.UUID,
    viewer: Annotated[Viewer, Depends(access(*HEALTH_ROLES, health=True))],
) -> Response:
    context = await run_in_threadpool(_page, request, viewer, resident_id)
    if not context:
        return render(request, "message.html", {"viewer": viewer, "title_key": "errors.not_found_title",
                                                "message_key": "errors.not_found"}, status_code=404)
    return render(request, "resident.html", {"viewer": viewer, **context})
