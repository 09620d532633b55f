"""GATT parsers: every Heart Rate Measurement flag, every malformed payload, battery, DIS, alerts."""

from __future__ import annotations

import logging
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices import (
    DeviceError,
    HeartRateMeasurement,
    InvalidAlert,
    InvalidText,
    MalformedPayload,
    ParseErrorCounter,
    SensorContact,
    TrailingBytes,
    TruncatedPayload,
    ValueOutOfRange,
    encode_heart_rate,
    parse_alert,
    parse_battery_level,
    parse_dis_string,
    parse_heart_rate,
)
from devices.alert_format import AlertEvent, BandAlert, encode_alert
from devices.gatt import (
    ALERT_CHARACTERISTIC_UUID,
    BATTERY_LEVEL_UUID,
    BATTERY_SERVICE_UUID,
    BODY_SENSOR_LOCATION_UUID,
    DEVICE_INFORMATION_FIELDS,
    DEVICE_INFORMATION_SERVICE_UUID,
    HEART_RATE_MEASUREMENT_UUID,
    HEART_RATE_SERVICE_UUID,
    MODEL_NUMBER_UUID,
    BodySensorLocation,
    parse_body_sensor_location,
)

# --- UUIDs -----------------------------------------------------------------------------


def test_uuids_are_the_128_bit_strings_bleak_reports() -> None:
    assert HEART_RATE_SERVICE_UUID == "0000180d-0000-1000-8000-00805f9b34fb"
    assert HEART_RATE_MEASUREMENT_UUID == "00002a37-0000-1000-8000-00805f9b34fb"
    assert BODY_SENSOR_LOCATION_UUID == "00002a38-0000-1000-8000-00805f9b34fb"
    assert BATTERY_SERVICE_UUID == "0000180f-0000-1000-8000-00805f9b34fb"
    assert BATTERY_LEVEL_UUID == "00002a19-0000-1000-8000-00805f9b34fb"
    assert DEVICE_INFORMATION_SERVICE_UUID == "0000180a-0000-1000-8000-00805f9b34fb"
    assert {name: uuid[4:8] for name, uuid in DEVICE_INFORMATION_FIELDS.items()} == {
        "manufacturer": "2a29", "model": "2a24", "serial": "2a25",
        "firmware": "2a26", "hardware": "2a27", "software": "2a28",
    }


# --- heart rate measurement: known vectors -------------------------------------------------

DETECTED, NOT_DETECTED, NO_SUPPORT = (SensorContact.DETECTED, SensorContact.NOT_DETECTED,
                                      SensorContact.NOT_SUPPORTED)


@pytest.mark.parametrize(("hex_bytes", "expected"), [
    ("0048", HeartRateMeasurement(72, NO_SUPPORT)),
    ("0000", HeartRateMeasurement(0, NO_SUPPORT)),  # no pulse lock yet: accepted, no reading
    ("00fa", HeartRateMeasurement(250, NO_SUPPORT)),
    ("014800", HeartRateMeasurement(72, NO_SUPPORT)),  # uint16 format for a small value
    ("01fa00", HeartRateMeasurement(250, NO_SUPPORT)),
    ("0248", HeartRateMeasurement(72, NO_SUPPORT)),  # 0b01: "not supported" per spec
    ("0448", HeartRateMeasurement(72, NOT_DETECTED)),
    ("0648", HeartRateMeasurement(72, DETECTED)),
    ("0600", HeartRateMeasurement(0, DETECTED)),  # bpm 0 with contact: accepted, no reading
    ("084810 27", HeartRateMeasurement(72, NO_SUPPORT, 10000)),
    ("0848ffff", HeartRateMeasurement(72, NO_SUPPORT, 0xFFFF)),  # the spec's "stays at max"
    ("10480004", HeartRateMeasurement(72, NO_SUPPORT, None, (1.0,))),
    ("1048 0004 0002 0001", HeartRateMeasurement(72, NO_SUPPORT, None, (1.0, 0.5, 0.25))),
    ("1f5000 6400 0004 0003", HeartRateMeasurement(80, DETECTED, 100, (1.0, 0.75))),
    ("e048", HeartRateMeasurement(72, NO_SUPPORT)),  # reserved bits 5-7: ignored
    ("ff5000 6400 0004", HeartRateMeasurement(80, DETECTED, 100, (1.0,))),
])
def test_known_heart_rate_vectors(hex_bytes: str, expected: HeartRateMeasurement) -> None:
    assert parse_heart_rate(bytes.fromhex(hex_bytes.replace(" ", ""))) == expected
    assert parse_heart_rate(bytearray.fromhex(hex_bytes.replace(" ", ""))) == expected


def test_many_rr_intervals_in_one_notification() -> None:
    # With a large ATT MTU a band can batch dozens of beats; there is no fixed limit.
    units = list(range(700, 1100, 5))
    data = bytes([0x16, 62]) + b"".join(struct.pack("<H", unit) for unit in units)
    parsed = parse_heart_rate(data)
    assert parsed.rr_intervals_s == tuple(unit / 1024 for unit in units)
    assert len(parsed.rr_intervals_s) == 80
    assert parsed.sensor_contact is DETECTED


