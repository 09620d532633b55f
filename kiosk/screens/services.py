"""Services (办事): the menu, one choice screen, one read-back and one "sent" screen for all kinds.

A service request is a plain value (`ServiceFlow`) the controller owns, like the grocery
order: the screens show it and call the controller. Every kind is at most three taps from
the menu, the read-back included: kind -> what -> 对 (the clinic's time is the answer to its
read-back: 越快越好 / 上午 / 下午). Option values are the wire values of sync.records.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kiosk.i18n import Lang, Translator, other_language
from kiosk.screens.base import KioskScreen
from kiosk.theme import current

MORE = "more"  # the sixth tile of a page when a kind has more than six choices
MAX_TILES = 6

# kind -> (option value, drawn icon); the order is the order on screen.
OPTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "repair": (("water", "drop"), ("electricity", "bolt"), ("gas", "flame"),
               ("door", "door"), ("window", "window"), ("appliance", "tv"),
               ("heating", "radiator"), ("other", "dots")),
    "certificate": (("residence", "house"), ("living_status", "person"),
                    ("income", "coin"), ("elderly_card", "card"), ("other", "dots")),
    "clinic_booking": (("general", "clinic"), ("chronic_disease", "pill"), ("dental", "tooth"),
                       ("eye", "eye"), ("tcm", "leaf"), ("rehabilitation", "walker"),
                       ("other", "dots")),
    "mediation": (("neighbour", "house"), ("family", "people"),
                  ("property_management", "building"), ("other", "dots")),
}
KINDS = (*OPTIONS, "callback")

# The clinic's read-back answers: when, and ClinicBookingDetails.time_of_day for each.
WHEN: tuple[tuple[str, str, str], ...] = (
    ("soonest", "any", "next"), ("morning", "morning", "sun"), ("afternoon", "afternoon", "sunset"))
TIME_OF_DAY = {when: time_of_day for when, time_of_day, _ in WHEN}

CAREGIVER = "caregiver"
SERVICE_CENTRE = "service_centre"
MAX_CAREGIVERS = MAX_TILES - 1  # and the service centre


@dataclass(frozen=True, slots=True)
class ServiceFlow:
    """The request being chosen and, after 对, what became of it."""

    kind: str = ""  # one of KINDS
    page: int = 0
    choice: str = ""  # an OPTIONS value; for a call-back CAREGIVER or SERVICE_CENTRE
    caregiver: str | None = None  # the call-back's chosen caregiver's name
    when: str = ""  # the clinic's answer (a WHEN key)
    caregivers: tuple[str, ...] = ()  # the resident's caregivers, read on the background loop
    saving: bool = False
    record_id: uuid.UUID | None = None
    failure: str | None = None  # "no_resident" | "not_saved"

    @property
    def stored(self) -> bool:
        return self.record_id is not None

    def choices(self) -> tuple[tuple[str, str, str | None], ...]:
        """(value, icon, caregiver name) of every choice of this kind."""
        if self.kind == "callback":
            people = [(CAREGIVER, "person", name) for name in self.caregivers[:MAX_CAREGIVERS]]
            if not people:
                people = [(CAREGIVER, "people", None)]
            return (*people, (SERVICE_CENTRE, "phone", None))
        return tuple((value, icon, None) for value, icon in OPTIONS.get(self.kind, ()))

    def pages(self) -> tuple[tuple[tuple[str, str, str | None], ...], ...]:
        """Pages of at most six tiles; with more choices, five and a "more" tile each."""
        choices = self.choices()
        if len(choices) <= MAX_TILES:
            return (choices,)
        size = MAX_TILES - 1
        pages = [choices[start:start + size] for start in range(0, len(choices), size)]
        return tuple((*page, (MORE, "next" if n < len(pages) - 1 else "back", None))
                     for n, page in enumerate(pages))

    def tile(self, slot: int) -> tuple[str, str, str | None]:
        """(value, icon, caregiver name) of tile `slot` on this page; empty texts for none."""
        pages = self.pages()
        page = pages[self.page % len(pages)]
        return page[slot] if slot < len(page) else ("", "", None)


def option_words(translator: Translator, lang: Lang, kind: str, value: str,
                 caregiver: str | None = None) -> str:
    """A choice in words: "水管漏水", "牙科", "张丽", "社区服务中心"."""
    if kind == "callback":
        if value == CAREGIVER:
            return caregiver or translator.text("services.callback_family", lang)
        return translator.text("services.callback_centre", lang)
    return translator.text(f"services.option.{kind}.{value}", lang)


def detail_words(translator: Translator, lang: Lang, details: dict[str, Any]) -> str:
    """The words of a stored request's details (My requests): "水管漏水", "牙科，上午"."""
    kind = details.get("type", "")
    field = {"repair": "what", "certificate": "certificate", "clinic_booking": "department",
             "mediation": "with_whom"}.get(kind)
    if field is None or details.get(field) not in dict(OPTIONS[kind]):
        return ""
    words = option_words(translator, lang, kind, details[field])
    if kind == "clinic_booking":
        when = {time_of_day: key for key, time_of_day, _ in WHEN}.get(
            details.get("time_of_day", "any"), "soonest")
        words = translator.text("services.with_time", lang, what=words,
                                when=translator.text(f"services.when.{when}", lang))
    return words


