"""Who is using the kiosk: asked before the first action that is for one resident.

A kiosk in a shared hall serves several residents. Ordering, services, health and points
need to know whose they are; a call for help never waits for that question (it goes with
the band's resident, or none). The resident whose paired wristband is connected and
closest (strongest signal) is offered first. The choice holds until the kiosk goes home
after being left alone (kiosk.idle_watch).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kivy.properties import NumericProperty, ObjectProperty

from kiosk.paging import page_count

log = logging.getLogger(__name__)

WHO_PAGE_SIZE = 6  # SENIOR_UX: at most six choices at a time
_NO_SIGNAL = -1000  # below any real RSSI (dBm)


@dataclass(frozen=True, slots=True)
class Nearness:
    """How near a resident's wristband is: connected, and its last signal strength."""

    connected: bool = False
    rssi: int | None = None


def closest_first(residents: Iterable[Any], nearness: Mapping[uuid.UUID, Nearness]) -> list[Any]:
    """Residents with a connected band first, strongest signal first; then by name."""

    def key(resident: Any) -> tuple[bool, int, str]:
        near = nearness.get(resident.resident_id, Nearness())
        rssi = near.rssi if near.rssi is not None else _NO_SIGNAL
        return (not near.connected, -rssi, resident.display_name)

    return sorted(residents, key=key)


def band_nearness(store: Any, service: Any) -> dict[uuid.UUID, Nearness]:
    """Each resident's nearest paired band, from the wristband manager's snapshot."""
    if service is None:
        return {}
    from devices.band_events import BandState

    snapshot = {address.upper(): snap for address, snap in service.manager.snapshot().items()}
    best: dict[uuid.UUID, Nearness] = {}
    for band in store.wristbands():
        snap = snapshot.get(band.ble_address.upper())
        if band.resident_id is None or snap is None:
            continue
        near = Nearness(snap.state is BandState.CONNECTED, getattr(snap, "rssi", None))
        seen = best.get(band.resident_id)
        if seen is None or (near.connected, near.rssi or _NO_SIGNAL) > \
                (seen.connected, seen.rssi or _NO_SIGNAL):
            best[band.resident_id] = near
    return best


class ResidentChoice:
    """Mixed into the Controller. Needs its store, wristband_service, _bg, _show, say,
    go_home, and GroceryActions' open_groceries / open_requests (later in the bases)."""

    who_choices = ObjectProperty(())  # ResidentView, closest first
    who_nearest = ObjectProperty(None, allownone=True)  # the one with a connected band
    who_page = NumericProperty(0)

    _chosen_resident: uuid.UUID | None = None  # read by the background poll too
    _after_choice: Callable[[], None] | None = None

    def resident_id(self) -> uuid.UUID | None:
        """Who the kiosk acts for: the resident chosen on the who-is-using screen, or the
        kiosk's only resident; None when several live here and nobody has said who."""
        chosen = self._chosen_resident
        if chosen is not None:
            return chosen
        residents = self.store.residents()
        return residents[0].resident_id if len(residents) == 1 else None

    def for_resident(self, action: Callable[[], None]) -> None:
        """Run `action` for the chosen resident; with several residents and no choice yet,
        ask first (the who-is-using screen) and run it after the choice."""
        residents = self.store.residents()
        if len(residents) < 2 or self._chosen_resident in {r.resident_id for r in residents}:
            action()
            return
        nearness = self._nearness()
        ordered = closest_first(residents, nearness)
        first = nearness.get(ordered[0].resident_id)
        self.who_choices = tuple(ordered)
        self.who_nearest = ordered[0].resident_id if first and first.connected else None
        self.who_page = 0
        self._after_choice = action
        self._show("who", spoken="who.say")

    def choose_resident(self, resident_id: uuid.UUID) -> None:
        """A name tile: this resident from now on, then what they had asked for."""
        self._chosen_resident = resident_id
        log.info("resident %s is using the kiosk", resident_id)
        action, self._after_choice = self._after_choice, None
        if action is not None:
            action()
        else:
            self.go_home()

    def who_cancel(self) -> None:
        """Home from the who-is-using screen: what was asked for is dropped."""
        self._after_choice = None
        self.go_home()

    def who_next_page(self) -> None:
        pages = page_count(self.who_choices, WHO_PAGE_SIZE)
        self.who_page = (self.who_page + 1) % pages

    def forget_resident(self) -> None:
        if self._chosen_resident is not None:
            log.info("resident choice forgotten")
        self._chosen_resident = None
        self._after_choice = None

    # The screens that are for one resident: each asks who first on a shared kiosk.

    def open_groceries(self) -> None:
        self.for_resident(super().open_groceries)  # type: ignore[misc]

    def open_requests(self) -> None:
        self.for_resident(super().open_requests)  # type: ignore[misc]

    def open_services(self) -> None:
        self.for_resident(super().open_services)  # type: ignore[misc]

    def open_health(self) -> None:
        self.for_resident(super().open_health)  # type: ignore[misc]

    def open_points(self) -> None:
        self.for_resident(super().open_points)  # type: ignore[misc]

    def open_activities(self) -> None:
        self.for_resident(super().open_activities)  # type: ignore[misc]

    def open_rewards(self) -> None:
        self.for_resident(super().open_rewards)  # type: ignore[misc]

    def _nearness(self) -> dict[uuid.UUID, Nearness]:
        service = self.wristband_service
        if service is None:
            return {}
        try:
            if self._bg.running:
                # The manager lives on the background loop: read its bands there.
                async def read() -> dict[uuid.UUID, Nearness]:
                    return band_nearness(self.store, service)

                return self._bg.submit(read()).result(timeout=2.0)
            return band_nearness(self.store, service)
        except (Exception, asyncio.TimeoutError):
            log.exception("wristband nearness not read; residents offered by name")
            return {}
