"""The "new request for a resident" form: which fields each request type has, and reading them.

The field lists and the choices come from the wire models in sync/records.py, so the form
can only build details a kiosk could have sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Activity, utcnow
from server.services.on_behalf import DETAILS
from sync import records as wire

# The types staff enter here; grocery orders go through the volunteers' board.
_MODELS: dict[str, type[BaseModel]] = {
    "repair": wire.RepairDetails,
    "certificate": wire.CertificateDetails,
    "clinic_booking": wire.ClinicBookingDetails,
    "activity_booking": wire.ActivityBookingDetails,
    "mediation": wire.MediationDetails,
}
ENTRY_TYPES = tuple(_MODELS)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str  # choice, text, date, activity
    choices: tuple[str, ...] = ()
    required: bool = False
    default: str = ""


def _choice(model: type[BaseModel], name: str) -> Field:
    info = model.model_fields[name]
    required = info.is_required()
    return Field(name, "choice", tuple(get_args(info.annotation)), required,
                 "" if required else str(info.default))


FIELDS: dict[str, tuple[Field, ...]] = {
    "repair": (_choice(wire.RepairDetails, "what"), Field("description", "text")),
    "certificate": (_choice(wire.CertificateDetails, "certificate"), Field("purpose", "text")),
    "clinic_booking": (_choice(wire.ClinicBookingDetails, "department"), Field("preferred_date", "date"),
                       _choice(wire.ClinicBookingDetails, "time_of_day")),
    "activity_booking": (Field("activity_id", "activity", required=True),),
    "mediation": (_choice(wire.MediationDetails, "with_whom"), Field("description", "text")),
}


@dataclass(frozen=True, slots=True)
class ActivityChoice:
    id: uuid.UUID
    name: str
    starts_at: Any


def upcoming_activities(session: Session) -> list[ActivityChoice]:
    rows = session.scalars(select(Activity).where(Activity.active.is_(True), Activity.starts_at > utcnow())
                           .order_by(Activity.starts_at))
    return [ActivityChoice(row.id, row.name_zh, row.starts_at) for row in rows]


class FormInvalid(Exception):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def read_details(session: Session, request_type: str, form: Mapping[str, Any]) -> BaseModel:
    """The wire details for `request_type` from the posted form; FormInvalid names bad fields."""
    if request_type not in FIELDS:
        raise FormInvalid(["type"])
    raw: dict[str, Any] = {"type": request_type}
    for field in FIELDS[request_type]:
        value = str(form.get(field.name) or "").strip()
        if not value:
            continue
        if field.kind == "activity":
            activity = _activity(session, value)
            if activity is None:
                raise FormInvalid([field.name])
            raw["activity_id"], raw["activity_name"] = str(activity.id), activity.name_zh
        elif field.kind == "date":
            try:
                raw[field.name] = date.fromisoformat(value).isoformat()
            except ValueError:
                raise FormInvalid([field.name]) from None
        else:
            raw[field.name] = value
    try:
        return DETAILS.validate_python(raw)
    except ValidationError as exc:
        names = sorted({str(error["loc"][1]) if len(error["loc"]) > 1 else "type"
                        for error in exc.errors()})
        raise FormInvalid(names) from None


def _activity(session: Session, value: str) -> Activity | None:
    try:
        activity_id = uuid.UUID(value)
    except ValueError:
        return None
    activity = session.get(Activity, activity_id)
    return activity if activity is not None and activity.active else None