def _hand_built(flags: int, bpm: int, energy: int, rr_units: list[int]) -> bytes:
    """The spec's layout, written out field by field (independent of encode_heart_rate)."""
    out = bytes([flags]) + (struct.pack("<H", bpm) if flags & 0x01 else bytes([bpm]))
    if flags & 0x08:
        out += struct.pack("<H", energy)
    if flags & 0x10:
        out += b"".join(struct.pack("<H", unit) for unit in rr_units)
    return out


@pytest.mark.parametrize("flags", range(256))
def test_every_flags_byte(flags: int) -> None:
    data = _hand_built(flags, 95, 1234, [1000, 980, 1010])
    parsed = parse_heart_rate(data)
    assert parsed.bpm == 95
    contact_bits = (flags >> 1) & 0b11
    assert parsed.sensor_contact is {0: NO_SUPPORT, 1: NO_SUPPORT, 2: NOT_DETECTED,
                                     3: DETECTED}[contact_bits]
    assert parsed.energy_expended_kj == (1234 if flags & 0x08 else None)
    assert parsed.rr_intervals_s == ((1000 / 1024, 980 / 1024, 1010 / 1024)
                                     if flags & 0x10 else ())


# --- heart rate measurement: malformed ---------------------------------------------------


@pytest.mark.parametrize(("hex_bytes", "error"), [
    ("", TruncatedPayload),  # nothing at all
    ("00", TruncatedPayload),  # flags, no value
    ("01", TruncatedPayload),  # uint16 announced, nothing follows
    ("0148", TruncatedPayload),  # uint16 announced, one byte follows
    ("0848", TruncatedPayload),  # energy announced, missing
    ("084810", TruncatedPayload),  # energy announced, half of it
    ("1048", TruncatedPayload),  # RR announced, none follows ("one or more")
    ("184810 27", TruncatedPayload),  # energy + RR announced, only energy
    ("104800", TrailingBytes),  # RR announced, one odd byte
    ("1048000400", TrailingBytes),  # one RR and an odd byte
    ("004800", TrailingBytes),  # a byte after the value, no flag for it
    ("01480000", TrailingBytes),
    ("0848102700", TrailingBytes),  # a byte after energy, no RR flag
    ("01fb00", ValueOutOfRange),  # 251 bpm
    ("01ffff", ValueOutOfRange),  # 0xFFFF: a firmware bug, not tachycardia
])
def test_malformed_heart_rate(hex_bytes: str, error: type[MalformedPayload]) -> None:
    data = bytes.fromhex(hex_bytes.replace(" ", ""))
    with pytest.raises(error) as caught:
        parse_heart_rate(data)
    assert type(caught.value) is error
    assert isinstance(caught.value, DeviceError)
    assert caught.value.characteristic == HEART_RATE_MEASUREMENT_UUID
    assert caught.value.data == data


def test_has_reading_needs_a_beat_and_skin() -> None:
    assert HeartRateMeasurement(72, DETECTED).has_reading
    assert HeartRateMeasurement(72, NO_SUPPORT).has_reading
    assert not HeartRateMeasurement(72, NOT_DETECTED).has_reading
    assert not HeartRateMeasurement(0, DETECTED).has_reading


# --- encode / parse round trip ------------------------------------------------------------

measurements = st.builds(
    HeartRateMeasurement,
    bpm=st.integers(0, 250),
    sensor_contact=st.sampled_from(SensorContact),
    energy_expended_kj=st.none() | st.integers(0, 0xFFFF),
    rr_intervals_s=st.lists(st.integers(0, 0xFFFF).map(lambda unit: unit / 1024),
                            max_size=40).map(tuple),
)


@given(measurements, st.sampled_from([None, True]))
def test_encode_then_parse_gives_the_same_measurement(
    measurement: HeartRateMeasurement, uint16: bool | None
) -> None:
    data = encode_heart_rate(measurement.bpm, measurement.sensor_contact,
                             measurement.energy_expended_kj, measurement.rr_intervals_s,
                             uint16=uint16)
    assert parse_heart_rate(data) == measurement


@given(st.binary(max_size=64))
def test_parse_any_bytes_gives_a_measurement_or_a_malformed_payload(data: bytes) -> None:
    try:
        parsed = parse_heart_rate(data)
    except MalformedPayload as exc:
        assert exc.characteristic == HEART_RATE_MEASUREMENT_UUID
        return
    # Whatever parses survives a trip through the encoder (reserved bits aside).
    again = encode_heart_rate(parsed.bpm, parsed.sensor_contact, parsed.energy_expended_kj,
                              parsed.rr_intervals_s, uint16=bool(data[0] & 0x01))
    assert parse_heart_rate(again) == parsed
    assert again[1:] == data[1:]


