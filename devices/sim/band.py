"""A virtual Linli wristband: a bumble Device with real Heart Rate, Battery, DIS and alert services."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from bumble import hci
from bumble.att import ATT_READ_NOT_PERMITTED_ERROR, ATT_WRITE_NOT_PERMITTED_ERROR, ATT_Error
from bumble.core import UUID, AdvertisingData, BaseBumbleError
from bumble.device import AdvertisingType, Connection, Device
from bumble.gatt import Characteristic, CharacteristicValue, Service

from devices import gatt
from devices.alert_format import ALERT_CHARACTERISTIC_UUID, ALERT_SERVICE_UUID, AlertEvent, encode_alert
from devices.gatt import SensorContact, encode_heart_rate
from devices.sim._uuids import to_bleak, to_bumble
from devices.sim.radio import VirtualRadio

logger = logging.getLogger(__name__)

# The profile's UUIDs come from devices.gatt, which the kiosk parses with.
HEART_RATE_SERVICE = to_bumble(gatt.HEART_RATE_SERVICE_UUID)
HEART_RATE_MEASUREMENT = to_bumble(gatt.HEART_RATE_MEASUREMENT_UUID)
BODY_SENSOR_LOCATION = to_bumble(gatt.BODY_SENSOR_LOCATION_UUID)
HEART_RATE_CONTROL_POINT = UUID.from_16_bits(0x2A39)  # the kiosk never writes it; bands have it
BATTERY_SERVICE = to_bumble(gatt.BATTERY_SERVICE_UUID)
BATTERY_LEVEL = to_bumble(gatt.BATTERY_LEVEL_UUID)
DEVICE_INFORMATION_SERVICE = to_bumble(gatt.DEVICE_INFORMATION_SERVICE_UUID)
MANUFACTURER_NAME = to_bumble(gatt.MANUFACTURER_NAME_UUID)
MODEL_NUMBER = to_bumble(gatt.MODEL_NUMBER_UUID)
SERIAL_NUMBER = to_bumble(gatt.SERIAL_NUMBER_UUID)
FIRMWARE_REVISION = to_bumble(gatt.FIRMWARE_REVISION_UUID)
ALERT_SERVICE = to_bumble(ALERT_SERVICE_UUID)
ALERT = to_bumble(ALERT_CHARACTERISTIC_UUID)

BODY_SENSOR_WRIST = 0x02
# Heart Rate Control Point: the only defined command resets the energy expended counter.
_RESET_ENERGY_EXPENDED = 0x01
_CONTROL_POINT_NOT_SUPPORTED = 0x80  # ATT application error defined by HRS

_NOTIFY_BUDGET = 20
_READ = Characteristic.Properties.READ
_WRITE = Characteristic.Properties.WRITE
_NOTIFY = Characteristic.Properties.NOTIFY

# Legacy advertising interval the band asks for; bumble's virtual controller sends at
# the minimum, so this is also the real spacing of advertisements.
DEFAULT_ADVERTISING_INTERVAL_MS = 50.0


def _refuse_read(_connection: Connection) -> bytes:
    raise ATT_Error(ATT_READ_NOT_PERMITTED_ERROR)


def _refuse_write(_connection: Connection, _value: bytes) -> None:
    raise ATT_Error(ATT_WRITE_NOT_PERMITTED_ERROR)


def band_name(number: int) -> str:
    """'Linli-Band-01' for band 1 (at least two digits)."""
    return f"Linli-Band-{number:02d}"


def band_address(number: int) -> str:
    """'C0:4C:1A:00:00:0A' for band 10: a static random address, the number in hex."""
    if not 1 <= number <= 0xFFFF:
        raise ValueError(f"band number {number} is outside 1..65535")
    return f"C0:4C:1A:00:{number >> 8:02X}:{number & 0xFF:02X}"


class VirtualWristband:
    """One simulated wristband on a VirtualRadio.

    Call `await power_on()` to start advertising; the band measures heart rate once per
    `measurement_interval` seconds (notified to subscribers), and every `set_heart_rate`
    is a new measurement sent at once.
    """

    def __init__(
        self,
        radio: VirtualRadio,
        number: int,
        *,
        heart_rate: int = 72,
        battery: int = 90,
        contact: bool | None = True,
        manufacturer: str = "Linli",
        model: str = "LB-1",
        serial: str | None = None,
        firmware: str = "1.0.0",
        measurement_interval: float | None = 1.0,
        advertising_interval_ms: float = DEFAULT_ADVERTISING_INTERVAL_MS,
        alert_repeats: int = 2,
        alert_repeat_interval: float = 1.0,
    ) -> None:
        self.number = number
        self._name = band_name(number)
        self._address = band_address(number)
        self._radio = radio
        self.measurement_interval = measurement_interval
        self.advertising_interval_ms = advertising_interval_ms
        self.alert_repeats = alert_repeats
        self.alert_repeat_interval = alert_repeat_interval

        self._bpm = heart_rate
        self._contact = contact
        self._rr: tuple[float, ...] = ()
        self._energy: int | None = None
        self._uint16: bool | None = None
        self._battery = self._check_percent(battery)
        self._sequence = 0
        self._alert_value = b""
        self._alert_read = True
        self._undelivered: deque[bytes] = deque(maxlen=16)

        self._powered = False
        self._in_range = True
        self._measured = asyncio.Event()
        self._measure_task: asyncio.Task[None] | None = None
        self._repeat_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._advertising_lock = asyncio.Lock()

        self._device: Device = radio.create_device(self._name, self._address)
        # A typical nRF52-class band negotiates up to 247 (bumble's server would take 2048).
        self._device.gatt_server.max_mtu = 247
        self._device.on(Device.EVENT_CONNECTION, self._on_connection)
        self._characteristics: dict[str, Characteristic] = {}
        self._build_gatt(manufacturer, model, serial or f"LB1-{number:06d}", firmware)

    # ---- identity and state -------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def address(self) -> str:
        return self._address

    @property
    def device(self) -> Device:
        """The underlying bumble Device (for tests that need to look below the API)."""
        return self._device

    @property
    def powered(self) -> bool:
        return self._powered

    @property
    def in_range(self) -> bool:
        return self._in_range

    @property
    def connected(self) -> bool:
        return bool(self._device.connections)

    @property
    def advertising(self) -> bool:
        return self._device.is_advertising

    @property
    def heart_rate(self) -> int:
        return self._bpm

    @property
    def energy_expended(self) -> int | None:
        """kJ sent in the next measurement (None: the field is left out)."""
        return self._energy

    @property
    def battery(self) -> int:
        return self._battery

    @property
    def alert_sequence(self) -> int:
        """Sequence number of the latest alert event (0 before the first)."""
        return self._sequence

    @property
    def subscribed_characteristics(self) -> frozenset[str]:
        """bleak-style UUIDs of the characteristics some connection has notifications on for."""
        by_handle = {c.handle: uuid for uuid, c in self._characteristics.items()}
        subscribed = set()
        for cccds in self._device.gatt_server.subscribers.values():
            for handle, cccd in cccds.items():
                if len(cccd) == 2 and cccd[0] & 0x03 and handle in by_handle:
                    subscribed.add(by_handle[handle])
        return frozenset(subscribed)

    # ---- power and range ----------------------------------------------------------
    async def power_on(self) -> None:
        if self._powered:
            return
        await self._device.power_on()
        self._powered = True
        self._measure_task = asyncio.create_task(self._measure(), name=f"{self._name} measure")
        await self._update_advertising()
        logger.info("%s on at %s", self._name, self._address)

    async def power_off(self) -> None:
        if not self._powered:
            return
        self._powered = False
        for task in (self._measure_task, self._repeat_task):
            if task is not None:
                task.cancel()
        self._measure_task = self._repeat_task = None
        # Let in-flight HCI work finish: bumble's host breaks if a command is cancelled.
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._drop_links(hci.HCI_ErrorCode.REMOTE_DEVICE_TERMINATED_CONNECTION_DUE_TO_POWER_OFF_ERROR)
        await self._update_advertising()
        await self._device.power_off()
        logger.info("%s off", self._name)

    async def leave_range(self) -> None:
        """Walk out of radio range: the link drops and nothing is heard from the band.

        bumble's link has no supervision timeout, so the band ends the link itself with
        CONNECTION_TIMEOUT, which is what the kiosk's controller would report.
        """
        self._in_range = False
        await self._update_advertising()
        if self._powered:
            await self._drop_links(hci.HCI_ErrorCode.CONNECTION_TIMEOUT_ERROR)
        logger.info("%s left range", self._name)

    async def return_to_range(self) -> None:
        self._in_range = True
        await self._update_advertising()
        logger.info("%s back in range", self._name)

    # ---- measurements and events ---------------------------------------------------
    async def set_heart_rate(
        self,
        bpm: int,
        contact: bool | None = True,
        rr_intervals: Sequence[float] = (),
        energy: int | None = None,
        *,
        uint16: bool | None = None,
    ) -> None:
        """A new measurement, notified now; `contact=None` = no contact sensor, `energy`
        in kJ, RR intervals in seconds, `uint16` forces the 16-bit format."""
        self._encode(bpm, contact, rr_intervals, energy, uint16)  # refuse what cannot be sent
        self._bpm, self._contact, self._rr = bpm, contact, tuple(rr_intervals)
        self._energy, self._uint16 = energy, uint16
        await self._notify_heart_rate()
        self._measured.set()

    async def set_battery(self, percent: int) -> None:
        percent = self._check_percent(percent)
        changed = percent != self._battery
        self._battery = percent
        if changed:
            await self._notify(BATTERY_LEVEL, bytes([percent]))

    async def press_sos(self) -> int:
        """The wearer pressed the SOS button; returns the event's sequence number."""
        return await self._raise_alert(AlertEvent.SOS_PRESSED)

    async def detect_fall(self) -> int:
        return await self._raise_alert(AlertEvent.FALL_DETECTED)

    async def cancel_fall(self) -> int:
        """The wearer answered "I'm OK" on the band after a fall."""
        return await self._raise_alert(AlertEvent.FALL_CANCELLED)

    async def send_raw(self, characteristic_uuid: str | UUID, data: bytes) -> None:
        """Notify arbitrary bytes on one of the band's characteristics (malformed payloads)."""
        await self._notify(to_bumble(characteristic_uuid), bytes(data))

    # ---- GATT database -------------------------------------------------------------
    def _build_gatt(self, manufacturer: str, model: str, serial: str, firmware: str) -> None:
        def characteristic(
            uuid: UUID,
            properties: Characteristic.Properties,
            read: Callable[[Connection], bytes] | None = None,
            write: Callable[[Connection, bytes], None] | None = None,
        ) -> Characteristic:
            # bumble's GATT server does not check permissions ("TODO" in gatt_server): a
            # write to a read-only value would replace it, and one to a callback without a
            # writer kills the handler so the client waits 30 s. Refuse as a band would.
            permissions = (Characteristic.READABLE if read else 0) | (Characteristic.WRITEABLE if write else 0)
            value = CharacteristicValue(read=read or _refuse_read, write=write or _refuse_write)
            c = Characteristic(uuid, properties, permissions, value)
            self._characteristics[to_bleak(uuid)] = c
            return c

        def constant(data: bytes) -> Callable[[Connection], bytes]:
            return lambda _connection: data

        hrm = characteristic(HEART_RATE_MEASUREMENT, _NOTIFY)
        bsl = characteristic(BODY_SENSOR_LOCATION, _READ, constant(bytes([BODY_SENSOR_WRIST])))
        hrcp = characteristic(HEART_RATE_CONTROL_POINT, _WRITE, write=self._on_control_point)
        battery = characteristic(BATTERY_LEVEL, _READ | _NOTIFY, lambda _c: bytes([self._battery]))
        dis = [
            characteristic(uuid, _READ, constant(text.encode()))
            for uuid, text in (
                (MANUFACTURER_NAME, manufacturer),
                (MODEL_NUMBER, model),
                (SERIAL_NUMBER, serial),
                (FIRMWARE_REVISION, firmware),
            )
        ]
        alert = characteristic(ALERT, _READ | _NOTIFY, self._on_alert_read)
        alert.on(Characteristic.EVENT_SUBSCRIPTION, self._on_alert_subscription)
        self._device.add_services(
            [
                Service(HEART_RATE_SERVICE, [hrm, bsl, hrcp]),
                Service(BATTERY_SERVICE, [battery]),
                Service(DEVICE_INFORMATION_SERVICE, dis),
                Service(ALERT_SERVICE, [alert]),
            ]
        )

    def _on_control_point(self, _connection: Connection, value: bytes) -> None:
        if value[:1] != bytes([_RESET_ENERGY_EXPENDED]):
            raise ATT_Error(_CONTROL_POINT_NOT_SUPPORTED)
        if self._energy is not None:
            self._energy = 0
        logger.info("%s energy expended reset by the kiosk", self._name)

    def _on_alert_read(self, _connection: Connection) -> bytes:
        # The kiosk has the latest event: no need to keep repeating it.
        self._alert_read = True
        return self._alert_value

    def _on_alert_subscription(self, _bearer: Any, notify: bool, indicate: bool) -> None:
        if (notify or indicate) and self._undelivered:
            self._spawn(self._flush_undelivered())

    # ---- advertising and links -------------------------------------------------------
    def _advertising_data(self) -> bytes:
        data = bytes(
            AdvertisingData(
                [
                    (AdvertisingData.FLAGS, bytes([0x06])),  # LE General Discoverable, no BR/EDR
                    (AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, bytes(HEART_RATE_SERVICE)),
                    (AdvertisingData.COMPLETE_LOCAL_NAME, self._name.encode()),
                ]
            )
        )
        # Legacy advertising PDUs carry 31 bytes at most: there is no room for the
        # 128-bit alert service UUID, so bands are found by the HRS UUID and the name.
        assert len(data) <= 31, data
        return data

    async def _update_advertising(self) -> None:
        """Advertise exactly while powered, in range and not connected.

        One lock, and the decision taken inside it: a restart queued by a disconnection
        must not undo a leave_range() or power_off() that came after it.
        """
        async with self._advertising_lock:
            wanted = self._powered and self._in_range and not self.connected
            if wanted and not self._device.is_advertising:
                await self._start_advertising()
            elif not wanted and self._device.is_advertising:
                await self._device.stop_advertising()

    async def _start_advertising(self) -> None:
        await self._device.start_advertising(
            advertising_type=AdvertisingType.UNDIRECTED_CONNECTABLE_SCANNABLE,
            own_address_type=hci.OwnAddressType.RANDOM,
            advertising_data=self._advertising_data(),
            scan_response_data=b"",
            advertising_interval_min=self.advertising_interval_ms,
            advertising_interval_max=self.advertising_interval_ms,
        )

    def _on_connection(self, connection: Connection) -> None:
        logger.info("%s connected to %s", self._name, connection.peer_address)
        connection.on(Connection.EVENT_DISCONNECTION, lambda reason: self._on_disconnection(reason))

    def _on_disconnection(self, reason: int) -> None:
        logger.info("%s disconnected (%s)", self._name, hci.HCI_Constant.error_name(reason))
        self._spawn(self._update_advertising())

    async def _drop_links(self, reason: int) -> None:
        for connection in list(self._device.connections.values()):
            try:
                await connection.disconnect(reason)
            except BaseBumbleError:
                logger.debug("%s: link already gone", self._name, exc_info=True)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- notifications -----------------------------------------------------------------
    async def _notify(self, uuid: UUID, value: bytes) -> None:
        characteristic = self._characteristics.get(to_bleak(uuid))
        if characteristic is None:
            raise ValueError(f"{self._name} has no characteristic {uuid}")
        if not self._powered or not self.connected:
            return
        try:
            await self._device.notify_subscribers(characteristic, value)
        except BaseBumbleError:
            # The link can drop between the check and the send, as on a real radio.
            logger.debug("%s: notification lost", self._name, exc_info=True)

    async def _notify_heart_rate(self) -> None:
        payload = self._encode(self._bpm, self._contact, self._rr, self._energy, self._uint16)
        await self._notify(HEART_RATE_MEASUREMENT, payload)

    @staticmethod
    def _encode(
        bpm: int,
        contact: bool | None,
        rr_intervals: Sequence[float],
        energy: int | None,
        uint16: bool | None,
    ) -> bytes:
        sensor = (
            SensorContact.NOT_SUPPORTED
            if contact is None
            else SensorContact.DETECTED if contact else SensorContact.NOT_DETECTED
        )
        # A notification must fit ATT_MTU 23 (20 bytes), the MTU every central supports:
        # like real bands, send the newest RR intervals that fit and drop the oldest.
        fixed = 1 + (2 if (uint16 if uint16 is not None else bpm > 0xFF) else 1)
        fixed += 2 if energy is not None else 0
        room = max((_NOTIFY_BUDGET - fixed) // 2, 0)
        rr = tuple(rr_intervals)[-room:] if room else ()
        return encode_heart_rate(bpm, sensor, energy, rr, uint16=uint16)

    async def _measure(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._measured.wait(), self.measurement_interval)
            except TimeoutError:
                await self._notify_heart_rate()
            self._measured.clear()

    async def _raise_alert(self, event: AlertEvent) -> int:
        self._sequence = (self._sequence + 1) & 0xFFFF
        payload = encode_alert(event, self._sequence)
        self._alert_value = payload
        self._alert_read = False
        logger.info("%s alert %s seq=%d", self._name, event.name, self._sequence)
        if self._repeat_task is not None:
            self._repeat_task.cancel()
            self._repeat_task = None
        if ALERT_CHARACTERISTIC_UUID in self.subscribed_characteristics:
            # Sent before returning, so a newer event can never overtake this one.
            await self._notify(ALERT, payload)
            self._repeat_task = asyncio.create_task(self._repeat(payload))
        else:
            # Nobody listening (out of range, not yet subscribed): keep it for the kiosk.
            self._undelivered.append(payload)
        return self._sequence

    async def _repeat(self, payload: bytes) -> None:
        # A notification is not acknowledged: repeat the same sequence so one lost on a
        # weak link is not an SOS lost; the kiosk counts each sequence once.
        for _ in range(self.alert_repeats):
            await asyncio.sleep(self.alert_repeat_interval)
            if self._alert_read or self._alert_value != payload:
                return
            await self._notify(ALERT, payload)

    async def _flush_undelivered(self) -> None:
        if self._repeat_task is not None:
            self._repeat_task.cancel()
        latest = b""
        while self._undelivered:
            latest = self._undelivered.popleft()
            await self._notify(ALERT, latest)
        if latest:
            self._repeat_task = asyncio.create_task(self._repeat(latest))

    @staticmethod
    def _check_percent(percent: int) -> int:
        if not 0 <= percent <= 100:
            raise ValueError(f"battery level {percent} is outside 0..100")
        return int(percent)

    def __repr__(self) -> str:
        return f"VirtualWristband({self._name}, {self._address})"
