"""Wristbands: GATT parsers, alert rules, vitals downsampling and the recorder (no BLE I/O here).

The simulator (devices.sim) is never imported from here: production code does not load it.
"""

from __future__ import annotations

from devices.alert_format import AlertEvent, BandAlert
from devices.errors import (
    DeviceError,
    InvalidAlert,
    InvalidText,
    MalformedPayload,
    RecordingFailed,
    TrailingBytes,
    TruncatedPayload,
    ValueOutOfRange,
)
from devices.events import AlertChange, AlertKind, AlertPhase, Clock, ManualClock, SystemClock
from devices.gatt import (
    DeviceInfo,
    HeartRateMeasurement,
    ParseErrorCounter,
    SensorContact,
    encode_heart_rate,
    parse_alert,
    parse_battery_level,
    parse_dis_string,
    parse_heart_rate,
)
from devices.recorder import AlertRecorder, Pairing, PairingRegistry, Pairings, StorePairings
from devices.rules import AlertEngine, AlertThresholds
from devices.vitals import VitalsDownsampler, VitalsPoint

__all__ = [
    "AlertChange",
    "AlertEngine",
    "AlertEvent",
    "AlertKind",
    "AlertPhase",
    "AlertRecorder",
    "AlertThresholds",
    "BandAlert",
    "Clock",
    "DeviceError",
    "DeviceInfo",
    "HeartRateMeasurement",
    "InvalidAlert",
    "InvalidText",
    "MalformedPayload",
    "ManualClock",
    "Pairing",
    "PairingRegistry",
    "Pairings",
    "ParseErrorCounter",
    "RecordingFailed",
    "SensorContact",
    "StorePairings",
    "SystemClock",
    "TrailingBytes",
    "TruncatedPayload",
    "ValueOutOfRange",
    "VitalsDownsampler",
    "VitalsPoint",
    "encode_heart_rate",
    "parse_alert",
    "parse_battery_level",
    "parse_dis_string",
    "parse_heart_rate",
]
