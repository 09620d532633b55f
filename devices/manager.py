"""The wristband manager: scans, connects within a cap, subscribes, reconnects and tracks presence.

It talks only to bleak. On a kiosk bleak uses BlueZ; tests and the demo pass a simulator
backend through bleak's own `backend=` parameter, so the same code runs in both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bleak import BleakClient, BleakScanner
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import BleakError

from devices.alert_format import ALERT_CHARACTERISTIC_UUID
from devices.band_events import (
    AlertReceived,
    BandEvent,
    BandSnapshot,
    BandState,
    NearbyBand,
    BatteryReading,
    HeartRateReading,
    PayloadRejected,
    PresenceChanged,
    PresenceKind,
    StateChanged,
)
from devices.errors import MalformedPayload
from devices.events import Clock, SystemClock
from devices.gatt import (
    BATTERY_LEVEL_UUID,
    HEART_RATE_MEASUREMENT_UUID,
    HEART_RATE_SERVICE_UUID,
    ParseErrorCounter,
    parse_alert,
    parse_battery_level,
    parse_heart_rate,
)
from sync.backoff import RetryPolicy

log = logging.getLogger(__name__)

Listener = Callable[[BandEvent], None]

# Typical kiosk adapters hold about 7 links; more needs a second adapter.
DEFAULT_MAX_CONNECTIONS = 7
# 1 s doubling to 60 s; reset after a successful connection.
DEFAULT_BACKOFF = RetryPolicy(base=1.0, cap=60.0)


@dataclass(frozen=True, slots=True)
class BleakBackend:
    """The bleak backend classes to use; None = the platform's own (BlueZ on a kiosk).

    `kwargs` reach the backend constructors through bleak (the simulator's radio, say).
    """

    scanner: type[BaseBleakScanner] | None = None
    client: type[BaseBleakClient] | None = None
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def for_scanner(self) -> dict[str, Any]:
        return {**self.kwargs, **({"backend": self.scanner} if self.scanner else {})}

    def for_client(self) -> dict[str, Any]:
        return {**self.kwargs, **({"backend": self.client} if self.client else {})}


@dataclass(slots=True)
class _Band:
    address: str
    state: BandState = BandState.UNSEEN
    name: str | None = None
    device: BLEDevice | None = None
    client: BleakClient | None = None
    battery_percent: int | None = None
    heart_rate: int | None = None
    last_seen: float | None = None  # monotonic time of any sign of life
    last_reading: float | None = None  # ... of the last heart-rate notification
    # Connectable only after a fresh advertisement: a band that just dropped is not
    # reachable until it advertises again, and a blind connect would hold the radio.
    last_advertised: float | None = None
    advertised_since_drop: bool = False
    searching_since: float | None = None
    failures: int = 0
    next_attempt: float = 0.0
    no_data_reported: bool = False
    rssi: int | None = None  # signal strength of its last advertisement (closest: highest)


class WristbandManager:
    """Keeps every paired wristband connected, within `max_connections` links at once.

    Args:
        paired: BLE addresses of the wristbands this kiosk looks after (see `set_paired`).
        max_connections: links held at once; further bands in range wait their turn.
        connect_timeout: seconds an attempt may take, finding the band included (>= 10 s
            on real radios: a band advertises slowly to save battery).
        backoff: delays between attempts after failures or dropouts.
        no_data_after: a connected band without heart rate for this long is reported.
        not_seen_after: a band neither connected nor advertising for this long is
            "out of range".
        backend: the bleak backend (default: the platform's own, BlueZ).
        clock: the monotonic clock for ages and back-off; events carry its readings.
        name_prefix: how unpaired wristbands nearby are recognised (or by the heart-rate
            service in their advertisement), for `nearby_unpaired`.
    """

    def __init__(
        self,
        paired: Iterable[str] = (),
        *,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        connect_timeout: float = 10.0,
        backoff: RetryPolicy = DEFAULT_BACKOFF,
        no_data_after: float = 30.0,
        not_seen_after: float = 300.0,
        backend: BleakBackend | None = None,
        clock: Clock | None = None,
        name_prefix: str = "Linli-Band-",
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.max_connections = max_connections
        self.connect_timeout = connect_timeout
        self.backoff = backoff
        self.no_data_after = no_data_after
        self.not_seen_after = not_seen_after
        self._backend = backend or BleakBackend()
        self._clock = (clock or SystemClock()).monotonic
        self._parse_errors = ParseErrorCounter(monotonic=self._clock)
        self.name_prefix = name_prefix
        self._nearby: dict[str, tuple[str, int, float]] = {}
        self._bands: dict[str, _Band] = {}
        self._listeners: list[Listener] = []
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._scanner: BleakScanner | None = None
        self._stopping = False
        self.set_paired(paired)

    # --- configuration and observers --------------------------------------------------

    def set_paired(self, addresses: Iterable[str]) -> None:
        """Replace the set of bands to look after (after a sync pull changed pairings)."""
        wanted = {address.upper() for address in addresses}
        for address in list(self._bands):
            if address not in wanted:
                band = self._bands.pop(address)
                if band.client is not None:
                    asyncio.ensure_future(self._disconnect(band))
        for address in wanted:
            self._bands.setdefault(address, _Band(address))
        self._wake.set()

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every event (on the manager's event loop); returns a cancel."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def snapshot(self) -> dict[str, BandSnapshot]:
        now = self._clock()
        return {
            band.address: BandSnapshot(
                address=band.address,
                name=band.name,
                state=band.state,
                battery_percent=band.battery_percent,
                heart_rate=band.heart_rate,
                last_reading_age=None if band.last_reading is None else now - band.last_reading,
                last_seen_age=None if band.last_seen is None else now - band.last_seen,
                failures=band.failures,
                retry_in=max(0.0, band.next_attempt - now) if band.failures else None,
                rejected_payloads=self._parse_errors.count(band.address),
                rssi=band.rssi,
            )
            for band in self._bands.values()
        }

    # --- running --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start scanning, connecting and watching presence (returns at once)."""
        self._stopping = False
        self._scanner = BleakScanner(detection_callback=self._on_advertisement, **self._backend.for_scanner())
        await self._scanner.start()
        self._tasks = [
            asyncio.create_task(self._connect_loop(), name="wristband-connect"),
            asyncio.create_task(self._presence_loop(), name="wristband-presence"),
        ]
        log.info("wristband manager started: %d paired, cap %d", len(self._bands), self.max_connections)

    async def stop(self) -> None:
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._scanner is not None:
            with contextlib.suppress(BleakError):
                await self._scanner.stop()
            self._scanner = None
        await asyncio.gather(*(self._disconnect(band) for band in self._bands.values()))
        log.info("wristband manager stopped")

    # --- scanning -----------------------------------------------------------------------

    def _on_advertisement(self, device: BLEDevice, advertisement: AdvertisementData) -> None:
        band = self._bands.get(device.address.upper())
        if band is None:
            self._note_unpaired(device, advertisement)
            return
        band.device = device
        band.name = advertisement.local_name or device.name or band.name
        band.rssi = advertisement.rssi
        was_gone = band.state is BandState.OUT_OF_RANGE
        band.last_seen = band.last_advertised = self._clock()
        band.advertised_since_drop = True
        band.searching_since = None
        if was_gone:
            self._emit(PresenceChanged(band.address, self._clock(), PresenceKind.SEEN_AGAIN))
        if band.state in (BandState.UNSEEN, BandState.OUT_OF_RANGE, BandState.NOT_FOUND):
            band.next_attempt = 0.0  # the back-off was for blind searching; it is here now
            self._set_state(band, BandState.WAITING, "advertising")
        self._wake.set()

    def _note_unpaired(self, device: BLEDevice, advertisement: AdvertisementData) -> None:
        name = advertisement.local_name or device.name or ""
        looks_like_band = name.startswith(self.name_prefix) or HEART_RATE_SERVICE_UUID in advertisement.service_uuids
        if looks_like_band:
            self._nearby[device.address.upper()] = (name, advertisement.rssi, self._clock())

    def nearby_unpaired(self, within: float = 60.0) -> list[NearbyBand]:
        """Wristbands heard lately that are not paired here: what staff can pair next."""
        now = self._clock()
        return sorted(
            (NearbyBand(address, name, rssi, now - seen)
             for address, (name, rssi, seen) in self._nearby.items() if now - seen <= within),
            key=lambda band: band.address,
        )

    # --- connecting ---------------------------------------------------------------------

    def _connected_count(self) -> int:
        busy = (BandState.CONNECTED, BandState.CONNECTING)
        return sum(1 for band in self._bands.values() if band.state in busy)

    def _is_due(self, band: _Band, now: float) -> bool:
        idle = band.state not in (BandState.CONNECTED, BandState.CONNECTING)
        return idle and band.next_attempt <= now

    def _is_reachable(self, band: _Band, now: float) -> bool:
        return (
            band.advertised_since_drop
            and band.last_advertised is not None
            and now - band.last_advertised < self.connect_timeout
        )

    def _next_candidate(self) -> _Band | None:
        """The band to connect next: due, heard advertising lately, fewest failures first."""
        now = self._clock()
        ready = [b for b in self._bands.values() if self._is_due(b, now) and self._is_reachable(b, now)]
        ready.sort(key=lambda band: (band.failures, band.address))
        return ready[0] if ready else None

    async def _connect_loop(self) -> None:
        # One attempt at a time: adapters handle concurrent connection setup badly.
        while True:
            self._wake.clear()  # before looking, so a wake-up meanwhile is not lost
            band = self._next_candidate()
            if band is not None and self._connected_count() >= self.max_connections:
                self._queue_for_slot()
                band = None
            if band is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._sleep_hint())
                continue
            await self._attempt(band)

    def _queue_for_slot(self) -> None:
        """Bands in range beyond the cap wait their turn: a state, not an error."""
        now = self._clock()
        for band in self._bands.values():
            if band.state is not BandState.WAITING and self._is_due(band, now) and self._is_reachable(band, now):
                self._set_state(band, BandState.WAITING, f"all {self.max_connections} connection slots in use")

    def _sleep_hint(self) -> float:
        now = self._clock()
        pending = [band.next_attempt - now for band in self._bands.values() if band.next_attempt > now]
        return max(0.05, min(pending, default=1.0))

    async def _attempt(self, band: _Band) -> None:
        previous = band.state
        self._set_state(band, BandState.CONNECTING, f"attempt {band.failures + 1}")
        client = BleakClient(
            band.device,
            disconnected_callback=lambda _client, band=band: self._on_dropout(band, _client),
            timeout=self.connect_timeout,
            **self._backend.for_client(),
        )
        try:
            await client.connect()
            band.client = client
            await self._subscribe(band, client)
        except (TimeoutError, BleakError, OSError) as exc:
            band.client = None
            with contextlib.suppress(Exception):
                await client.disconnect()
            state = BandState.NOT_FOUND if isinstance(exc, TimeoutError) else BandState.RECONNECTING
            self._failed(band, state, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
            return
        band.failures = 0
        band.next_attempt = 0.0
        band.last_seen = self._clock()
        band.no_data_reported = False
        self._set_state(band, BandState.CONNECTED, "reconnected" if previous is BandState.RECONNECTING else "connected")

    def _failed(self, band: _Band, state: BandState, reason: str) -> None:
        band.advertised_since_drop = False
        band.failures += 1
        delay = self.backoff.ceiling(band.failures)
        band.next_attempt = self._clock() + delay
        self._set_state(band, state, f"{reason}; next try in {delay:.0f} s")

    async def _subscribe(self, band: _Band, client: BleakClient) -> None:
        with contextlib.suppress(BleakError):
            self._on_battery(band, await client.read_gatt_char(BATTERY_LEVEL_UUID))
        await client.start_notify(HEART_RATE_MEASUREMENT_UUID, lambda _c, data: self._on_heart_rate(band, data))
        await client.start_notify(BATTERY_LEVEL_UUID, lambda _c, data: self._on_battery(band, data))
        await client.start_notify(ALERT_CHARACTERISTIC_UUID, lambda _c, data: self._on_alert(band, data))

    def _on_dropout(self, band: _Band, client: BleakClient) -> None:
        if self._stopping or band.client is not client:
            return  # a disconnect we asked for, or an old client's late callback
        band.client = None
        band.advertised_since_drop = False
        band.failures = 0
        band.next_attempt = self._clock() + self.backoff.ceiling(1)
        self._set_state(band, BandState.RECONNECTING, "link lost")
        self._wake.set()

    async def _disconnect(self, band: _Band) -> None:
        client, band.client = band.client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.disconnect()

    # --- notifications ------------------------------------------------------------------

    def _on_heart_rate(self, band: _Band, data: bytearray) -> None:
        try:
            measurement = parse_heart_rate(data)
        except MalformedPayload as exc:
            self._rejected(band, exc)
            return
        band.last_reading = band.last_seen = self._clock()
        band.heart_rate = measurement.bpm
        if band.no_data_reported:
            band.no_data_reported = False
            self._emit(PresenceChanged(band.address, self._clock(), PresenceKind.DATA_RESUMED))
        self._emit(HeartRateReading(band.address, self._clock(), measurement))

    def _on_battery(self, band: _Band, data: bytearray) -> None:
        try:
            percent = parse_battery_level(data)
        except MalformedPayload as exc:
            self._rejected(band, exc)
            return
        band.battery_percent = percent
        band.last_seen = self._clock()
        self._emit(BatteryReading(band.address, self._clock(), percent))

    def _on_alert(self, band: _Band, data: bytearray) -> None:
        try:
            alert = parse_alert(data)
        except MalformedPayload as exc:
            self._rejected(band, exc)
            return
        band.last_seen = self._clock()
        self._emit(AlertReceived(band.address, self._clock(), alert))

    def _rejected(self, band: _Band, error: MalformedPayload) -> None:
        self._parse_errors.record(band.address, error)  # counted always, logged rate-limited
        count = self._parse_errors.count(band.address)
        self._emit(PayloadRejected(band.address, self._clock(), error.characteristic, str(error), count))

    # --- presence -----------------------------------------------------------------------

    async def _presence_loop(self) -> None:
        while True:
            await asyncio.sleep(min(1.0, self.no_data_after / 4))
            self.check_presence()

    def check_presence(self) -> None:
        """Report bands that went quiet, out of sight or cannot be found (every second)."""
        now = self._clock()
        for band in self._bands.values():
            self._check_search(band, now)
            if band.state is BandState.CONNECTED:
                quiet_since = band.last_reading if band.last_reading is not None else band.last_seen
                if not band.no_data_reported and quiet_since is not None and now - quiet_since >= self.no_data_after:
                    band.no_data_reported = True
                    self._emit(PresenceChanged(band.address, self._clock(), PresenceKind.NO_DATA))
            elif band.state is not BandState.OUT_OF_RANGE and band.last_seen is not None:
                if now - band.last_seen >= self.not_seen_after:
                    self._set_state(band, BandState.OUT_OF_RANGE, f"not seen for {now - band.last_seen:.0f} s")
                    self._emit(PresenceChanged(band.address, self._clock(), PresenceKind.NOT_SEEN))

    def _check_search(self, band: _Band, now: float) -> None:
        """A due band that does not advertise is "not found" after `connect_timeout`, then
        waits out its back-off: a clear state for the kiosk, and no busy loop."""
        gone = band.state is BandState.OUT_OF_RANGE  # known gone: its advertising brings it back
        if gone or not self._is_due(band, now) or self._is_reachable(band, now):
            band.searching_since = None
        elif band.searching_since is None:
            band.searching_since = now
        elif now - band.searching_since >= self.connect_timeout:
            band.searching_since = None
            self._failed(band, BandState.NOT_FOUND, f"not advertising for {self.connect_timeout:.0f} s")

    # --- plumbing -----------------------------------------------------------------------

    def _set_state(self, band: _Band, state: BandState, reason: str) -> None:
        if band.state is state:
            return
        previous, band.state = band.state, state
        log.info("band %s: %s -> %s (%s)", band.address, previous, state, reason)
        self._emit(StateChanged(band.address, self._clock(), state, previous, reason))

    def _emit(self, event: BandEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not stop the radio side
                log.exception("wristband listener failed on %s", type(event).__name__)

