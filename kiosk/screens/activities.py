"""Activity booking: the coming activities as big cards, the read-back question, and what
became of the booking.

The booking (`ActivityBooking`) is a plain value the controller owns, like the grocery
order; the screens only show it and call the controller. Times are said the way people
say them ("周三上午九点", "明天下午两点半"), in the kiosk's local time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kiosk.i18n import Lang, Translator, other_language
from kiosk.paging import on_page, page_count
from kiosk.screens.base import KioskScreen

# Cards on one page: three cards and Next page / My requests / Home make six choices.
PER_PAGE = 3
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class ActivityBooking:
    """The activities on offer when the screen opened, and the booking being made."""

    activities: tuple[Any, ...] = ()  # sync.catalogue_views.ActivityView, soonest first
    booked: frozenset[str] = field(default_factory=frozenset)  # activity ids booked here
    page: int = 0
    chosen: Any = None  # the ActivityView tapped
    saving: bool = False
    record_id: uuid.UUID | None = None  # stored: the ServiceRequest's record id
    failure: str | None = None  # "no_resident" | "not_saved"

    @property
    def stored(self) -> bool:
        return self.record_id is not None

    @property
    def pages(self) -> int:
        return page_count(self.activities, PER_PAGE)

    def on_page(self, slot: int) -> Any:
        return on_page(self.activities, self.page, slot, PER_PAGE)

    def find(self, activity_id: Any) -> Any:
        return next((a for a in self.activities if str(a.activity_id) == str(activity_id)), None)


def _period(hour: int) -> str:
    if hour < 6:
        return "early"
    if hour < 12:
        return "morning"
    if hour < 13:
        return "noon"
    if hour < 18:
        return "afternoon"
    return "evening"


def _chinese_minutes(minute: int) -> str:
    """5 -> "零五", 15 -> "十五", 45 -> "四十五": minutes as a clock is read aloud."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(minute, 10)
    if tens == 0:
        return "零" + digits[ones]
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


def when_words(starts_at: datetime, translator: Translator, lang: Lang,
               today: date | None = None) -> str:
    """"周三上午九点" / "tomorrow 2:30 in the afternoon" / "수요일 오전 9시", local time."""
    local = starts_at.astimezone()
    today = today or datetime.now().astimezone().date()
    days = (local.date() - today).days
    if days in (0, 1, 2):
        near = ("activity.today", "activity.tomorrow", "activity.day_after")
        day = translator.text(near[days], lang)
    elif 0 < days < 7:
        day = translator.text(f"activity.weekday.{WEEKDAYS[local.weekday()]}", lang)
    else:
        day = translator.text("activity.date", lang, month=local.month, day=local.day)
    hours = translator.text("activity.hour_words", lang).split(",")
    hour = hours[local.hour % 12]
    if local.minute == 0:
        clock = translator.text("activity.clock_whole", lang, hour=hour)
    elif local.minute == 30:
        clock = translator.text("activity.clock_half", lang, hour=hour)
    else:
        minutes = _chinese_minutes(local.minute) if lang is Lang.ZH else f"{local.minute:02d}"
        clock = translator.text("activity.clock_minutes", lang, hour=hour, minutes=minutes)
    period = translator.text(f"activity.period.{_period(local.hour)}", lang)
    return translator.text("activity.when", lang, day=day, period=period, clock=clock)


def readback(translator: Translator, lang: Lang, activity: Any) -> str:
    """"报名：太极拳，周三上午九点，社区活动室。对吗？"."""
    if activity is None:
        return ""
    return translator.text("activity.readback", lang, name=activity.name(lang.value),
                           when=when_words(activity.starts_at, translator, lang),
                           place=activity.place(lang.value))


class ActivitiesScreen(KioskScreen):
    """PER_PAGE activity cards, and More / My requests / Home."""

    # kv reads these through a method: it re-binds on `controller.<value>` only, not on
    # the attributes of a plain value.
    @staticmethod
    def any_items(catalogue: Any) -> bool:
        return bool(getattr(catalogue, "activities", None) or getattr(catalogue, "rewards", None))

    @staticmethod
    def page_count(catalogue: Any) -> int:
        return catalogue.pages

    def card(self, slot: int, booking: ActivityBooking, lang: str) -> tuple[str, str, str, str, str]:
        """(activity id, name, when, place, the second language's line) of card `slot`."""
        activity = booking.on_page(slot)
        if activity is None:
            return "", "", "", "", ""
        translator = self.controller.translator
        chosen, other = Lang(lang), other_language(Lang(lang))
        name = activity.name(chosen.value)
        place = activity.place(chosen.value)
        if str(activity.activity_id) in booking.booked:
            place = f"{place} · {self.tr('activity.booked_mark', lang)}"
        # The other language's name, or its time words when there is no other name.
        second = activity.name(other.value)
        if second == name:
            second = when_words(activity.starts_at, translator, other)
        return (str(activity.activity_id), name, when_words(activity.starts_at, translator, chosen),
                place, second)

    def booked(self, slot: int, booking: ActivityBooking) -> bool:
        activity = booking.on_page(slot)
        return activity is not None and str(activity.activity_id) in booking.booked

    def hint(self, booking: ActivityBooking, notice: str, lang: str) -> str:
        if notice:
            return notice
        if not booking.activities:
            return self.tr("activity.none", lang)
        return self.tr("activity.hint", lang)


class ActivityConfirmScreen(KioskScreen):
    """The read-back with 对 / 不对 / Home."""

    def question(self, booking: ActivityBooking, lang: str, other: bool = False) -> str:
        chosen = other_language(Lang(lang)) if other else Lang(lang)
        return readback(self.controller.translator, chosen, booking.chosen)


class ActivitySentScreen(KioskScreen):
    """After "对": saving, signed up (and whether it reached the community), or why not."""

    def headline(self, booking: ActivityBooking, lang: str) -> str:
        return self.saving_headline("activity", booking, lang)

    def details(self, booking: ActivityBooking, lang: str) -> str:
        activity = booking.chosen
        if activity is None:
            return ""
        translator = self.controller.translator
        return translator.text("activity.separator", Lang(lang)).join(
            (activity.name(lang), when_words(activity.starts_at, translator, Lang(lang)),
             activity.place(lang)))

    def progress(self, booking: ActivityBooking, requests: Any, lang: str) -> str:
        if not booking.stored:
            return ""
        return self.controller.booking_progress(booking.record_id, lang)

