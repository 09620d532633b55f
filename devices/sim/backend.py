"""A bleak backend over the virtual radio's bumble central: BumbleScanner and BumbleClient.

Production code stays plain bleak; the simulator is chosen with bleak's own `backend=`:

    BleakScanner(callback, service_uuids=None, backend=BumbleScanner, radio=radio)
    BleakClient(address_or_device, backend=BumbleClient, radio=radio, disconnected_callback=cb)
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Callable
from typing import Any, Literal

from bleak.args import SizedBuffer
from bleak.assigned_numbers import CharacteristicPropertyName
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDeviceNotFoundError,
    BleakError,
    BleakGATTProtocolError,
)
from bumble import core, hci
from bumble.att import ATT_Error
from bumble.core import UUID, AdvertisingData
from bumble.device import Advertisement, Connection
from bumble.gatt_client import CharacteristicProxy, DescriptorProxy

from devices.sim._uuids import to_bleak
from devices.sim.radio import VirtualRadio

logger = logging.getLogger(__name__)

# What BlueZ asks for; the band answers with what it can do.
_REQUESTED_MTU = 517
# BlueZ does not expose GAP (0x1800) and GATT (0x1801): the kiosk code sees the same tree here.
_HIDDEN_SERVICES = {to_bleak(UUID.from_16_bits(0x1800)), to_bleak(UUID.from_16_bits(0x1801))}

_PROPERTY_NAMES: tuple[tuple[int, CharacteristicPropertyName], ...] = (
    (0x01, "broadcast"),
    (0x02, "read"),
    (0x04, "write-without-response"),
    (0x08, "write"),
    (0x10, "notify"),
    (0x20, "indicate"),
    (0x40, "authenticated-signed-writes"),
    (0x80, "extended-properties"),
)

_UUID_LISTS = (
    (AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, 2),
    (AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, 2),
    (AdvertisingData.COMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS, 4),
    (AdvertisingData.INCOMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS, 4),
    (AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS, 16),
    (AdvertisingData.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS, 16),
)
_SERVICE_DATA = (
    (AdvertisingData.SERVICE_DATA_16_BIT_UUID, 2),
    (AdvertisingData.SERVICE_DATA_32_BIT_UUID, 4),
    (AdvertisingData.SERVICE_DATA_128_BIT_UUID, 16),
)


def _require_radio(radio: VirtualRadio | None) -> VirtualRadio:
    if not isinstance(radio, VirtualRadio):
        raise TypeError("the bumble backend needs radio=VirtualRadio(...) passed to bleak")
    if not radio.started:
        raise BleakBluetoothNotAvailableError(
            "the virtual radio is not started: await radio.start() first",
            BleakBluetoothNotAvailableReason.POWERED_OFF,
        )
    return radio


def advertisement_data(advertisement: Advertisement) -> AdvertisementData:
    """bleak's AdvertisementData for one bumble advertisement."""
    data = advertisement.data
    names = data.get_all(AdvertisingData.COMPLETE_LOCAL_NAME, raw=True) or data.get_all(
        AdvertisingData.SHORTENED_LOCAL_NAME, raw=True
    )
    uuids: list[str] = []
    for ad_type, size in _UUID_LISTS:
        for raw in data.get_all(ad_type, raw=True):
            for offset in range(0, len(raw) - size + 1, size):
                uuid = to_bleak(UUID.from_bytes(raw[offset : offset + size]))
                if uuid not in uuids:
                    uuids.append(uuid)
    service_data: dict[str, bytes] = {}
    for ad_type, size in _SERVICE_DATA:
        for raw in data.get_all(ad_type, raw=True):
            if len(raw) >= size:
                service_data[to_bleak(UUID.from_bytes(raw[:size]))] = bytes(raw[size:])
    manufacturer_data: dict[int, bytes] = {}
    for raw in data.get_all(AdvertisingData.MANUFACTURER_SPECIFIC_DATA, raw=True):
        if len(raw) >= 2:
            manufacturer_data[struct.unpack_from("<H", raw)[0]] = bytes(raw[2:])
    tx_power = data.get_all(AdvertisingData.TX_POWER_LEVEL, raw=True)
    return AdvertisementData(
        local_name=names[0].decode("utf-8", "replace") if names else None,
        manufacturer_data=manufacturer_data,
        service_data=service_data,
        service_uuids=uuids,
        tx_power=struct.unpack("<b", tx_power[0][:1])[0] if tx_power and tx_power[0] else None,
        rssi=advertisement.rssi,
        platform_data=(advertisement,),
    )


