"""The kiosk's wristband side: manager events -> alert rules -> records in the local store."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid
from collections.abc import Callable, Mapping

from devices.band_events import (
    AlertReceived,
    BandEvent,
    BandState,
    BatteryReading,
    HeartRateReading,
    StateChanged,
)
from devices.errors import RecordingFailed
from devices.events import AlertChange, Clock, SystemClock
from devices.manager import WristbandManager
from devices.recorder import AlertRecorder, StorePairings
from devices.rules import AlertEngine, AlertThresholds
from devices.vitals import VitalsDownsampler, VitalsPoint
from sync.store import LocalStore

log = logging.getLogger(__name__)

AlertListener = Callable[[AlertChange], None]


class WristbandService:
    """Runs on the kiosk's asyncio loop; the UI hears alert changes through `on_alert`.

    Args:
        store: the kiosk's local store (pairings are read from it, records written to it).
        manager: the BLE side; its paired set follows the store's pairings.
        engine: alert rules (default thresholds unless given).
        on_urgent: called after an alarm record is stored (the sync loop's `wake`).
        tick_interval: how often time-based rules (fall countdown, no data) are checked.
        resident_thresholds: alert limits per resident (others get the engine's default).
    """

    def __init__(
        self,
        store: LocalStore,
        manager: WristbandManager,
        *,
        engine: AlertEngine | None = None,
        clock: Clock | None = None,
        on_urgent: Callable[[], None] | None = None,
        tick_interval: float = 1.0,
        resident_thresholds: Mapping[uuid.UUID, AlertThresholds] | None = None,
    ) -> None:
        self.store = store
        self.manager = manager
        self.clock = clock or SystemClock()
        self.engine = engine or AlertEngine(clock=self.clock)
        self.vitals = VitalsDownsampler(self.engine.thresholds_for, clock=self.clock)
        self.recorder = AlertRecorder(store, StorePairings(store), on_urgent=on_urgent)
        self.tick_interval = tick_interval
        self.resident_thresholds = dict(resident_thresholds or {})
        self._listeners: list[AlertListener] = []
        self._ticker: asyncio.Task[None] | None = None
        manager.add_listener(self._on_band_event)

    def on_alert(self, listener: AlertListener) -> Callable[[], None]:
        """Hear every alert change (fall countdowns for the "are you OK?" screen, alarms...)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def refresh_pairings(self) -> None:
        """Follow the pairings the last sync pull brought (call after each pull)."""
        paired = [band for band in self.store.wristbands() if band.resident_id is not None]
        for band in paired:
            # Rules follow the resident: a band handed to someone else gets their limits.
            limits = self.resident_thresholds.get(band.resident_id)
            if limits is not None:
                self.engine.set_thresholds(band.ble_address.upper(), limits)
        self.manager.set_paired(band.ble_address for band in paired)

    async def start(self) -> None:
        self.refresh_pairings()
        await self.manager.start()
        self._ticker = asyncio.create_task(self._tick_loop(), name="wristband-rules")

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        await self.manager.stop()
        self._store_vitals(self.vitals.flush())

    def cancel_fall(self, address: str, by: str = "kiosk") -> None:
        """The resident answered "I'm OK" on the kiosk during a fall countdown."""
        self._handle(self.engine.cancel_fall(address, self.clock.monotonic(), by=by))

    def confirm_fall(self, address: str, by: str = "kiosk") -> None:
        """The resident asked for help on the kiosk during a fall countdown: the fall
        alarm is recorded now (one help call, source "fall"), not at the deadline."""
        self._handle(self.engine.confirm_fall(address, self.clock.monotonic(), by=by))

    # --- events -------------------------------------------------------------------------

    def _on_band_event(self, event: BandEvent) -> None:
        if isinstance(event, HeartRateReading):
            self._handle(self.engine.on_heart_rate(event.address, event.at, event.measurement))
            self._store_vitals(self.vitals.add_heart_rate(event.address, event.at, event.measurement))
        elif isinstance(event, BatteryReading):
            self._handle(self.engine.on_battery(event.address, event.at, event.percent))
            self._store_vitals(self.vitals.add_battery(event.address, event.at, event.percent))
        elif isinstance(event, AlertReceived):
            self._handle(self.engine.on_alert(event.address, event.at, event.alert))
        elif isinstance(event, StateChanged) and event.state is BandState.CONNECTED:
            self.engine.watch(event.address, event.at)

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            now = self.clock.monotonic()
            if self.recorder.unsaved:
                # Alarms the store refused (a full disk) are retried every tick, not only
                # when the next record happens to come.
                with contextlib.suppress(RecordingFailed):
                    self.recorder.retry_unsaved()
            self._handle(self.engine.tick(now))
            self._store_vitals(self.vitals.flush(now))

    def _handle(self, changes: list[AlertChange]) -> None:
        for change in changes:
            try:
                record_id = self.recorder.record(change)
            except RecordingFailed:
                # The recorder keeps the alarm in memory and retries; the UI must say so.
                log.error("could not store %s for band %s; kept in memory", change.kind, change.band)
            else:
                change = dataclasses.replace(change, record_id=record_id)
            for listener in list(self._listeners):
                try:
                    listener(change)
                except Exception:
                    log.exception("alert listener failed on %s", change.kind)

    def _store_vitals(self, points: list[VitalsPoint]) -> None:
        if not points:
            return
        try:
            self.recorder.record_vitals(points)
        except RecordingFailed:
            log.warning("could not store %d vitals samples; they are dropped", len(points))
