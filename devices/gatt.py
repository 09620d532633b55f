"""The GATT profile a Linli wristband offers: UUIDs, pure parsers and encoders, parse-error counts.

Standard services (Bluetooth SIG): Heart Rate 0x180D (measurement 0x2A37, body sensor
location 0x2A38), Battery 0x180F (level 0x2A19), Device Information 0x180A; plus the Linli
alert service from devices.alert_format. UUIDs are the full 128-bit lower-case strings bleak
reports. docs/WRISTBAND.md describes the same profile for people.
"""

from __future__ import annotations

import logging
import struct
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from devices.alert_format import (
    ALERT_CHARACTERISTIC_UUID,
    ALERT_SERVICE_UUID,
    BandAlert,
    MalformedAlert,
    decode_alert,
)
from devices.errors import (
    InvalidAlert,
    InvalidText,
    MalformedPayload,
    TrailingBytes,
    TruncatedPayload,
    ValueOutOfRange,
)

log = logging.getLogger(__name__)


def sig_uuid(short: int) -> str:
    """The 128-bit form of a 16-bit Bluetooth SIG UUID, as bleak reports it."""
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


HEART_RATE_SERVICE_UUID = sig_uuid(0x180D)
HEART_RATE_MEASUREMENT_UUID = sig_uuid(0x2A37)
BODY_SENSOR_LOCATION_UUID = sig_uuid(0x2A38)
BATTERY_SERVICE_UUID = sig_uuid(0x180F)
BATTERY_LEVEL_UUID = sig_uuid(0x2A19)
DEVICE_INFORMATION_SERVICE_UUID = sig_uuid(0x180A)
MANUFACTURER_NAME_UUID = sig_uuid(0x2A29)
MODEL_NUMBER_UUID = sig_uuid(0x2A24)
SERIAL_NUMBER_UUID = sig_uuid(0x2A25)
FIRMWARE_REVISION_UUID = sig_uuid(0x2A26)
HARDWARE_REVISION_UUID = sig_uuid(0x2A27)
SOFTWARE_REVISION_UUID = sig_uuid(0x2A28)

# DeviceInfo field -> characteristic, in the order the manager reads them.
DEVICE_INFORMATION_FIELDS: Mapping[str, str] = {
    "manufacturer": MANUFACTURER_NAME_UUID,
    "model": MODEL_NUMBER_UUID,
    "serial": SERIAL_NUMBER_UUID,
    "firmware": FIRMWARE_REVISION_UUID,
    "hardware": HARDWARE_REVISION_UUID,
    "software": SOFTWARE_REVISION_UUID,
}

__all__ = [
    "ALERT_CHARACTERISTIC_UUID",
    "ALERT_SERVICE_UUID",
    "BATTERY_LEVEL_UUID",
    "BATTERY_SERVICE_UUID",
    "BODY_SENSOR_LOCATION_UUID",
    "DEVICE_INFORMATION_FIELDS",
    "DEVICE_INFORMATION_SERVICE_UUID",
    "FIRMWARE_REVISION_UUID",
    "HARDWARE_REVISION_UUID",
    "HEART_RATE_MEASUREMENT_UUID",
    "HEART_RATE_SERVICE_UUID",
    "MANUFACTURER_NAME_UUID",
    "MAX_BPM",
    "MODEL_NUMBER_UUID",
    "SERIAL_NUMBER_UUID",
    "SOFTWARE_REVISION_UUID",
    "BodySensorLocation",
    "DeviceInfo",
    "HeartRateMeasurement",
    "ParseErrorCounter",
    "SensorContact",
    "encode_heart_rate",
    "parse_alert",
    "parse_battery_level",
    "parse_body_sensor_location",
    "parse_dis_string",
    "parse_heart_rate",
    "sig_uuid",
]

# --- heart rate measurement (HRS 1.0, 0x2A37) -------------------------------------------

_FLAG_UINT16 = 0x01
_FLAG_CONTACT_DETECTED = 0x02
_FLAG_CONTACT_SUPPORTED = 0x04
_FLAG_ENERGY = 0x08
_FLAG_RR = 0x10
# Bits 5-7 are reserved for future use: the spec asks receivers to ignore them.

# The wire schema's ceiling (sync.records.VitalsSample.heart_rate): no heart beats faster,
# and a firmware bug sending 0xFFFF must show in the parse-error count, not as tachycardia.
MAX_BPM = 250
_RR_UNITS_PER_S = 1024
_U16 = struct.Struct("<H")


class SensorContact(StrEnum):
    """Flags bits 1-2: whether the band can tell it touches skin, and whether it does."""

    NOT_SUPPORTED = "not_supported"  # 0b00 and 0b01
    NOT_DETECTED = "not_detected"  # 0b10: off the wrist, or poor contact
    DETECTED = "detected"  # 0b11


