"""The virtual radio: an in-process bumble LocalLink, its controllers and the kiosk's central."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from types import TracebackType

from bumble import hci, ll
from bumble.controller import Controller
from bumble.device import Advertisement, Device
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

logger = logging.getLogger(__name__)

# The kiosk's adapter: a static random address (top bits 11) outside the bands' range.
CENTRAL_ADDRESS = "C0:4C:1A:FF:FF:01"

AdvertisementListener = Callable[[Advertisement], None]


class _Controller(Controller):
    """bumble's virtual controller with LE Create Connection Cancel implemented.

    bumble 0.0.236 answers the cancel with SUCCESS but keeps the pending connection: the
    cancelled connect never completes, and every later connect is refused with
    COMMAND_DISALLOWED. A real controller drops the pending connection and reports an LE
    Connection Complete with UNKNOWN_CONNECTION_IDENTIFIER (Core Vol 4, Part E, 7.8.13).
    """

    def on_hci_le_create_connection_cancel_command(
        self, command: hci.HCI_LE_Create_Connection_Cancel_Command
    ) -> hci.HCI_StatusReturnParameters:
        pending = self.pending_le_connection
        if pending is None:
            return hci.HCI_StatusReturnParameters(hci.HCI_ErrorCode.COMMAND_DISALLOWED_ERROR)
        self.pending_le_connection = None
        logger.debug("[%s] connect to %s cancelled", self.name, pending.peer_address)
        event = hci.HCI_LE_Connection_Complete_Event(
            status=hci.HCI_ErrorCode.UNKNOWN_CONNECTION_IDENTIFIER_ERROR,
            connection_handle=0,
            role=hci.Role.CENTRAL,
            peer_address_type=pending.peer_address_type,
            peer_address=pending.peer_address,
            connection_interval=0,
            peripheral_latency=0,
            supervision_timeout=0,
            central_clock_accuracy=0,
        )
        # Scheduled, so the host sees the Command Complete first, as the spec orders it.
        asyncio.get_running_loop().call_soon(self.send_hci_packet, event)
        return hci.HCI_StatusReturnParameters(hci.HCI_ErrorCode.SUCCESS)


class _Link(LocalLink):
    """A LocalLink that hands advertising PDUs only to controllers that can use them.

    bumble's link queues every advertising PDU for every controller, so N advertising bands
    cost N^2 callbacks; bands never scan, so only a scanning or connecting controller (and,
    for a connect request, the advertiser it names) needs to see them.
    """

    def send_advertising_pdu(self, sender_controller: Controller, packet: ll.AdvertisingPdu) -> None:
        loop = asyncio.get_running_loop()
        if isinstance(packet, ll.ConnectInd):
            target = packet.advertiser_address
            for c in self.controllers:
                if c is not sender_controller and target in (c.random_address, c.public_address):
                    loop.call_soon(c.on_ll_advertising_pdu, packet)
            return
        for c in self.controllers:
            if c is sender_controller:
                continue
            if (
                c.le_scan_enable
                or c.pending_le_connection is not None
                or c.pending_periodic_advertising_syncs
                or c.established_periodic_advertising_syncs
            ):
                loop.call_soon(c.on_ll_advertising_pdu, packet)


class VirtualRadio:
    """One virtual LE radio space: wristbands and the kiosk's central share it.

    Create it inside a running event loop (bumble's controllers need one), then
    `await radio.start()` (or `async with VirtualRadio() as radio:`).
    The central is shared by every BleakScanner/BleakClient given this radio, as one
    BlueZ adapter is shared on a real kiosk: scans are multiplexed and connects serialised.
    """

    def __init__(self, central_address: str = CENTRAL_ADDRESS) -> None:
        self.link: LocalLink = _Link()
        self.central: Device = self.create_device("linli-kiosk", central_address)
        self.connect_lock = asyncio.Lock()
        # Addresses the central has heard advertising, as BlueZ keeps device objects.
        self.known_addresses: set[str] = set()
        self._scan_listeners: dict[object, AdvertisementListener] = {}
        self._scan_lock = asyncio.Lock()
        self._started = False
        self.central.on(Device.EVENT_ADVERTISEMENT, self._on_advertisement)

    def create_device(self, name: str, address: str) -> Device:
        """A bumble Device on its own virtual controller attached to this radio's link."""
        controller = _Controller(name, link=self.link)
        host = Host(controller, AsyncPipeSink(controller))
        # Bands are numerous: bumble's own default of 64 LE buffers per host is plenty.
        return Device(name=name, address=hci.Address(address), host=host)

    async def start(self) -> None:
        if not self._started:
            await self.central.power_on()
            self._started = True
            logger.info("virtual radio up, kiosk central %s", self.central.random_address)

    async def close(self) -> None:
        if not self._started:
            return
        for connection in list(self.central.connections.values()):
            try:
                await connection.disconnect()
            except Exception:  # a link already gone is fine at shutdown
                logger.debug("disconnect at close failed", exc_info=True)
        if self.central.is_scanning:
            await self.central.stop_scanning()
        self._scan_listeners.clear()
        await self.central.power_off()
        self._started = False

    async def __aenter__(self) -> VirtualRadio:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def started(self) -> bool:
        return self._started

    async def add_scan_listener(self, listener: AdvertisementListener) -> Callable[[], object]:
        """Deliver every advertisement the central hears to `listener` until the returned
        coroutine function is awaited; scanning runs while any listener is registered."""
        token = object()
        async with self._scan_lock:
            self._scan_listeners[token] = listener
            if not self.central.is_scanning:
                # Passive: bumble's virtual scan response only repeats the advertising data.
                await self.central.start_scanning(active=False, filter_duplicates=False)

        async def remove() -> None:
            async with self._scan_lock:
                self._scan_listeners.pop(token, None)
                if not self._scan_listeners and self.central.is_scanning:
                    await self.central.stop_scanning()

        return remove

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        # The virtual controller reports each PDU twice (as advertisement and as a scan
        # response carrying the same data): keep one.
        if advertisement.is_scan_response:
            return
        self.known_addresses.add(str(advertisement.address).upper().removesuffix("/P"))
        for listener in list(self._scan_listeners.values()):
            listener(advertisement)
