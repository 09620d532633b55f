"""Property tests of the wire parsers: whatever arrives, only the documented errors come out.

The server's push parser (`parse_body`, `check_item`) answers every body with a WireError or
one ItemResult per item, never an exception; the kiosk's pull applier skips what it cannot
use. Inputs are drawn from JSON-shaped values and from valid envelopes with one field broken,
which reach much deeper than random bytes alone.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.errors import WireError
from server.services.apply import AcceptedRecord
from server.services.ingest import check_item, parse_body
from sync.records import ChangeKind, ItemResult, RecordKind

KIOSK = uuid.UUID("00000000-0000-4000-8000-000000000001")

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)

_VALID_PAYLOADS = {
    "help_call": {"resident_id": str(uuid.uuid4()), "source": "wristband_sos"},
    "vitals_sample": {"resident_id": str(uuid.uuid4()), "wristband_id": str(uuid.uuid4()),
                      "measured_at": "2026-11-24T08:15:02+00:00", "heart_rate": 72,
                      "battery_percent": 80},
    "service_request": {"resident_id": str(uuid.uuid4()),
                        "details": {"type": "grocery", "note": "",
                                    "items": [{"name": "鸡蛋", "quantity": "2", "unit": "斤"}]}},
    "feedback": {"resident_id": str(uuid.uuid4()), "request_id": str(uuid.uuid4()), "stars": 5},
}


@st.composite
def broken_envelopes(draw: st.DrawFn) -> dict:
    """A valid envelope of a common kind with one field (or one payload field) replaced."""
    kind = draw(st.sampled_from(sorted(_VALID_PAYLOADS)))
    envelope = {"id": str(uuid.uuid4()), "kind": kind, "kiosk_id": str(KIOSK),
                "created_at": datetime.now(UTC).isoformat(), "payload": dict(_VALID_PAYLOADS[kind])}
    target = envelope if draw(st.booleans()) else envelope["payload"]
    key = draw(st.sampled_from(sorted(target)) | st.text(max_size=8))
    if draw(st.booleans()):
        target[key] = draw(json_values)
    else:
        target.pop(key, None)
    return envelope


@given(st.binary(max_size=300))
def test_any_body_bytes_give_a_list_or_a_wire_error(body: bytes) -> None:
    try:
        items = parse_body(body, max_batch=50)
    except WireError as exc:
        assert 400 <= exc.status_code < 500 and exc.code
    else:
        assert isinstance(items, list)


@given(json_values)
def test_any_json_body_gives_a_list_or_a_wire_error(value: object) -> None:
    body = json.dumps({"records": value} if isinstance(value, list) else value).encode()
    try:
        parse_body(body, max_batch=50)
    except WireError as exc:
        assert 400 <= exc.status_code < 500


@given(json_values | broken_envelopes())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_every_item_is_accepted_or_refused_with_a_stable_code(item: object) -> None:
    result = check_item(0, item, KIOSK)
    if isinstance(result, ItemResult):
        assert result.status == 422 and result.code in {
            "invalid_envelope", "invalid_payload", "unknown_kind", "kiosk_mismatch"}
        assert result.message
    else:
        assert isinstance(result, AcceptedRecord)
        assert result.kind in set(RecordKind)


@st.composite
def pulled_changes(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from([kind.value for kind in ChangeKind]) | st.text(max_size=10))
    return {"seq": draw(st.integers(min_value=-5, max_value=10**6) | json_values),
            "kind": kind, "changed_at": draw(st.sampled_from(
                ["2026-11-24T08:15:02+00:00", "yesterday", ""]) | json_values),
            "payload": draw(st.dictionaries(st.sampled_from(
                ["resident_id", "display_name", "status", "request_id", "wristband_id",
                 "ble_address", "name", "help_call_id", "state", "delta", "balance"]),
                json_values, max_size=5) | json_values)}


@given(st.lists(pulled_changes(), max_size=5))
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow], deadline=None)
def test_the_kiosk_skips_pulled_changes_it_cannot_use_and_still_moves_its_cursor(
    tmp_path_factory, changes: list[dict]
) -> None:
    from sync.store import LocalStore

    path = Path(tmp_path_factory.mktemp("store")) / "kiosk.sqlite3"
    store = LocalStore.open(path, KIOSK)
    try:
        applied = store.apply_pull(changes, next_cursor=77)
        assert applied.applied + applied.skipped == len(changes)
        assert store.cursor() == 77
    finally:
        store.close()
