"""What the wristband manager reports: readings, band alerts, connection states and presence."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from devices.alert_format import BandAlert
    from devices.gatt import HeartRateMeasurement


class BandState(StrEnum):
    """Where a paired wristband stands, in words the kiosk can show."""

    UNSEEN = "unseen"  # paired, not heard from since the kiosk started
    WAITING = "waiting"  # in range, waiting for a free connection slot (the cap)
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"  # the link dropped; trying again after a back-off
    NOT_FOUND = "not_found"  # an attempt found nothing within the timeout; backing off
    OUT_OF_RANGE = "out_of_range"  # not seen for `not_seen_after` seconds


class PresenceKind(StrEnum):
    NO_DATA = "no_data"  # connected, but no heart rate for `no_data_after` seconds
    DATA_RESUMED = "data_resumed"
    NOT_SEEN = "not_seen"  # neither connected nor advertising for `not_seen_after` seconds
    SEEN_AGAIN = "seen_again"


@dataclass(frozen=True, slots=True)
class HeartRateReading:
    address: str
    at: float  # the manager's monotonic clock
    measurement: HeartRateMeasurement


@dataclass(frozen=True, slots=True)
class BatteryReading:
    address: str
    at: float  # the manager's monotonic clock
    percent: int


@dataclass(frozen=True, slots=True)
class AlertReceived:
    """A band alert notification, not yet de-duplicated by sequence number."""

    address: str
    at: float  # the manager's monotonic clock
    alert: BandAlert


@dataclass(frozen=True, slots=True)
class StateChanged:
    address: str
    at: float  # the manager's monotonic clock
    state: BandState
    previous: BandState
    reason: str


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    address: str
    at: float  # the manager's monotonic clock
    kind: PresenceKind


@dataclass(frozen=True, slots=True)
class PayloadRejected:
    """A malformed notification or read, counted and dropped; the link stays up."""

    address: str
    at: float  # the manager's monotonic clock
    characteristic: str
    error: str
    count: int  # rejected payloads from this band so far


BandEvent = Union[HeartRateReading, BatteryReading, AlertReceived, StateChanged, PresenceChanged, PayloadRejected]


@dataclass(frozen=True, slots=True)
class BandSnapshot:
    """One band's state for status lines and tests (ages in seconds; None = never)."""

    address: str
    name: str | None
    state: BandState
    battery_percent: int | None
    heart_rate: int | None
    last_reading_age: float | None
    last_seen_age: float | None
    failures: int
    retry_in: float | None
    rejected_payloads: int
    rssi: int | None = None  # dBm of its last advertisement; None: not heard advertising


@dataclass(frozen=True, slots=True)
class NearbyBand:
    """A wristband heard advertising that this kiosk does not look after."""

    address: str
    name: str
    rssi: int
    seen_age: float
