"""The recorder on a real kiosk store (SQLite file): which change becomes which record, with
which priority; alarms wake the sync loop and are never dropped."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devices import (
    AlertChange,
    AlertKind,
    AlertPhase,
    AlertRecorder,
    Pairing,
    Pairings,
    RecordingFailed,
    StorePairings,
    VitalsPoint,
)
from sync import LocalStore
from sync.records import RecordKind

PAIRED = "AA:BB:CC:00:00:01"
UNWORN = "AA:BB:CC:00:00:02"  # a known band, worn by no resident here
STRANGER = "AA:BB:CC:00:00:99"  # no pairing at all
WHEN = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    with LocalStore.open(tmp_path / "kiosk.sqlite3", uuid.uuid4()) as opened:
        yield opened


@pytest.fixture
def resident() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def bands(store: LocalStore, resident: uuid.UUID) -> dict[str, uuid.UUID]:
    """Pairings pulled the way the server sends them (lower-case address on purpose)."""
    ids = {PAIRED: uuid.uuid4(), UNWORN: uuid.uuid4()}
    changes = [
        {"seq": 1, "kind": "wristband_pairing", "changed_at": WHEN.isoformat(),
         "payload": {"wristband_id": str(ids[PAIRED]), "ble_address": PAIRED.lower(),
                     "name": "band 1", "resident_id": str(resident)}},
        {"seq": 2, "kind": "wristband_pairing", "changed_at": WHEN.isoformat(),
         "payload": {"wristband_id": str(ids[UNWORN]), "ble_address": UNWORN,
                     "name": "spare band", "resident_id": None}},
    ]
    assert store.apply_pull(changes, next_cursor=2).applied == 2
    return ids


@pytest.fixture
def wakes() -> list[int]:
    return []


@pytest.fixture
def recorder(store: LocalStore, bands: dict[str, uuid.UUID], wakes: list[int]) -> AlertRecorder:
    return AlertRecorder(store, StorePairings(store), on_urgent=lambda: wakes.append(1))


def change(kind: AlertKind, band: str = PAIRED, phase: AlertPhase = AlertPhase.STARTED,
           **extra: object) -> AlertChange:
    return AlertChange(band, kind, phase, 0.0, WHEN, **extra)  # type: ignore[arg-type]


def stored(store: LocalStore) -> dict[uuid.UUID, tuple[RecordKind, int, dict]]:
    """record id -> (kind, outbox priority, payload), from the outbox's frozen envelopes."""
    return {item.record_id: (item.kind, item.priority, json.loads(item.envelope)["payload"])
            for item in store.due_batch(1000)}


# --- alarms -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "source"), [(AlertKind.SOS, "wristband_sos"),
                                              (AlertKind.FALL, "fall")])
def test_alarms_become_urgent_help_calls_and_wake_the_sync_loop(
    recorder: AlertRecorder, store: LocalStore, bands: dict[str, uuid.UUID],
    resident: uuid.UUID, wakes: list[int], kind: AlertKind, source: str,
) -> None:
    record_id = recorder.record(change(kind, sequence=9))
    assert record_id is not None
    assert stored(store) == {record_id: (RecordKind.HELP_CALL, 0, {
        "resident_id": str(resident), "source": source,
        "wristband_id": str(bands[PAIRED]), "note": None})}
    assert wakes == [1]


def test_the_fall_countdown_is_no_record(recorder: AlertRecorder, store: LocalStore,
                                         wakes: list[int]) -> None:
    assert recorder.record(change(AlertKind.FALL_COUNTDOWN_STARTED, deadline=30.0)) is None
    assert stored(store) == {} and wakes == []


def test_a_cancelled_fall_is_recorded_and_is_no_help_call(
    recorder: AlertRecorder, store: LocalStore, bands: dict[str, uuid.UUID], resident: uuid.UUID,
) -> None:
    record_id = recorder.record(change(AlertKind.FALL_CANCELLED, phase=AlertPhase.ENDED,
                                       sequence=7, detail="kiosk"))
    kind, priority, payload = stored(store)[record_id]
    assert (kind, priority) == (RecordKind.WRISTBAND_ALERT, 0)
    assert payload == {"resident_id": str(resident), "wristband_id": str(bands[PAIRED]),
                       "alert": "fall_cancelled", "phase": "ended",
                       "detected_at": "2026-01-05T08:00:00Z", "value": None,
                       "band_sequence": 7}


@pytest.mark.parametrize("kind", [AlertKind.HEART_RATE_HIGH, AlertKind.HEART_RATE_LOW,
                                  AlertKind.NO_DATA, AlertKind.BATTERY_LOW,
                                  AlertKind.BATTERY_CRITICAL])
@pytest.mark.parametrize("phase", [AlertPhase.STARTED, AlertPhase.ENDED])
def test_conditions_become_wristband_alerts(
    recorder: AlertRecorder, store: LocalStore, bands: dict[str, uuid.UUID],
    wakes: list[int], kind: AlertKind, phase: AlertPhase,
) -> None:
    record_id = recorder.record(change(kind, phase=phase, value=131))
    record_kind, priority, payload = stored(store)[record_id]
    assert (record_kind, priority) == (RecordKind.WRISTBAND_ALERT, 0)
    assert (payload["alert"], payload["phase"], payload["value"]) == (kind.value, phase.value, 131)
    assert payload["wristband_id"] == str(bands[PAIRED])
    assert wakes == [1]  # urgent in the outbox, so sent at once too


