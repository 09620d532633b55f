"""Turning a new record (kind + payload) into validated rows for the records and outbox tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from sync.errors import InvalidRecordError
from sync.records import PAYLOAD_MODELS, Envelope, RecordKind, priority_of
from sync.store_models import OutboxState


@dataclass(slots=True, frozen=True)
class NewRecord:
    """One record for `LocalStore.create_records`."""

    kind: RecordKind | str
    payload: BaseModel | Mapping[str, Any]
    resident_id: uuid.UUID | None = None


def build_rows(
    kiosk_id: uuid.UUID, records: Iterable[NewRecord], now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Validate every record and build its two rows; raises before anything is written.

    The envelope text is made here, once: the outbox keeps these exact bytes for every
    retry, so the server's "same content again" check can never be fooled by a different
    serialisation of the same record.
    """
    record_rows: list[dict[str, Any]] = []
    outbox_rows: list[dict[str, Any]] = []
    for new in records:
        kind, data, resident_id = validated(new)
        record_id = uuid.uuid4()
        envelope = Envelope(
            id=record_id, kind=kind, created_at=now, kiosk_id=kiosk_id, payload=data
        ).model_dump_json()
        record_rows.append(
            {
                "id": record_id,
                "kind": kind.value,
                "resident_id": resident_id,
                "created_at": now,
                "payload": data,
                "updated_at": now,
            }
        )
        outbox_rows.append(
            {
                "record_id": record_id,
                "kind": kind.value,
                "envelope": envelope,
                "priority": priority_of(kind),
                "state": OutboxState.PENDING.value,
                "attempts": 0,
                "created_at": now,
            }
        )
    return record_rows, outbox_rows


def validated(new: NewRecord) -> tuple[RecordKind, dict[str, Any], uuid.UUID | None]:
    """The record's kind, its payload as JSON-ready data, and the resident it is about."""
    try:
        kind = RecordKind(new.kind)
    except ValueError:
        raise InvalidRecordError(
            f"unknown record kind {new.kind!r}; use one of sync.records.RecordKind"
        ) from None
    model_cls = PAYLOAD_MODELS[kind]
    payload = new.payload
    if isinstance(payload, BaseModel):
        if not isinstance(payload, model_cls):
            raise InvalidRecordError(
                f"a {kind} record needs a {model_cls.__name__} payload, "
                f"not {type(payload).__name__}"
            )
        # Re-validate: a model built with model_construct() skipped validation.
        payload = payload.model_dump()
    try:
        model = model_cls.model_validate(payload)
    except ValidationError as exc:
        raise InvalidRecordError(
            f"invalid {kind} payload, nothing was stored: "
            f"{exc.errors(include_url=False, include_input=False)}"
        ) from exc
    resident_id = new.resident_id or getattr(model, "resident_id", None)
    return kind, model.model_dump(mode="json"), resident_id
