"""My health: what the kiosk knows of the resident's heart and wristband, mixed into the Controller.

While the health screen is open a task on the background loop reads, every poll interval,
today's vitals samples from the local store and the live wristband snapshot (the service
runs on that loop), and hands one `HealthReading` to the UI thread through the Clock.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from kiosk.i18n import Lang
from sync.vitals_views import BATTERY_ALERTS, HEART_ALERTS, open_alerts, vitals_since

if TYPE_CHECKING:
    from devices.service import WristbandService
    from sync import LocalStore

log = logging.getLogger(__name__)

# A live reading older than this, or a stored sample older than this, is not "now".
NOW_WINDOW_S = 180.0
# Below this the band needs charging: the alert rules' own default (devices.rules).
BATTERY_LOW_PERCENT = 20


class Band:
    """Where the resident's wristband stands, in the words the screen shows."""

    NONE = "none"  # no band paired to this resident
    CONNECTED = "connected"
    NOT_CONNECTED = "not_connected"


@dataclass(frozen=True, slots=True)
class HealthReading:
    """One look at the resident's heart and band (all None/empty until the first read)."""

    loaded: bool = False
    resident: bool = True  # False: no single resident registered on this kiosk
    heart_rate: int | None = None  # now (live, or the last minute's sample)
    trend: tuple[tuple[float, int], ...] = ()  # (seconds since midnight, bpm), today
    low: int | None = None
    high: int | None = None
    battery: int | None = None
    band: str = Band.NONE
    alerts: frozenset[str] = frozenset()  # open wristband alerts ("heart_rate_high", ...)
    alert_bpm: int | None = None  # the heart rate that started the open heart alert

    @property
    def heart_alert(self) -> str | None:
        return next((alert for alert in HEART_ALERTS if alert in self.alerts), None)

    @property
    def battery_low(self) -> bool:
        return bool(self.alerts & set(BATTERY_ALERTS)) or (
            self.battery is not None and self.battery < BATTERY_LOW_PERCENT)


def local_midnight(now: datetime) -> datetime:
    """The start of the kiosk's own day, as an aware UTC time."""
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def read_health(store: LocalStore, service: WristbandService | None,
                resident_id: uuid.UUID | None, now: datetime) -> HealthReading:
    """The store reads and band snapshot behind the health screen (background loop only)."""
    if resident_id is None:
        return HealthReading(loaded=True, resident=False)
    midnight = local_midnight(now)
    bands = {band.ble_address.upper(): band.wristband_id for band in store.wristbands()
             if band.resident_id == resident_id}
    with store.engine.connect() as conn:
        points = vitals_since(conn, resident_id, midnight)
        open_now = open_alerts(conn, resident_id, midnight)
    alerts = frozenset(open_now)
    alert_value = next((open_now[kind] for kind in HEART_ALERTS if kind in open_now), None)
    trend = tuple(((p.measured_at - midnight).total_seconds(), p.heart_rate)
                  for p in points if p.heart_rate is not None)
    rates = [bpm for _, bpm in trend]
    heart = battery = None
    recent = now - timedelta(seconds=NOW_WINDOW_S)
    for point in reversed(points):
        if heart is None and point.heart_rate is not None and point.measured_at >= recent:
            heart = point.heart_rate
        if battery is None and point.battery_percent is not None:
            battery = point.battery_percent
    state = Band.NONE if not bands else Band.NOT_CONNECTED
    if service is not None and bands:
        from devices.band_events import BandState

        for address, snap in service.manager.snapshot().items():
            if address.upper() not in bands:
                continue
            if snap.state is BandState.CONNECTED:
                state = Band.CONNECTED
                age = snap.last_reading_age
                if snap.heart_rate and age is not None and age <= NOW_WINDOW_S:
                    heart = snap.heart_rate  # the live reading beats last minute's median
            if snap.battery_percent is not None:
                battery = snap.battery_percent
    return HealthReading(True, True, heart, trend, min(rates, default=None),
                         max(rates, default=None), battery, state, alerts,
                         None if alert_value is None else round(alert_value))


class HealthActions:
    """Needs the Controller's store, wristband_service, health, screen, lang, translator,
    _bg, _show, _poll_interval, say, text and resident_id."""

    wall_clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))
    _health_visit = 0  # which opening of the screen a watch task belongs to

    def open_health(self) -> None:
        self.health = HealthReading()
        self._show("health", spoken=None)  # spoken once the first reading is in
        if self.screen == "health":
            self._health_visit += 1
            self._bg.submit(self._watch_health(self._health_visit))

    def health_words(self, reading: HealthReading, lang: str | None = None) -> dict[str, str]:
        """The screen's lines: heart, today, band (each "" when there is nothing to say)."""
        lang_ = Lang(lang or self.lang)

        def t(key: str, **values: Any) -> str:
            return self.translator.text(key, lang_, **values)

        if not reading.loaded:
            return {"heart": t("health.reading"), "today": "", "band": ""}
        if not reading.resident:
            return {"heart": t("health.no_resident"), "today": "", "band": ""}
        if reading.heart_alert:
            heart = t(f"health.alert.{reading.heart_alert}",
                      bpm=reading.heart_rate or reading.alert_bpm or "")
        elif reading.heart_rate is not None:
            heart = t("health.heart_now", bpm=reading.heart_rate)
        else:
            heart = t("health.heart_none")
        today = t("health.today_range", low=reading.low, high=reading.high) \
            if reading.low is not None else t("health.today_none")
        if reading.band == Band.NONE:
            band = t("health.no_band")
        else:
            parts = [t("health.connected" if reading.band == Band.CONNECTED
                       else "health.not_connected")]
            if reading.battery_low:
                parts.append(t("health.battery_low"))
            elif reading.battery is not None:
                parts.append(t("health.battery", percent=reading.battery))
            band = t("health.separator").join(parts)
        return {"heart": heart, "today": today, "band": band}

    def _speak_health(self) -> None:
        words = self.health_words(self.health)
        if not self.health.loaded:
            self.say("health.say_title")
            return
        text = self.translator.text("health.separator_sentence", Lang(self.lang)).join(
            part for part in (words["heart"], words["today"], words["band"]) if part)
        self.say("health.say", summary=text)

    async def _watch_health(self, visit: int) -> None:
        # Health data is logged when shown (SENIOR_UX: every access to it is logged).
        log.info("My health shown for resident %s", self.resident_id())
        first = True
        # Ends when the resident leaves the screen (or opens it again: a new task reads).
        while self.screen == "health" and visit == self._health_visit:
            try:
                reading = read_health(self.store, self.wristband_service, self.resident_id(),
                                      self.wall_clock())
            except Exception:
                log.exception("health reading failed")
            else:
                Clock.schedule_once(partial(self._on_health, reading, first))
                first = False
            await asyncio.sleep(self._poll_interval)

    def _on_health(self, reading: HealthReading, first: bool, _dt: float = 0) -> None:
        if self.screen != "health":
            return
        self.health = reading
        if first:
            self.say_screen()