@dataclass(slots=True, frozen=True)
class HeartRateMeasurement:
    """One Heart Rate Measurement notification.

    `bpm` 0 is accepted: bands send it while they have no pulse lock. It is no reading
    (see `has_reading`), not a heart rate of zero.
    """

    bpm: int
    sensor_contact: SensorContact = SensorContact.NOT_SUPPORTED
    energy_expended_kj: int | None = None
    rr_intervals_s: tuple[float, ...] = ()

    @property
    def has_reading(self) -> bool:
        """True when `bpm` is a heart rate: non-zero and not flagged as off the skin."""
        return self.bpm > 0 and self.sensor_contact is not SensorContact.NOT_DETECTED


def parse_heart_rate(data: bytes | bytearray) -> HeartRateMeasurement:
    """Parse one Heart Rate Measurement value, every flag of the spec.

    Raises:
        TruncatedPayload: fewer bytes than the flags promise (including the RR flag with
            no interval at all: the spec says "one or more").
        TrailingBytes: bytes left after the last field the flags announce, or an odd
            byte after the RR intervals.
        ValueOutOfRange: bpm above MAX_BPM.
    """
    raw = bytes(data)
    uuid = HEART_RATE_MEASUREMENT_UUID
    if not raw:
        raise TruncatedPayload(uuid, raw, "heart rate measurement is empty (no flags byte)")
    flags = raw[0]
    offset = 1
    if flags & _FLAG_UINT16:
        if len(raw) < offset + 2:
            raise TruncatedPayload(uuid, raw, f"heart rate flags {flags:#04x} announce a uint16 "
                                   f"value but only {len(raw) - offset} byte(s) follow")
        (bpm,) = _U16.unpack_from(raw, offset)
        offset += 2
    else:
        if len(raw) < offset + 1:
            raise TruncatedPayload(uuid, raw, "heart rate measurement has flags but no value")
        bpm = raw[offset]
        offset += 1
    if bpm > MAX_BPM:
        raise ValueOutOfRange(uuid, raw, f"heart rate {bpm} bpm is above {MAX_BPM}: not a heart")

    if flags & _FLAG_CONTACT_SUPPORTED:
        contact = (SensorContact.DETECTED if flags & _FLAG_CONTACT_DETECTED
                   else SensorContact.NOT_DETECTED)
    else:
        contact = SensorContact.NOT_SUPPORTED

    energy: int | None = None
    if flags & _FLAG_ENERGY:
        if len(raw) < offset + 2:
            raise TruncatedPayload(uuid, raw, f"heart rate flags {flags:#04x} announce energy "
                                   f"expended but only {len(raw) - offset} byte(s) follow")
        (energy,) = _U16.unpack_from(raw, offset)
        offset += 2

    rr: tuple[float, ...] = ()
    if flags & _FLAG_RR:
        rest = len(raw) - offset
        if rest == 0:
            raise TruncatedPayload(uuid, raw, "RR-interval flag set but no interval follows")
        if rest % 2:
            raise TrailingBytes(uuid, raw, f"RR intervals take 2 bytes each; {rest} bytes follow")
        rr = tuple(value / _RR_UNITS_PER_S
                   for (value,) in _U16.iter_unpack(raw[offset:]))
        offset = len(raw)

    if offset != len(raw):
        raise TrailingBytes(uuid, raw, f"{len(raw) - offset} byte(s) after the last field "
                            f"that flags {flags:#04x} announce")
    return HeartRateMeasurement(bpm, contact, energy, rr)


def encode_heart_rate(
    bpm: int,
    sensor_contact: SensorContact = SensorContact.NOT_SUPPORTED,
    energy_expended_kj: int | None = None,
    rr_intervals_s: Iterable[float] = (),
    *,
    uint16: bool | None = None,
) -> bytes:
    """The Heart Rate Measurement bytes for these values (the simulated bands use it).

    `uint16=None` picks the uint8 format when the value fits, as the spec recommends.
    RR intervals are rounded to the nearest 1/1024 s.

    Raises:
        ValueError: a value the format cannot carry.
    """
    wide = bpm > 0xFF if uint16 is None else uint16
    if not 0 <= bpm <= (0xFFFF if wide else 0xFF):
        raise ValueError(f"bpm {bpm} does not fit the {'uint16' if wide else 'uint8'} format")
    flags = _FLAG_UINT16 if wide else 0
    if sensor_contact is SensorContact.DETECTED:
        flags |= _FLAG_CONTACT_SUPPORTED | _FLAG_CONTACT_DETECTED
    elif sensor_contact is SensorContact.NOT_DETECTED:
        flags |= _FLAG_CONTACT_SUPPORTED
    body = _U16.pack(bpm) if wide else bytes([bpm])
    if energy_expended_kj is not None:
        if not 0 <= energy_expended_kj <= 0xFFFF:
            raise ValueError(f"energy expended {energy_expended_kj} kJ is outside 0..65535")
        flags |= _FLAG_ENERGY
        body += _U16.pack(energy_expended_kj)
    units = [round(seconds * _RR_UNITS_PER_S) for seconds in rr_intervals_s]
    if units:
        if not all(0 <= unit <= 0xFFFF for unit in units):
            raise ValueError("RR intervals must be within 0..64 s")
        flags |= _FLAG_RR
        body += b"".join(_U16.pack(unit) for unit in units)
    return bytes([flags]) + body


