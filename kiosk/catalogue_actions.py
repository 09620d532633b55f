"""The kiosk's activity booking and points actions, mixed into the Controller.

The screens call these on the UI thread; bookings and redemptions are stored on the
background loop like the grocery order. The catalogue itself (activities, rewards) is read
from the store, where the pull put it; the points screens read it on the background loop
(`kiosk.points_reading`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.properties import ObjectProperty
from pydantic import BaseModel

from kiosk.i18n import Lang
from kiosk.screens.activities import ActivityBooking, readback, when_words
from kiosk.points_reading import PointsReading, read_points
from kiosk.screens.points import Wallet, history_line
from kiosk.screens.requests import progress_words
from sync.records import ActivityBookingDetails, PointsRedemption, RecordKind, ServiceRequest

log = logging.getLogger(__name__)

ACTIVITY_SCREENS = ("activities", "activity_confirm", "activity_sent")
POINTS_SCREENS = ("points", "rewards", "reward_confirm", "reward_sent")
# At most this many names are read out when a list opens (the rest are on the screen).
NAMES_SPOKEN = 3


class CatalogueActions:
    """Needs the Controller's store, sync_loop, translator, requests, notice, screen, lang,
    speech, _bg, _show, say, text and resident_id."""

    # The activities offered and the booking made (a clinic booking is another thing).
    activity_booking = ObjectProperty(ActivityBooking())
    wallet = ObjectProperty(Wallet())  # the resident's points and the redemption made

    # --- activities --------------------------------------------------------------------------

    def open_activities(self) -> None:
        """The coming activities as cards (the services menu opens this)."""
        resident = self.resident_id()
        booked = frozenset(self.store.booked_activity_ids(resident)) if resident else frozenset()
        self.activity_booking = ActivityBooking(activities=tuple(self.store.activities()),
                                                booked=booked)
        self._show("activities")

    def activity_page(self, page: int) -> None:
        booking = self.activity_booking
        self.activity_booking = replace(booking, page=page % booking.pages)
        self.notice = ""
        self._say_catalogue_screen()

    def activity_choose(self, activity_id: str) -> None:
        """A card tapped: the read-back, or a word that they are booked already."""
        booking = self.activity_booking
        activity = booking.find(activity_id)
        if activity is None or booking.saving:
            return
        name = activity.name(self.lang)
        if str(activity.activity_id) in booking.booked:
            self.notice = self.text("activity.already", name=name)
            self.say("activity_say.already", name=name)
            return
        self.activity_booking = replace(booking, chosen=activity, record_id=None, failure=None)
        self._show("activity_confirm")

    def activity_change(self) -> None:
        """"不对": back to the cards; nothing is stored."""
        self._show("activities", spoken="activity_say.change")

    def activity_confirm(self) -> None:
        """"对": one ServiceRequest(activity_booking), stored on the background loop."""
        booking = self.activity_booking
        activity = booking.chosen
        if activity is None or booking.saving or booking.stored:
            return
        self.activity_booking = replace(booking, saving=True, failure=None)
        self._show("activity_sent", spoken=None)

        def payload(resident: uuid.UUID) -> BaseModel:
            # The Chinese name: the one staff read in the request list.
            return ServiceRequest(resident_id=resident, details=ActivityBookingDetails(
                activity_id=str(activity.activity_id), activity_name=activity.name("zh")))

        self._bg.submit(self._save_record(RecordKind.SERVICE_REQUEST, payload,
                                          self._on_booking_saved))

    def booking_progress(self, record_id: uuid.UUID | None, lang: str | None = None) -> str:
        """Whether a stored booking has reached the community (or what the server said)."""
        return progress_words(self.requests, record_id, self.translator,
                              Lang(lang or self.lang), "activity")

    def _on_booking_saved(self, record_id: uuid.UUID | None, failure: str | None,
                          _dt: float = 0) -> None:
        booking = self.activity_booking
        booked = booking.booked
        if record_id is not None and booking.chosen is not None:
            booked = booked | {str(booking.chosen.activity_id)}
        self.activity_booking = replace(booking, saving=False, record_id=record_id, failure=failure,
                               booked=booked)
        if self.screen == "activity_sent":
            self._say_catalogue_screen()

    # --- points ------------------------------------------------------------------------------

    def open_points(self) -> None:
        """Balance and history (the home screen's points tile); read on the background loop,
        spoken once the first reading is in."""
        self._open_wallet("points")

    def open_rewards(self) -> None:
        self._open_wallet("rewards")

    def _open_wallet(self, screen: str) -> None:
        # A new opening: nothing of an earlier one (maybe another resident's) is shown.
        self._points_visit += 1
        self.wallet = Wallet()
        self._show(screen, spoken=None)
        if self.screen == screen:
            self._read_points_soon()

    def reward_page(self, page: int) -> None:
        self.wallet = replace(self.wallet, page=page % self.wallet.pages)
        self.notice = ""
        self._say_catalogue_screen()

    def reward_choose(self, reward_id: str) -> None:
        """A reward tapped: the read-back, or "not enough points" and nothing more.

        The balance is the last reading's, at most one poll interval old; the server still
        refuses a redemption the points do not cover.
        """
        wallet = self.wallet
        reward = wallet.find(reward_id)
        if reward is None or wallet.saving or not wallet.loaded:
            return
        if reward.points > wallet.available:
            values = {"name": reward.name(self.lang), "cost": reward.points,
                      "points": wallet.available}
            self.notice = self.text("points.not_enough", **values)
            self.say("points_say.not_enough", **values)
            log.info("redemption of %s refused on the kiosk: %d points, %d available",
                     reward.reward_id, reward.points, wallet.available)
            return
        self.wallet = replace(wallet, chosen=reward, record_id=None, failure=None, outcome=None)
        self._show("reward_confirm")

    def reward_change(self) -> None:
        """"不对": back to the rewards; nothing is stored."""
        self._show("rewards", spoken="points_say.change")

    def reward_confirm(self) -> None:
        """"对": one PointsRedemption, stored on the background loop."""
        wallet = self.wallet
        reward = wallet.chosen
        if reward is None or wallet.saving or wallet.stored:
            return
        if reward.points > wallet.available:  # spent meanwhile (another redemption)
            self._show("rewards", spoken=None)
            self.reward_choose(str(reward.reward_id))
            return
        self.wallet = replace(wallet, saving=True, failure=None)
        self._show("reward_sent", spoken=None)

        def payload(resident: uuid.UUID) -> BaseModel:
            return PointsRedemption(resident_id=resident, catalogue_item_id=str(reward.reward_id),
                                    catalogue_item_name=reward.name("zh"), points=reward.points)

        self._bg.submit(self._save_record(RecordKind.POINTS_REDEMPTION, payload,
                                          self._on_redemption_saved))

    def _on_redemption_saved(self, record_id: uuid.UUID | None, failure: str | None,
                             _dt: float = 0) -> None:
        stored = replace(self.wallet, saving=False, record_id=record_id, failure=failure)
        if record_id is not None:
            # Just stored, so waiting in the outbox: said at once; the reading below tells
            # whether it has gone since (and that change is spoken).
            stored = replace(stored, outcome="points.not_sent")
        self.wallet = stored
        if self.screen == "reward_sent":
            self._say_catalogue_screen()
        self._read_points_soon()  # the points set aside, and where the redemption is

    # --- reading the store (background loop) -------------------------------------------------

    _points_visit = 0  # which opening of the points screens a reading belongs to

    def _read_points_soon(self) -> None:
        """One reading now, on the background loop (the poll keeps it fresh after that)."""
        visit, record_id = self._points_visit, self.wallet.record_id

        async def read() -> None:
            reading = read_points(self.store, self.resident_id(), visit, record_id)
            Clock.schedule_once(partial(self._on_points_read, reading))

        self._bg.submit(read())

    def _observe_points(self) -> PointsReading | None:
        """Part of the background poll: a reading while a points screen is shown."""
        if self.screen not in POINTS_SCREENS:
            return None
        return read_points(self.store, self.resident_id(), self._points_visit,
                           self.wallet.record_id)

    def _on_points_read(self, reading: PointsReading, _dt: float = 0) -> None:
        """On the UI thread: merge a reading of this opening into the wallet."""
        if self.screen not in POINTS_SCREENS or reading.visit != self._points_visit:
            return
        before = self.wallet
        wallet = before.with_reading(reading)
        if wallet == before:
            return
        self.wallet = wallet
        if not before.loaded:
            self.say_screen()  # the points screens speak once their numbers are in
        elif self.screen == "reward_sent" and wallet.outcome != before.outcome and \
                wallet.outcome is not None:
            self.speech.speak(self.text(wallet.outcome), self.lang)

    # --- storing (background loop) -----------------------------------------------------------


    # --- words -------------------------------------------------------------------------------

    def _say_catalogue_screen(self) -> bool:
        """Speak the current screen if it is one of the catalogue's; False if it is not."""
        lang = Lang(self.lang)
        screen = self.screen
        if screen == "activities":
            self._say_list("activity_say.start", "activity_say.none",
                           [self.activity_booking.on_page(slot) for slot in range(3)],
                           lambda a: self.text("activity.separator").join(
                               (a.name(lang.value),
                                when_words(a.starts_at, self.translator, lang))))
        elif screen == "activity_confirm":
            chosen = self.activity_booking.chosen
            self.speech.speak(readback(self.translator, lang, chosen), self.lang)
        elif screen == "activity_sent":
            booking = self.activity_booking
            if booking.failure:
                self.say(f"activity.{booking.failure}")
            elif booking.stored:
                self.say("activity_say.saved", delivery=self.booking_progress(booking.record_id))
        elif screen == "points":
            self._say_points()
        elif screen == "rewards":
            self._say_list("points_say.rewards", "points_say.none",
                           [self.wallet.on_page(slot) for slot in range(3)],
                           lambda r: f"{r.name(lang.value)} "
                                     f"{self.text('points.cost', points=r.points)}",
                           points=self.wallet.available)
        elif screen == "reward_confirm":
            reward = self.wallet.chosen
            if reward is not None:
                self.say("points.readback", points=reward.points, name=reward.name(lang.value))
        elif screen == "reward_sent":
            wallet = self.wallet
            if wallet.failure:
                self.say(f"points.{wallet.failure}")
            elif wallet.stored:
                outcome = wallet.outcome or "points.not_sent"
                self.say("points_say.saved", delivery=self.text(outcome))
        else:
            return self._say_feedback_screen()
        return True

    def _say_list(self, start: str, none: str, items: list[Any], words: Any,
                  **values: Any) -> None:
        shown = [words(item) for item in items[:NAMES_SPOKEN] if item is not None]
        if not shown:
            self.say(none)
            return
        separator = self.text("activity.separator")
        self.say(start, names=separator.join(shown), **values)

    def _say_points(self) -> None:
        lang = Lang(self.lang)
        wallet = self.wallet
        lines = [history_line(entry, self.translator, lang) for entry in wallet.history[:1]]
        history = "".join(f"{line}。" if lang is Lang.ZH else f"{line}. " for line in lines)
        self.say("points_say.start", points=wallet.balance, history=history)
