"""The Linli alert characteristic: its UUIDs and byte layout, defined once for bands and kiosks.

Service   52b0871d-8812-4d39-b2bf-86af6ce98556
Alert     1409b4d6-460f-476a-bcf9-e56c79c93877 (notify, read)

Every notification is exactly 4 bytes:

| offset | size | field    | values                                                    |
|--------|------|----------|-----------------------------------------------------------|
| 0      | 1    | version  | 0x01                                                      |
| 1      | 1    | event    | 0x01 SOS pressed, 0x02 fall detected, 0x03 fall cancelled |
|        |      |          | by the wearer ("I'm OK" on the band)                      |
| 2      | 2    | sequence | uint16 little-endian, +1 per event, wraps 0xFFFF -> 0      |

The band repeats an event (same sequence) until the kiosk has read it or for a few
seconds, because a notification can be lost on a weak link; the kiosk counts each
sequence number once. docs/WRISTBAND.md shows the same table.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

ALERT_SERVICE_UUID = "52b0871d-8812-4d39-b2bf-86af6ce98556"
ALERT_CHARACTERISTIC_UUID = "1409b4d6-460f-476a-bcf9-e56c79c93877"

ALERT_FORMAT_VERSION = 0x01
ALERT_PAYLOAD_SIZE = 4
_LAYOUT = struct.Struct("<BBH")


class AlertEvent(IntEnum):
    SOS_PRESSED = 0x01
    FALL_DETECTED = 0x02
    FALL_CANCELLED = 0x03


class MalformedAlert(ValueError):
    """An alert notification that does not follow the layout above."""


@dataclass(frozen=True, slots=True)
class BandAlert:
    event: AlertEvent
    sequence: int


def encode_alert(event: AlertEvent, sequence: int) -> bytes:
    """The 4 bytes a band notifies for `event` (used by the simulated bands)."""
    if not 0 <= sequence <= 0xFFFF:
        raise ValueError(f"sequence {sequence} is outside 0..65535")
    return _LAYOUT.pack(ALERT_FORMAT_VERSION, AlertEvent(event), sequence)


def decode_alert(data: bytes | bytearray) -> BandAlert:
    """Parse one alert notification; raises MalformedAlert for anything else."""
    if len(data) != ALERT_PAYLOAD_SIZE:
        raise MalformedAlert(f"alert notification has {len(data)} bytes, expected {ALERT_PAYLOAD_SIZE}")
    version, event, sequence = _LAYOUT.unpack(bytes(data))
    if version != ALERT_FORMAT_VERSION:
        raise MalformedAlert(f"alert format version {version:#04x} is unknown (expected 0x01)")
    try:
        return BandAlert(AlertEvent(event), sequence)
    except ValueError:
        raise MalformedAlert(f"alert event {event:#04x} is unknown") from None
