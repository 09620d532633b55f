"""Push: check each envelope of a batch on its own, store the new ones in one transaction.

The body is parsed here rather than by FastAPI so that one bad record gets its own
per-record answer instead of failing the whole batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from server.errors import WireError, describe_validation_errors
from server.models import ReceivedRecord, utcnow
from server.services.apply import AcceptedRecord, apply_records
from server.services.bulk import bulk_insert
from sync.records import ENVELOPE_ADAPTER, Envelope, ItemResult, PushResponse, validate_payload
from sync.wire_errors import ErrorCode

log = logging.getLogger(__name__)


def push_batch(
    session: Session, kiosk_id: uuid.UUID, body: bytes, *, max_batch: int
) -> PushResponse:
    """Answer one push request body from the authenticated kiosk `kiosk_id`."""
    started = time.perf_counter()
    items = parse_body(body, max_batch=max_batch)
    results: list[ItemResult | None] = [None] * len(items)
    valid: list[AcceptedRecord] = []
    for index, item in enumerate(items):
        checked = check_item(index, item, kiosk_id)
        if isinstance(checked, ItemResult):
            results[index] = checked
        else:
            valid.append(checked)
    if valid:
        results_by_index = _store_with_retry(session, kiosk_id, valid)
        for index, result in results_by_index.items():
            results[index] = result
    final = [result for result in results if result is not None]
    accepted = sum(1 for result in final if result.code == ErrorCode.ACCEPTED)
    log.debug(
        "push from kiosk %s: %d records, %d accepted, in %.1f ms",
        kiosk_id, len(final), accepted, (time.perf_counter() - started) * 1000,
    )
    return PushResponse(results=final, accepted=accepted, rejected=len(final) - accepted)


def parse_body(body: bytes, *, max_batch: int) -> list[Any]:
    """The list of raw envelopes in a push body; raises WireError for a bad request."""
    non_finite: list[str] = []

    def _constant(name: str) -> _NonFinite:
        non_finite.append(name)
        return _NON_FINITE

    try:
        # NaN, Infinity and -Infinity are not JSON, though Python's parser reads them as
        # floats: they become markers that no schema accepts, answered per record below.
        document = json.loads(body, parse_constant=_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise WireError(400, ErrorCode.MALFORMED_JSON,
                        f"the request body is not valid UTF-8 JSON ({exc}); send {{\"records\": [...]}}") from exc
    if not isinstance(document, dict) or set(document) != {"records"} or not isinstance(
        document["records"], list
    ):
        raise WireError(422, ErrorCode.INVALID_REQUEST,
                        'the body must be a JSON object {"records": [...]} with no other keys')
    records = document["records"]
    if len(records) > max_batch:
        raise WireError(413, ErrorCode.BATCH_TOO_LARGE,
                        f"{len(records)} records in one push; send at most {max_batch} per request")
    if non_finite:
        records = [_mark_non_finite(item) for item in records]
    return records


class _NonFinite:
    """What NaN, Infinity and -Infinity in a body parse to: a value no schema accepts."""

    __slots__ = ()


_NON_FINITE = _NonFinite()


@dataclass(frozen=True, slots=True)
class _NonFiniteItem:
    """A raw envelope with a NaN or Infinity at `path`, to be refused."""

    record_id: uuid.UUID | None
    path: str


def _mark_non_finite(item: Any) -> Any:
    path = _non_finite_path(item, ())
    return item if path is None else _NonFiniteItem(_best_effort_id(item), path)


def _non_finite_path(value: Any, path: tuple[str, ...]) -> str | None:
    if isinstance(value, _NonFinite):
        return ".".join(path) or "(record)"
    children = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    for key, child in children:
        found = _non_finite_path(child, (*path, str(key)))
        if found is not None:
            return found
    return None


def payload_sha256(envelope: Envelope, payload: BaseModel) -> str:
    """A hash of what the record means, not of its bytes.

    Key order, whitespace, omitted defaults and the zone `created_at` was written in do
    not change it, so a kiosk that re-serialises a record is not told it conflicts.
    """
    canonical = {
        "kind": envelope.kind.value,
        "created_at": envelope.created_at.astimezone(timezone.utc).isoformat(),
        "payload": payload.model_dump(mode="json"),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_item(index: int, item: Any, kiosk_id: uuid.UUID) -> AcceptedRecord | ItemResult:
    """Validate one raw envelope: an AcceptedRecord to store, or the ItemResult refusing it."""
    if isinstance(item, _NonFiniteItem):
        in_payload = item.path.startswith("payload.")
        return _refuse(index, item.record_id,
                       ErrorCode.INVALID_PAYLOAD if in_payload else ErrorCode.INVALID_ENVELOPE,
                       f"{item.path}: NaN and Infinity are not JSON numbers; send a finite number")
    record_id = _best_effort_id(item)
    if not isinstance(item, dict):
        return _refuse(index, None, ErrorCode.INVALID_ENVELOPE, "the record is not a JSON object")
    try:
        envelope = ENVELOPE_ADAPTER.validate_python(item)
    except ValidationError as exc:
        errors = exc.errors()
        only_kind = all(error["loc"][:1] == ("kind",) for error in errors)
        if only_kind and isinstance(item.get("kind"), str):
            return _refuse(index, record_id, ErrorCode.UNKNOWN_KIND,
                           f"unknown record kind {item['kind']!r}; this server speaks wire version 1")
        return _refuse(index, record_id, ErrorCode.INVALID_ENVELOPE, describe_validation_errors(errors))
    if envelope.kiosk_id != kiosk_id:
        return _refuse(index, envelope.id, ErrorCode.KIOSK_MISMATCH,
                       "kiosk_id is not the kiosk this token belongs to")
    try:
        payload = validate_payload(envelope.kind, envelope.payload)
    except ValidationError as exc:
        return _refuse(index, envelope.id, ErrorCode.INVALID_PAYLOAD, describe_validation_errors(exc.errors()))
    # A zone can push a time past year 9999 once in UTC, which is how it is stored.
    if _beyond_utc_range(envelope.created_at):
        return _refuse(index, envelope.id, ErrorCode.INVALID_ENVELOPE, _OUT_OF_RANGE % "created_at")
    late = _time_beyond_utc_range(payload)
    if late is not None:
        return _refuse(index, envelope.id, ErrorCode.INVALID_PAYLOAD, _OUT_OF_RANGE % f"payload.{late}")
    return AcceptedRecord(
        index=index,
        id=envelope.id,
        kind=envelope.kind,
        created_at=envelope.created_at,
        payload=payload,
        sha256=payload_sha256(envelope, payload),
    )


_OUT_OF_RANGE = "%s: the time is past year 9999 once converted to UTC; send a real time"


def _beyond_utc_range(value: datetime) -> bool:
    try:
        value.astimezone(timezone.utc)
    except OverflowError:
        return True
    return False


def _time_beyond_utc_range(model: BaseModel) -> str | None:
    """The path of a time in `model` that cannot be stored in UTC, if any."""
    for name, value in model:
        if isinstance(value, datetime) and _beyond_utc_range(value):
            return name
        for position, child in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(child, BaseModel):
                inner = _time_beyond_utc_range(child)
                if inner is not None:
                    where = f"{name}.{position}" if isinstance(value, list) else name
                    return f"{where}.{inner}"
    return None


def _store_with_retry(
    session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord]
) -> dict[int, ItemResult]:
    """Store the batch; at most three attempts, each its own transaction."""
    one_by_one = raced = False
    while True:
        try:
            return _store(session, kiosk_id, records, one_by_one=one_by_one)
        except IntegrityError:
            session.rollback()
            if raced:
                raise
            # Another request (a retry still in flight, another server process) stored
            # some of these ids between our SELECT and INSERT. Redone, they are "known".
            raced = True
            log.info("concurrent push of the same records by kiosk %s; redoing the batch", kiosk_id)
        except DataError as exc:
            session.rollback()
            if one_by_one:  # cannot happen: one by one, each DataError is caught
                raise
            # A value validation let through but the database refuses. Answering 500
            # would make the kiosk resend the batch for ever: find the record instead.
            one_by_one = True
            log.warning(
                "kiosk %s: the database refused a value in a batch of %d records (%s); "
                "storing them one by one to find it", kiosk_id, len(records), _first_line(exc),
            )


# Built once, as every push asks it (see kiosks._KIOSK_BY_ID).
_received = ReceivedRecord.__table__
_KNOWN_IDS = select(_received.c.record_id, _received.c.payload_sha256).where(
    _received.c.kiosk_id == bindparam("kiosk_id"),
    _received.c.record_id.in_(bindparam("record_ids", expanding=True)))


def _store(
    session: Session, kiosk_id: uuid.UUID, records: list[AcceptedRecord], *, one_by_one: bool
) -> dict[int, ItemResult]:
    """One transaction: find which ids are known, insert the rest, apply them, commit.

    `one_by_one` inserts each new record in a savepoint of its own, so that a record the
    database refuses is answered `invalid_payload` and the others are still stored.
    """
    known: dict[uuid.UUID, str] = dict(session.execute(
        _KNOWN_IDS, {"kiosk_id": kiosk_id, "record_ids": list({record.id for record in records})}).all())
    results: dict[int, ItemResult] = {}
    fresh: list[AcceptedRecord] = []
    for record in records:
        stored_hash = known.get(record.id)
        if stored_hash is None:
            # Later copies in this batch compare against this one ("sent one after the other").
            known[record.id] = record.sha256
            fresh.append(record)
        elif stored_hash != record.sha256:
            results[record.index] = _refuse(
                record.index, record.id, ErrorCode.RECORD_ID_CONFLICT,
                "this id was stored before with different content; records never change, "
                "make a new record instead",
            )
            continue
        results[record.index] = ItemResult(
            index=record.index, id=record.id, status=200, code=ErrorCode.ACCEPTED
        )
    if fresh and not one_by_one:
        _insert(session, kiosk_id, fresh)
    elif fresh:
        refused: dict[uuid.UUID, str] = {}
        for record in fresh:
            try:
                with session.begin_nested():
                    _insert(session, kiosk_id, [record])
            except DataError as exc:
                refused[record.id] = _first_line(exc)
                log.warning("kiosk %s: record %s (%s) refused, the database cannot store it: %s",
                            kiosk_id, record.id, record.kind.value, refused[record.id])
        for record in records:  # later copies of a refused id were answered "accepted"
            if record.id in refused and results[record.index].code == ErrorCode.ACCEPTED:
                results[record.index] = _refuse(
                    record.index, record.id, ErrorCode.INVALID_PAYLOAD,
                    f"the server cannot store a value of this record ({refused[record.id]}); "
                    "it will never be accepted",
                )
    session.commit()
    return results


def _insert(session: Session, kiosk_id: uuid.UUID, fresh: list[AcceptedRecord]) -> None:
    received_at = utcnow()
    # Sorted by id so that two transactions inserting overlapping ids lock them in the
    # same order and wait for each other instead of deadlocking.
    bulk_insert(
        session,
        ReceivedRecord.__table__,
        [
            {
                "kiosk_id": kiosk_id,
                "record_id": record.id,
                "kind": record.kind.value,
                "payload_sha256": record.sha256,
                "created_at": record.created_at,
                "received_at": received_at,
            }
            for record in sorted(fresh, key=lambda r: r.id)
        ],
    )
    apply_records(session, kiosk_id, fresh)


def _first_line(exc: DataError) -> str:
    return str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__


def _refuse(index: int, record_id: uuid.UUID | None, code: ErrorCode, message: str) -> ItemResult:
    status = 409 if code == ErrorCode.RECORD_ID_CONFLICT else 422
    return ItemResult(index=index, id=record_id, status=status, code=code, message=message)


def _best_effort_id(item: Any) -> uuid.UUID | None:
    """The record's id for the answer, if it has a readable one, so the kiosk can match it."""
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        try:
            return uuid.UUID(item["id"])
        except ValueError:
            return None
    return None