class BumbleScanner(BaseBleakScanner):
    """Scans on the virtual radio's central; every advertisement reaches the callbacks."""

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: Literal["active", "passive"] = "active",
        *,
        radio: VirtualRadio | None = None,
        **kwargs: Any,  # bleak passes bluez= and cb= to every backend
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        if radio is None:
            raise TypeError("BumbleScanner needs radio=VirtualRadio(...)")
        self._radio = radio
        self._scanning_mode = scanning_mode
        self._remove: Callable[[], Any] | None = None

    async def start(self) -> None:
        radio = _require_radio(self._radio)
        if self._remove is not None:
            raise BleakError("Scanner already started")
        self.seen_devices = {}
        self._remove = await radio.add_scan_listener(self._on_advertisement)

    async def stop(self) -> None:
        remove, self._remove = self._remove, None
        if remove is not None:
            await remove()

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        adv = advertisement_data(advertisement)
        if not self.is_allowed_uuid(adv.service_uuids):
            return
        address = advertisement.address.to_string(False)
        device = self.create_or_update_device(address, address, adv.local_name, advertisement.address, adv)
        self.call_detection_callbacks(device, adv)


class BumbleClient(BaseBleakClient):
    """A GATT client on the virtual radio's central, one link per instance."""

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        radio: VirtualRadio | None = None,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        services: set[str] | None = None,
        **kwargs: Any,  # bleak passes bluez= and winrt= to every backend
    ) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout)
        if radio is None:
            raise TypeError("BumbleClient needs radio=VirtualRadio(...)")
        self._radio = radio
        self._wanted_services = services
        self._name = address_or_ble_device.name if isinstance(address_or_ble_device, BLEDevice) else None
        self._connection: Connection | None = None
        self._disconnect_requested = False
        self._characteristics: dict[int, CharacteristicProxy[bytes]] = {}
        self._descriptors: dict[int, DescriptorProxy] = {}
        self._subscribers: dict[int, Callable[[bytes], None]] = {}

    # ---- connection ----------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name or self.address

    @property
    def mtu_size(self) -> int:
        return self._connection.att_mtu if self._connection is not None else 23

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        """Connect and discover services within `timeout` seconds.

        Raises:
            BleakDeviceNotFoundError: the central never heard this address and a scan of
                `timeout` seconds did not find it (what BlueZ does).
            asyncio.TimeoutError: the band did not answer in time (absent, out of range).
            BleakError: already connected, or the radio refused.
        """
        radio = _require_radio(self._radio)
        if self.is_connected:
            raise BleakError("Client is already connected")
        if pair:
            logger.info("%s: pairing is not simulated; the bands need no bonding", self.address)
        timeout: float = kwargs.get("timeout", self._timeout)
        if self.address.upper() not in radio.known_addresses:
            await self._find(timeout)
        peer = hci.Address(self.address.upper())
        async with asyncio.timeout(timeout):
            async with radio.connect_lock:
                connection = await self._create_connection(peer)
            self._connection = connection
            self._disconnect_requested = False
            connection.on(Connection.EVENT_DISCONNECTION, self._on_disconnection)
            try:
                await connection.gatt_client.request_mtu(_REQUESTED_MTU)
                self.services = await self._discover()
            except BaseException:
                await self._drop(connection)
                raise
        logger.info("connected to %s (mtu %d)", self.address, self.mtu_size)

    async def _find(self, timeout: float) -> None:
        from bleak import BleakScanner  # the public scanner drives our backend, as BlueZ's client does

        device = await BleakScanner.find_device_by_address(
            self.address, timeout=timeout, backend=BumbleScanner, radio=self._radio
        )
        if device is None:
            raise BleakDeviceNotFoundError(self.address, f"Device with address {self.address} was not found.")
        self._name = self._name or device.name

    async def _create_connection(self, peer: hci.Address) -> Connection:
        central = self._radio.central
        try:
            # No bumble timeout: the caller's asyncio.timeout cancels us, and we cancel the
            # controller's pending connection ourselves below.
            return await central.connect_le(peer, timeout=None)
        except asyncio.CancelledError:
            await self._cancel_pending(peer)
            raise
        except core.ConnectionError as exc:
            raise BleakError(f"connecting to {self.address} failed: {exc}") from exc
        except core.InvalidStateError as exc:
            raise BleakError(f"the virtual adapter is busy: {exc}") from exc
        except core.BaseBumbleError as exc:  # HCI errors: the controller refused
            raise BleakError(f"connecting to {self.address} failed: {exc}") from exc

    async def _cancel_pending(self, peer: hci.Address) -> None:
        central = self._radio.central
        try:
            await central.send_sync_command(hci.HCI_LE_Create_Connection_Cancel_Command())
        except hci.HCI_Error:
            logger.debug("nothing to cancel for %s", peer)
        # The link may have come up just as we gave up: do not leave it dangling.
        for connection in list(central.connections.values()):
            if connection.peer_address == peer:
                await self._drop(connection)
        logger.info("connect to %s timed out; pending connection cancelled", self.address)

    async def _drop(self, connection: Connection) -> None:
        self._disconnect_requested = True
        try:
            await connection.disconnect()
        except (core.BaseBumbleError, hci.HCI_Error):
            logger.debug("%s: link already gone", self.address, exc_info=True)
        self._forget()

    async def disconnect(self) -> None:
        connection = self._connection
        if connection is None:
            return
        self._disconnect_requested = True
        await self._drop(connection)
        logger.info("disconnected from %s", self.address)

    def _on_disconnection(self, reason: int) -> None:
        unsolicited = not self._disconnect_requested
        self._forget()
        if unsolicited:
            logger.info("%s dropped the link (%s)", self.address, hci.HCI_Constant.error_name(reason))
            if self._disconnected_callback is not None:
                self._disconnected_callback()

    def _forget(self) -> None:
        self._connection = None
        self._subscribers.clear()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """Bands need no bonding; accepted and logged, as bleak allows."""
        logger.info("%s: pair() is a no-op on the virtual radio", self.address)

    async def unpair(self) -> None:
        logger.info("%s: unpair() is a no-op on the virtual radio", self.address)

    # ---- discovery -----------------------------------------------------------------
    async def _discover(self) -> BleakGATTServiceCollection:
        client = self._require().gatt_client
        collection = BleakGATTServiceCollection()
        self._characteristics.clear()
        self._descriptors.clear()
        for service_proxy in await client.discover_services():
            uuid = to_bleak(service_proxy.uuid)
            if uuid in _HIDDEN_SERVICES:
                if uuid == to_bleak(UUID.from_16_bits(0x1800)) and self._name is None:
                    await self._read_device_name(service_proxy)
                continue
            if self._wanted_services is not None and uuid not in self._wanted_services:
                continue
            service = BleakGATTService(service_proxy, service_proxy.handle, uuid)
            collection.add_service(service)
            for char_proxy in await service_proxy.discover_characteristics():
                characteristic = BleakGATTCharacteristic(
                    char_proxy,
                    char_proxy.handle,
                    to_bleak(char_proxy.uuid),
                    [name for bit, name in _PROPERTY_NAMES if char_proxy.properties & bit],
                    lambda: self.mtu_size - 3,
                    service,
                )
                collection.add_characteristic(characteristic)
                self._characteristics[char_proxy.handle] = char_proxy
                for desc_proxy in await char_proxy.discover_descriptors():
                    descriptor = BleakGATTDescriptor(
                        desc_proxy, desc_proxy.handle, to_bleak(desc_proxy.type), characteristic
                    )
                    collection.add_descriptor(descriptor)
                    self._descriptors[desc_proxy.handle] = desc_proxy
        return collection

    async def _read_device_name(self, gap: Any) -> None:
        for proxy in await gap.discover_characteristics([UUID.from_16_bits(0x2A00)]):
            self._name = (await proxy.read_value()).decode("utf-8", "replace")

    # ---- I/O -----------------------------------------------------------------------
    def _require(self) -> Connection:
        if self._connection is None:
            raise BleakError("Not connected")
        return self._connection

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        client = self._require().gatt_client
        return bytearray(await self._att(client.read_value(characteristic.handle)))

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        client = self._require().gatt_client
        await self._att(client.write_value(characteristic.handle, bytes(data), with_response=response))

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        client = self._require().gatt_client
        return bytearray(await self._att(client.read_value(descriptor.handle)))

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: SizedBuffer) -> None:
        client = self._require().gatt_client
        await self._att(client.write_value(descriptor.handle, bytes(data), with_response=True))

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        client = self._require().gatt_client
        proxy = self._characteristics[characteristic.handle]
        if characteristic.handle in self._subscribers:
            raise BleakError(f"notifications already started on {characteristic.uuid}")

        def on_value(value: bytes) -> None:
            callback(bytearray(value))

        self._subscribers[characteristic.handle] = on_value
        try:
            # Writes the CCCD (notify preferred over indicate, as bleak asks).
            await self._att(client.subscribe(proxy, on_value, prefer_notify=True))
        except BaseException:
            self._subscribers.pop(characteristic.handle, None)
            raise

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        client = self._require().gatt_client
        on_value = self._subscribers.pop(characteristic.handle, None)
        if on_value is None:
            return
        await self._att(client.unsubscribe(self._characteristics[characteristic.handle], on_value))

    async def _att(self, operation: Any) -> Any:
        """Run one ATT procedure, with bumble's errors turned into bleak's."""
        try:
            return await operation
        except asyncio.CancelledError:
            # bumble cancels a pending ATT request when the link drops; only a
            # cancellation of our own task is a real cancellation.
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            raise BleakError(f"{self.address}: disconnected during a GATT request") from None
        except ATT_Error as exc:
            raise BleakGATTProtocolError(exc.error_code) from exc
        except core.TimeoutError as exc:
            raise asyncio.TimeoutError(f"{self.address}: GATT request timed out") from exc
        except core.BaseBumbleError as exc:
            raise BleakError(f"{self.address}: {exc}") from exc
