"""The resident's own vitals on this kiosk ("My health"): today's samples and open alerts.

Reads the records the wristband service wrote (VitalsSample, WristbandAlert) from the local
store; nothing here leaves the kiosk. Run on a fresh connection like sync.store_views.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from sync.records import RecordKind
from sync.store_models import LocalRecord

# Alerts a resident's own screen may show in colour (the rules raised them, not the screen).
HEART_ALERTS = ("heart_rate_high", "heart_rate_low")
BATTERY_ALERTS = ("battery_low", "battery_critical")


@dataclass(slots=True, frozen=True)
class VitalsPointView:
    measured_at: datetime
    wristband_id: uuid.UUID
    heart_rate: int | None
    battery_percent: int | None
    abnormal: bool


def vitals_since(conn: Connection, resident_id: uuid.UUID,
                 since: datetime) -> list[VitalsPointView]:
    """The resident's samples measured since `since`, oldest first."""
    rows = conn.execute(
        select(LocalRecord.payload)
        # Samples are stored within a minute of their measurement: the index narrows it.
        .where(LocalRecord.resident_id == resident_id,
               LocalRecord.kind == RecordKind.VITALS_SAMPLE.value,
               LocalRecord.created_at >= since)
    ).scalars().all()
    points = []
    for payload in rows:
        measured = datetime.fromisoformat(payload["measured_at"])
        if measured < since:
            continue
        points.append(VitalsPointView(measured, uuid.UUID(payload["wristband_id"]),
                                      payload.get("heart_rate"),
                                      payload.get("battery_percent"),
                                      bool(payload.get("abnormal", False))))
    points.sort(key=lambda point: point.measured_at)
    return points


def open_alerts(conn: Connection, resident_id: uuid.UUID,
                since: datetime) -> dict[str, float | None]:
    """Wristband alerts started since `since` and not ended since, with the value that
    started them: {"heart_rate_high": 131.0}."""
    rows = conn.execute(
        select(LocalRecord.payload)
        .where(LocalRecord.resident_id == resident_id,
               LocalRecord.kind == RecordKind.WRISTBAND_ALERT.value,
               LocalRecord.created_at >= since)
        .order_by(LocalRecord.created_at, LocalRecord.updated_at)
    ).scalars().all()
    latest: dict[str, tuple[str, float | None]] = {}
    for payload in sorted(rows, key=lambda p: datetime.fromisoformat(p["detected_at"])):
        latest[payload["alert"]] = (payload.get("phase", "started"), payload.get("value"))
    return {alert: value for alert, (phase, value) in latest.items() if phase == "started"}