# --- body sensor location (0x2A38) ------------------------------------------------------


class BodySensorLocation(IntEnum):
    OTHER = 0
    CHEST = 1
    WRIST = 2
    FINGER = 3
    HAND = 4
    EAR_LOBE = 5
    FOOT = 6


def parse_body_sensor_location(data: bytes | bytearray) -> BodySensorLocation:
    """Exactly one byte, 0..6; other values are reserved by the spec and refused."""
    raw = _exactly_one_byte(BODY_SENSOR_LOCATION_UUID, data, "body sensor location")
    try:
        return BodySensorLocation(raw[0])
    except ValueError:
        raise ValueOutOfRange(BODY_SENSOR_LOCATION_UUID, raw,
                              f"body sensor location {raw[0]} is reserved") from None


# --- battery level (0x2A19) -------------------------------------------------------------


def parse_battery_level(data: bytes | bytearray) -> int:
    """Battery percent: exactly one byte, 0..100."""
    raw = _exactly_one_byte(BATTERY_LEVEL_UUID, data, "battery level")
    if raw[0] > 100:
        raise ValueOutOfRange(BATTERY_LEVEL_UUID, raw, f"battery level {raw[0]} % is above 100")
    return raw[0]


def _exactly_one_byte(uuid: str, data: bytes | bytearray, what: str) -> bytes:
    raw = bytes(data)
    if not raw:
        raise TruncatedPayload(uuid, raw, f"{what} is empty")
    if len(raw) > 1:
        raise TrailingBytes(uuid, raw, f"{what} has {len(raw)} bytes, expected 1")
    return raw


# --- device information (0x180A) --------------------------------------------------------


def parse_dis_string(data: bytes | bytearray, characteristic: str = MANUFACTURER_NAME_UUID) -> str:
    """A Device Information string: UTF-8, trailing NUL padding removed.

    Raises:
        InvalidText: not UTF-8, or a NUL before the padding (garbage, and PostgreSQL text
            cannot hold NUL anyway).
    """
    raw = bytes(data)
    stripped = raw.rstrip(b"\x00")
    if b"\x00" in stripped:
        raise InvalidText(characteristic, raw, "device information text holds a NUL inside it")
    try:
        return stripped.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidText(characteristic, raw, f"device information text is not UTF-8: {exc}") from None


@dataclass(slots=True, frozen=True)
class DeviceInfo:
    """What the Device Information service says; a field the band lacks is None."""

    manufacturer: str | None = None
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    hardware: str | None = None
    software: str | None = None


# --- the Linli alert characteristic -----------------------------------------------------


def parse_alert(data: bytes | bytearray) -> BandAlert:
    """One Linli alert notification (layout in devices.alert_format)."""
    try:
        return decode_alert(data)
    except MalformedAlert as exc:
        raise InvalidAlert(ALERT_CHARACTERISTIC_UUID, bytes(data), str(exc)) from exc


# --- counting bad packets ---------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    total: int = 0
    unlogged: int = 0
    logged_at: float | None = None


class ParseErrorCounter:
    """Counts malformed payloads per band and characteristic, and logs them rate-limited.

    A band with a firmware bug can send a bad packet every second; one WARNING per band
    and characteristic per `log_interval_s` (with the count since the last line) keeps the
    log readable while the totals stay exact.
    """

    def __init__(self, log_interval_s: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._interval = log_interval_s
        self._monotonic = monotonic
        self._tallies: dict[tuple[str, str], _Tally] = {}

    def record(self, band: str, error: MalformedPayload) -> None:
        """Count one bad payload from `band`; log it unless a line was logged recently."""
        key = (band, error.characteristic)
        tally = self._tallies.setdefault(key, _Tally())
        tally.total += 1
        tally.unlogged += 1
        now = self._monotonic()
        if tally.logged_at is not None and now - tally.logged_at < self._interval:
            return
        log.warning(
            "band %s sent %d malformed %s value(s) since the last report (%d in all); "
            "latest %s: %s (bytes %s)",
            band, tally.unlogged, _name_of(error.characteristic), tally.total,
            type(error).__name__, error, error.data.hex() or "none",
        )
        tally.unlogged = 0
        tally.logged_at = now

    def count(self, band: str, characteristic: str | None = None) -> int:
        """Bad payloads from `band` (for one characteristic, or all of them)."""
        return sum(tally.total for (b, c), tally in self._tallies.items()
                   if b == band and characteristic in (None, c))

    def totals(self) -> dict[tuple[str, str], int]:
        """(band, characteristic) -> count, for diagnostics and `linli bench`."""
        return {key: tally.total for key, tally in self._tallies.items()}


_NAMES = {
    HEART_RATE_MEASUREMENT_UUID: "heart rate measurement",
    BODY_SENSOR_LOCATION_UUID: "body sensor location",
    BATTERY_LEVEL_UUID: "battery level",
    ALERT_CHARACTERISTIC_UUID: "alert",
    **{uuid: f"device information {name}" for name, uuid in DEVICE_INFORMATION_FIELDS.items()},
}


def _name_of(characteristic: str) -> str:
    return _NAMES.get(characteristic, characteristic)
