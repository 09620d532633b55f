"""Builders of wire records for the server tests, and a snapshot of table row counts."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, func, select

from server.models import Base

T0 = datetime(2026, 11, 24, 8, 15, 2, 120000, tzinfo=timezone.utc)


def envelope(
    kiosk_id: uuid.UUID,
    kind: str = "help_call",
    payload: dict[str, Any] | None = None,
    *,
    record_id: uuid.UUID | None = None,
    created_at: datetime | str | None = None,
) -> dict[str, Any]:
    if payload is None:
        payload = help_call_payload()
    stamp = created_at if created_at is not None else T0
    return {
        "id": str(record_id or uuid.uuid4()),
        "kind": kind,
        "created_at": stamp if isinstance(stamp, str) else stamp.isoformat(),
        "kiosk_id": str(kiosk_id),
        "payload": payload,
    }


def help_call_payload(resident_id: uuid.UUID | None = None, source: str = "wristband_sos") -> dict[str, Any]:
    return {"resident_id": str(resident_id or uuid.uuid4()), "source": source}


def vitals_payload(index: int = 0, resident_id: uuid.UUID | None = None) -> dict[str, Any]:
    return {
        "resident_id": str(resident_id or uuid.uuid4()),
        "wristband_id": str(uuid.uuid4()),
        "measured_at": (T0 + timedelta(seconds=index)).isoformat(),
        "heart_rate": 60 + index % 40,
        "battery_percent": 80,
    }


def grocery_payload(resident_id: uuid.UUID | None = None) -> dict[str, Any]:
    return {
        "resident_id": str(resident_id or uuid.uuid4()),
        "details": {
            "type": "grocery",
            "items": [{"name": "鸡蛋", "quantity": "2", "unit": "斤"}],
            "note": "不要太大的",
        },
    }


def vitals_batch(kiosk_id: uuid.UUID, count: int) -> list[dict[str, Any]]:
    resident = uuid.uuid4()
    return [envelope(kiosk_id, "vitals_sample", vitals_payload(i, resident)) for i in range(count)]


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every server table: refusals must leave this unchanged."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }
