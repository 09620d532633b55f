"""The recorder: alert changes and vitals samples become records in the kiosk's local store.

| change                            | record                                                   |
|-----------------------------------|----------------------------------------------------------|
| SOS                               | HelpCall(source=wristband_sos)                           |
| FALL (countdown ran out)          | HelpCall(source=fall)                                    |
| FALL_CANCELLED                    | WristbandAlert(fall_cancelled, phase=ended)              |
| heart rate high/low, no data,     | WristbandAlert(started / ended, value)                   |
| battery low/critical              |                                                          |
| FALL_COUNTDOWN_STARTED            | nothing: the kiosk asks "are you OK?"; only the outcome  |
|                                   | is a record                                              |
| a VitalsPoint                     | VitalsSample                                             |

Priorities come from sync.records.priority_of (help calls and alerts first); after any
urgent record the `on_urgent` callback (the kiosk's `SyncLoop.wake`) sends it at once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from devices.errors import RecordingFailed
from devices.events import AlertChange, AlertKind
from devices.vitals import VitalsPoint
from sync import InvalidRecordError, NewRecord
from sync.records import (
    HelpCall,
    HelpSource,
    RecordKind,
    VitalsSample,
    WristbandAlert,
    WristbandAlertType,
    priority_of,
)

if TYPE_CHECKING:
    from sync import LocalStore

log = logging.getLogger(__name__)

__all__ = ["AlertRecorder", "Pairing", "PairingRegistry", "Pairings", "StorePairings"]


def normalise_address(address: str) -> str:
    """BLE addresses compare upper-case (BlueZ reports them so; pairings may not be)."""
    return address.strip().upper()


@dataclass(slots=True, frozen=True)
class Pairing:
    wristband_id: uuid.UUID
    resident_id: uuid.UUID | None  # None: the band is known but worn by nobody here
    name: str | None = None


class PairingRegistry(Protocol):
    """Who wears the band at a BLE address."""

    def lookup(self, address: str) -> Pairing | None: ...


class _WristbandRow(Protocol):
    # The shape of sync's WristbandView (LocalStore.wristbands()).
    @property
    def wristband_id(self) -> uuid.UUID: ...
    @property
    def ble_address(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def resident_id(self) -> uuid.UUID | None: ...


class Pairings:
    """A fixed table of pairings, e.g. read once from the store."""

    def __init__(self, by_address: Mapping[str, Pairing] | None = None) -> None:
        self._by_address = {normalise_address(a): p for a, p in (by_address or {}).items()}

    @classmethod
    def from_rows(cls, rows: Iterable[_WristbandRow]) -> Pairings:
        return cls({row.ble_address: Pairing(row.wristband_id, row.resident_id, row.name)
                    for row in rows})

    @classmethod
    def from_store(cls, store: LocalStore) -> Pairings:
        return cls.from_rows(store.wristbands())

    def lookup(self, address: str) -> Pairing | None:
        return self._by_address.get(normalise_address(address))


class StorePairings:
    """Pairings read from the store at every lookup, so a pairing pulled a second ago counts.

    Lookups happen a few times a minute (alerts, one vitals batch); the table is tiny.
    """

    def __init__(self, store: LocalStore) -> None:
        self._store = store

    def lookup(self, address: str) -> Pairing | None:
        return Pairings.from_store(self._store).lookup(address)


_ALERT_TYPES: Mapping[AlertKind, WristbandAlertType] = {
    AlertKind.FALL_CANCELLED: WristbandAlertType.FALL_CANCELLED,
    AlertKind.HEART_RATE_HIGH: WristbandAlertType.HEART_RATE_HIGH,
    AlertKind.HEART_RATE_LOW: WristbandAlertType.HEART_RATE_LOW,
    AlertKind.NO_DATA: WristbandAlertType.NO_DATA,
    AlertKind.BATTERY_LOW: WristbandAlertType.BATTERY_LOW,
    AlertKind.BATTERY_CRITICAL: WristbandAlertType.BATTERY_CRITICAL,
}
_HELP_SOURCES: Mapping[AlertKind, HelpSource] = {
    AlertKind.SOS: HelpSource.WRISTBAND_SOS,
    AlertKind.FALL: HelpSource.FALL,
}


class AlertRecorder:
    """Writes alert changes and vitals samples to the local store.

    An alarm is never dropped: from a band paired to nobody it is still a help call
    (resident unknown, logged at WARNING), and one the store refuses is kept in memory,
    retried before every later write (or by `retry_unsaved`), and reported by raising
    `RecordingFailed` so the kiosk can say so.
    """

    def __init__(self, store: LocalStore, registry: PairingRegistry, *,
                 on_urgent: Callable[[], None] | None = None) -> None:
        self._store = store
        self._registry = registry
        self._on_urgent = on_urgent
        self._unsaved: list[NewRecord] = []

    @property
    def unsaved(self) -> int:
        """Alert records the store refused so far and that wait for a retry."""
        return len(self._unsaved)

    def record(self, change: AlertChange) -> uuid.UUID | None:
        """Store the record for `change`; its id, or None when the change makes no record.

        Raises:
            RecordingFailed: the store refused it (kept and retried later).
        """
        new = self._new_record(change)
        if new is None:
            return None
        return self._write([new])[-1]

    def record_all(self, changes: Iterable[AlertChange]) -> list[uuid.UUID]:
        """`record` for each change, in order, in one transaction."""
        news = [new for new in map(self._new_record, changes) if new is not None]
        if not news:
            return []
        return self._write(news)[-len(news):]

    def record_vitals(self, points: Iterable[VitalsPoint]) -> list[uuid.UUID]:
        """Store vitals samples in one transaction (the store's cheap bulk path).

        Samples of bands paired to no resident are skipped: a VitalsSample needs one.
        Refused samples are not kept (the next minute brings another).
        """
        news: list[NewRecord] = []
        for point in points:
            pairing = self._registry.lookup(point.band)
            if pairing is None or pairing.resident_id is None:
                log.debug("vitals of band %s not stored: worn by no resident here", point.band)
                continue
            news.append(NewRecord(RecordKind.VITALS_SAMPLE, VitalsSample(
                resident_id=pairing.resident_id, wristband_id=pairing.wristband_id,
                measured_at=point.measured_at, heart_rate=point.heart_rate,
                battery_percent=point.battery_percent, abnormal=point.abnormal)))
        if not news:
            return []
        try:
            return self._store.create_records(news)
        except InvalidRecordError:
            raise
        except Exception as exc:
            log.error("%d vitals sample(s) not stored: %s", len(news), exc)
            raise RecordingFailed(f"vitals samples not stored: {exc}") from exc

    def retry_unsaved(self) -> list[uuid.UUID]:
        """Write the alert records the store refused before; their ids.

        Raises:
            RecordingFailed: the store still refuses them (they stay kept).
        """
        return self._write([])

    # --- internals -----------------------------------------------------------------------

    def _new_record(self, change: AlertChange) -> NewRecord | None:
        pairing = self._registry.lookup(change.band)
        resident_id = pairing.resident_id if pairing else None
        wristband_id = pairing.wristband_id if pairing else None
        source = _HELP_SOURCES.get(change.kind)
        if source is not None:
            note = None
            if resident_id is None:
                log.warning("band %s (%s) raised %s but is paired to no resident here; "
                            "recording the help call without a resident", change.band,
                            "unknown wristband" if pairing is None else pairing.name,
                            change.kind)
                note = f"from wristband {change.band}, not paired to a resident on this kiosk"
            return NewRecord(RecordKind.HELP_CALL, HelpCall(
                resident_id=resident_id, source=source, wristband_id=wristband_id, note=note))
        alert_type = _ALERT_TYPES.get(change.kind)
        if alert_type is None:
            return None  # the fall countdown: a question on screen, not yet a record
        if wristband_id is None:
            log.warning("band %s is no known wristband; %s %s not recorded (a wristband "
                        "alert needs its wristband id)", change.band, change.kind, change.phase)
            return None
        return NewRecord(RecordKind.WRISTBAND_ALERT, WristbandAlert(
            resident_id=resident_id, wristband_id=wristband_id, alert=alert_type,
            phase=change.phase, detected_at=change.detected_at, value=change.value,
            band_sequence=change.sequence))

    def _write(self, news: list[NewRecord]) -> list[uuid.UUID]:
        """Store earlier refused records and `news` in one transaction; all their ids."""
        # Earlier refused records go first: an alarm must not be overtaken by later news.
        batch = [*self._unsaved, *news]
        if not batch:
            return []
        try:
            ids = self._store.create_records(batch)
        except InvalidRecordError:
            raise  # a bug in building the record: retrying cannot help
        except Exception as exc:
            self._unsaved = batch
            log.error("the store refused %d alert record(s); kept in memory for a retry: %s",
                      len(batch), exc)
            raise RecordingFailed(
                f"{len(batch)} alert record(s) are not stored yet ({exc}); they are kept and "
                "retried with the next record or by retry_unsaved()"
            ) from exc
        self._unsaved = []
        if any(priority_of(RecordKind(new.kind)) == 0 for new in batch):
            self._wake()
        return ids

    def _wake(self) -> None:
        if self._on_urgent is None:
            return
        try:
            self._on_urgent()
        except Exception:
            # The record is safe in the outbox and leaves with the next cycle anyway.
            log.exception("waking the sync loop for an urgent record failed")