def test_record_all_keeps_order_in_one_go(recorder: AlertRecorder, store: LocalStore) -> None:
    ids = recorder.record_all([
        change(AlertKind.FALL_COUNTDOWN_STARTED),
        change(AlertKind.BATTERY_LOW, value=19),
        change(AlertKind.SOS, sequence=1),
    ])
    assert [stored(store)[record_id][0] for record_id in ids] == [
        RecordKind.WRISTBAND_ALERT, RecordKind.HELP_CALL]


# --- bands nobody wears -----------------------------------------------------------------------


def test_an_alarm_from_a_band_worn_by_nobody_is_still_a_help_call(
    recorder: AlertRecorder, store: LocalStore, bands: dict[str, uuid.UUID],
    wakes: list[int], caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="devices.recorder")
    unworn = recorder.record(change(AlertKind.SOS, band=UNWORN))
    stranger = recorder.record(change(AlertKind.FALL, band=STRANGER.lower()))
    records = stored(store)
    assert records[unworn][2]["resident_id"] is None
    assert records[unworn][2]["wristband_id"] == str(bands[UNWORN])
    assert records[stranger][2]["resident_id"] is None
    assert records[stranger][2]["wristband_id"] is None
    assert STRANGER.lower() in records[stranger][2]["note"]
    assert wakes == [1, 1]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2


def test_a_condition_of_an_unknown_band_cannot_be_a_wristband_alert(
    recorder: AlertRecorder, store: LocalStore, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="devices.recorder")
    assert recorder.record(change(AlertKind.BATTERY_LOW, band=STRANGER)) is None
    assert stored(store) == {}
    assert "no known wristband" in caplog.text


def test_store_pairings_see_a_pairing_pulled_later(
    store: LocalStore, recorder: AlertRecorder, resident: uuid.UUID,
) -> None:
    fixed = Pairings.from_store(store)
    new_band = uuid.uuid4()
    store.apply_pull([{"seq": 3, "kind": "wristband_pairing", "changed_at": WHEN.isoformat(),
                       "payload": {"wristband_id": str(new_band), "ble_address": STRANGER,
                                   "name": "band 3", "resident_id": str(resident)}}], 3)
    assert fixed.lookup(STRANGER) is None
    assert StorePairings(store).lookup(STRANGER.lower()) == Pairing(new_band, resident, "band 3")


# --- vitals -----------------------------------------------------------------------------------


def test_vitals_samples_go_last_and_do_not_wake(
    recorder: AlertRecorder, store: LocalStore, bands: dict[str, uuid.UUID],
    resident: uuid.UUID, wakes: list[int],
) -> None:
    ids = recorder.record_vitals([
        VitalsPoint(PAIRED, WHEN, 72, 80),
        VitalsPoint(PAIRED, WHEN, 131, abnormal=True),
        VitalsPoint(UNWORN, WHEN, 70),  # worn by nobody: a sample needs a resident
    ])
    assert len(ids) == 2
    records = stored(store)
    assert [records[record_id][:2] for record_id in ids] == [(RecordKind.VITALS_SAMPLE, 2)] * 2
    first, second = (records[record_id][2] for record_id in ids)
    assert first == {"resident_id": str(resident), "wristband_id": str(bands[PAIRED]),
                     "measured_at": "2026-01-05T08:00:00Z", "heart_rate": 72,
                     "battery_percent": 80, "abnormal": False}
    assert second["abnormal"] is True and second["heart_rate"] == 131
    assert wakes == []


# --- a store that refuses -----------------------------------------------------------------------


def test_an_alarm_the_store_refuses_is_kept_and_written_later(
    recorder: AlertRecorder, store: LocalStore, wakes: list[int], full_disk: Any,
) -> None:
    disk = full_disk(store)
    disk.fill()
    before = len(stored(store))

    with pytest.raises(RecordingFailed, match="kept"):
        recorder.record(change(AlertKind.SOS, sequence=1))
    with pytest.raises(RecordingFailed):
        recorder.record(change(AlertKind.FALL, sequence=2))
    assert recorder.unsaved == 2 and wakes == []
    assert len(stored(store)) == before

    disk.free()
    ids = recorder.retry_unsaved()
    assert [stored(store)[record_id][2]["source"] for record_id in ids] == ["wristband_sos",
                                                                          "fall"]
    assert recorder.unsaved == 0 and wakes == [1]


def test_a_failing_wake_does_not_lose_the_record(store: LocalStore,
                                                 bands: dict[str, uuid.UUID]) -> None:
    def broken_wake() -> None:
        raise RuntimeError("sync loop stopped")

    recorder = AlertRecorder(store, Pairings.from_store(store), on_urgent=broken_wake)
    record_id = recorder.record(change(AlertKind.SOS))
    assert stored(store)[record_id][0] is RecordKind.HELP_CALL