def callback_words(translator: Translator, lang: Lang, payload: dict[str, Any]) -> str:
    """Who will call back: "张丽会给您回电话" / "社区服务中心会给您回电话"."""
    if payload.get("target") == SERVICE_CENTRE:
        return translator.text("services.callback_centre_will_call", lang)
    name = payload.get("caregiver_name")
    if name:
        return translator.text("services.callback_will_call", lang, name=name)
    return translator.text("services.callback_family_will_call", lang)


def readback(translator: Translator, lang: Lang, flow: ServiceFlow) -> str:
    """"报修：水管漏水。对吗？" (the clinic's: "预约门诊：牙科。什么时候去？")."""
    words = option_words(translator, lang, flow.kind, flow.choice, flow.caregiver)
    return translator.text(f"services.readback.{flow.kind}", lang, what=words)


def summary(translator: Translator, lang: Lang, flow: ServiceFlow) -> str:
    """The request in a few words for the sent screen: "报修：水管漏水"."""
    if flow.kind == "callback":
        return callback_words(translator, lang, {
            "target": SERVICE_CENTRE if flow.choice == SERVICE_CENTRE else CAREGIVER,
            "caregiver_name": flow.caregiver})
    words = option_words(translator, lang, flow.kind, flow.choice)
    if flow.kind == "clinic_booking" and flow.when:
        words = translator.text("services.with_time", lang, what=words,
                                when=translator.text(f"services.when.{flow.when}", lang))
    return translator.text("services.summary", lang,
                           kind=translator.text(f"services.{flow.kind}", lang), what=words)


class ServicesScreen(KioskScreen):
    """Six big tiles: repair, certificate, clinic, activities, mediation, call me back."""


class ServiceChooseScreen(KioskScreen):
    """The choices of one kind as picture tiles (five and "more" when there are over six)."""

    def title(self, flow: ServiceFlow, lang: str) -> str:
        if not flow.kind:
            return ""
        key = f"services.{flow.kind}"
        return f"{self.tr(key, lang)}  {self.tr_other(key, lang)}"

    def question(self, flow: ServiceFlow, lang: str) -> str:
        return self.tr(f"services.choose.{flow.kind}", lang) if flow.kind else ""

    def words(self, flow: ServiceFlow, slot: int, lang: str, other: bool = False) -> str:
        value, _icon, name = flow.tile(slot)
        if not value:
            return ""
        chosen = other_language(Lang(lang)) if other else Lang(lang)
        if value == MORE:
            last = flow.page == len(flow.pages()) - 1
            return self.tr("services.back_page" if last else "services.more", chosen)
        if name and other:
            # The name once, above; below it the role in both languages (a name is
            # Chinese whatever the language chosen).
            return " ".join(self.tr("services.callback_family", code)
                            for code in dict.fromkeys((Lang(lang), chosen)))
        return option_words(self.controller.translator, chosen, flow.kind, value, name)


class ReadBackScreen(KioskScreen):
    """What both read-back screens share (no kv rule of its own: Kivy applies a base
    class's rule to its subclasses too, and the two layouts differ)."""

    def question(self, flow: ServiceFlow, lang: str, other: bool = False) -> str:
        if not flow.kind or not flow.choice:
            return ""
        return readback(self.controller.translator, other_language(Lang(lang)) if other else Lang(lang), flow)


class ServiceConfirmScreen(ReadBackScreen):
    """"报修：水管漏水。对吗？" with 对 / 不对."""


class ClinicConfirmScreen(ReadBackScreen):
    """"预约门诊：牙科。什么时候去？" answered by 越快越好 / 上午 / 下午, or 不对."""


class ServiceSentScreen(KioskScreen):
    """After 对: saving, saved (and whether it reached the community), or why not."""

    def headline(self, flow: ServiceFlow, lang: str) -> str:
        if flow.kind == "callback" and flow.stored and not flow.failure:
            return summary(self.controller.translator, Lang(lang), flow)  # who will call
        return self.saving_headline("services", flow, lang)

    @staticmethod
    def headline_size(flow: ServiceFlow) -> str:
        """Advice after a failure is a sentence or two: body size, not a headline."""
        return current().fonts.body if flow.failure else current().fonts.headline

    def details(self, flow: ServiceFlow, phone: str | None, lang: str) -> str:
        if not flow.kind or not flow.choice or flow.failure:
            return ""
        if flow.kind == "callback":
            return self.tr("services.phone", lang, phone=phone) if phone else ""
        return summary(self.controller.translator, Lang(lang), flow)


    def progress(self, flow: ServiceFlow, requests: Any, lang: str) -> str:
        if not flow.stored:
            return ""
        return self.controller.service_progress(flow.record_id, lang)