def test_encoder_picks_uint8_when_it_fits_and_refuses_what_cannot_be_sent() -> None:
    assert encode_heart_rate(72) == bytes([0x00, 72])
    assert encode_heart_rate(300) == bytes([0x01]) + struct.pack("<H", 300)  # sim: bad values
    with pytest.raises(ValueError):
        encode_heart_rate(300, uint16=False)
    with pytest.raises(ValueError):
        encode_heart_rate(-1)
    with pytest.raises(ValueError):
        encode_heart_rate(72, energy_expended_kj=0x10000)
    with pytest.raises(ValueError):
        encode_heart_rate(72, rr_intervals_s=[64.0])


# --- battery, body sensor location, device information --------------------------------------


@pytest.mark.parametrize(("data", "level"), [(b"\x00", 0), (b"\x14", 20), (b"\x64", 100)])
def test_battery_level(data: bytes, level: int) -> None:
    assert parse_battery_level(data) == level


@pytest.mark.parametrize(("data", "error"), [
    (b"", TruncatedPayload), (b"\x32\x00", TrailingBytes), (b"\x65", ValueOutOfRange),
    (b"\xff", ValueOutOfRange),
])
def test_malformed_battery_level(data: bytes, error: type[MalformedPayload]) -> None:
    with pytest.raises(error) as caught:
        parse_battery_level(data)
    assert caught.value.characteristic == BATTERY_LEVEL_UUID


def test_body_sensor_location() -> None:
    assert parse_body_sensor_location(b"\x02") is BodySensorLocation.WRIST
    with pytest.raises(ValueOutOfRange):
        parse_body_sensor_location(b"\x07")
    with pytest.raises(TrailingBytes):
        parse_body_sensor_location(b"\x02\x02")


@pytest.mark.parametrize(("data", "text"), [
    (b"Linli", "Linli"),
    (b"LB-1\x00\x00\x00", "LB-1"),  # NUL padding of fixed-size firmware buffers
    ("邻里手环".encode(), "邻里手环"),
    (b"", ""),
    (b"\x00\x00", ""),
    (b" 1.0.2 ", " 1.0.2 "),  # spaces are content; only NUL padding goes
])
def test_dis_string(data: bytes, text: str) -> None:
    assert parse_dis_string(data) == text


@pytest.mark.parametrize("data", [b"\xff\xfe", "邻".encode()[:2], b"LB\x00-1", b"\x00x"])
def test_invalid_dis_string(data: bytes) -> None:
    with pytest.raises(InvalidText) as caught:
        parse_dis_string(data, MODEL_NUMBER_UUID)
    assert caught.value.characteristic == MODEL_NUMBER_UUID


# --- the Linli alert characteristic ---------------------------------------------------------


def test_alert_parses_with_the_shared_layout() -> None:
    assert parse_alert(encode_alert(AlertEvent.FALL_DETECTED, 0xFFFF)) == BandAlert(
        AlertEvent.FALL_DETECTED, 0xFFFF)


@pytest.mark.parametrize("hex_bytes", ["", "010100", "0101000000", "020100 00", "01090000"])
def test_malformed_alert_is_a_malformed_payload(hex_bytes: str) -> None:
    data = bytes.fromhex(hex_bytes.replace(" ", ""))
    with pytest.raises(InvalidAlert) as caught:
        parse_alert(data)
    assert caught.value.characteristic == ALERT_CHARACTERISTIC_UUID
    assert isinstance(caught.value, MalformedPayload)


# --- counting bad packets -------------------------------------------------------------------


def _bad(characteristic_data: bytes = b"") -> MalformedPayload:
    try:
        parse_heart_rate(characteristic_data)
    except MalformedPayload as exc:
        return exc
    raise AssertionError("expected a malformed payload")


def test_parse_error_counter_counts_all_and_logs_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    counter = ParseErrorCounter(log_interval_s=60.0, monotonic=lambda: now[0])
    caplog.set_level(logging.WARNING, logger="devices.gatt")
    for second in range(100):  # a broken band: one bad packet a second
        now[0] = float(second)
        counter.record("AA:01", _bad())
    battery_error = MalformedPayload(BATTERY_LEVEL_UUID, b"\x65", "battery level 101")
    counter.record("AA:01", battery_error)
    counter.record("AA:02", _bad())

    assert counter.count("AA:01") == 101
    assert counter.count("AA:01", HEART_RATE_MEASUREMENT_UUID) == 100
    assert counter.count("AA:01", BATTERY_LEVEL_UUID) == 1
    assert counter.count("AA:02") == 1
    assert counter.totals()[("AA:02", HEART_RATE_MEASUREMENT_UUID)] == 1
    lines = [record.getMessage() for record in caplog.records]
    heart_lines = [line for line in lines if "AA:01" in line and "heart rate" in line]
    # Second 0 (the first) and second 60 (seconds 1..60 since): not 100 lines.
    assert len(heart_lines) == 2
    assert "sent 60 malformed" in heart_lines[1] and "(61 in all)" in heart_lines[1]
    assert len(lines) == 4  # plus one for AA:01's battery, one for AA:02
