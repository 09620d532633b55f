"""Finding a pushed record's domain row by the kiosk's record id."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidStateError

Row = TypeVar("Row")


def find_pushed(
    session: Session, model: type[Row], record_id: uuid.UUID, kiosk_id: uuid.UUID | None = None
) -> Row | None:
    """The row of `model` for this record id, or None.

    Record ids are uuid4 made by kiosks, so the id alone finds the row; `kiosk_id` is only
    needed if two kiosks ever sent the same id (a broken or hostile kiosk).
    """
    query = select(model).where(model.record_id == record_id)  # type: ignore[attr-defined]
    if kiosk_id is not None:
        query = query.where(model.kiosk_id == kiosk_id)  # type: ignore[attr-defined]
    rows = session.scalars(query.limit(2)).all()
    if len(rows) > 1:
        raise InvalidStateError(
            f"record id {record_id} was sent by more than one kiosk; say which kiosk"
        )
    return rows[0] if rows else None
