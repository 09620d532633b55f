"""The kiosk's Services actions (repair, certificate, clinic, mediation, call-back), mixed into
the Controller.

The screens call these on the UI thread; the request is stored on the background loop like
the grocery order, and the resident's caregivers are read there too.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from functools import partial
from typing import Any

from kivy.clock import Clock

from kiosk.i18n import Lang
from kiosk.screens.requests import progress_words
from kiosk.screens.services import (
    CAREGIVER,
    KINDS,
    MORE,
    OPTIONS,
    SERVICE_CENTRE,
    TIME_OF_DAY,
    ServiceFlow,
    readback,
    summary,
)
from sync.records import (
    CallbackRequest,
    CallbackTarget,
    CertificateDetails,
    ClinicBookingDetails,
    MediationDetails,
    RecordKind,
    RepairDetails,
    ServiceRequest,
)

log = logging.getLogger(__name__)

SERVICE_SCREENS = frozenset({"services", "service_choose", "service_confirm", "clinic_confirm",
                             "service_sent"})


class ServiceActions:
    """Needs the Controller's store, sync_loop, translator, service, requests, status, lang,
    _bg, _show, say, text, resident_id and speech."""

    def open_services(self) -> None:
        self.service = ServiceFlow(caregivers=self.service.caregivers)
        self._show("services")
        self._bg.submit(self._read_caregivers())

    def service_kind(self, kind: str) -> None:
        """A menu tile: the choices of that kind."""
        if kind not in KINDS:
            raise KeyError(f"no service kind {kind!r}")
        self.service = ServiceFlow(kind=kind, caregivers=self.service.caregivers)
        self._show("service_choose")

    def open_service(self, kind: str, choice: str | None = None) -> None:
        """A kind of service asked for by voice: its read-back at once when the words named
        the choice ("水管坏了" -> repair: water), else its choices, as after the menu tile."""
        if kind not in KINDS:
            raise KeyError(f"no service kind {kind!r}")
        if choice in {value for value, _icon in OPTIONS.get(kind, ())}:
            self.service = ServiceFlow(kind=kind, choice=choice, caregivers=self.service.caregivers)
            self._show("clinic_confirm" if kind == "clinic_booking" else "service_confirm")
        else:
            self.service_kind(kind)
        self._bg.submit(self._read_caregivers())

    def request_callback(self, who: str = CAREGIVER) -> None:
        """"给我女儿打电话" / "call the service centre": a call-back request. The centre, or a
        caregiver named by the resident, goes straight to the read-back; otherwise the
        caregivers are offered by name."""
        caregivers = self.service.caregivers
        if who == SERVICE_CENTRE:
            self.service = ServiceFlow(kind="callback", choice=SERVICE_CENTRE,
                                       caregivers=caregivers)
            self._show("service_confirm")
        elif who in caregivers:
            self.service = ServiceFlow(kind="callback", choice=CAREGIVER, caregiver=who,
                                       caregivers=caregivers)
            self._show("service_confirm")
        else:
            self.service_kind("callback")
        self._bg.submit(self._read_caregivers())

    def service_choose(self, slot: int) -> None:
        """A choice tile: "more" turns the page; anything else goes to the read-back."""
        flow = self.service
        value, _icon, name = flow.tile(slot)
        if not value or flow.saving or flow.stored:
            return
        if value == MORE:
            self.service = replace(flow, page=(flow.page + 1) % len(flow.pages()))
            self.say_screen()
            return
        self.service = replace(flow, choice=value, caregiver=name, when="", failure=None)
        self._show("clinic_confirm" if flow.kind == "clinic_booking" else "service_confirm")

    def service_change(self) -> None:
        """"不对": back to the choices; nothing is stored."""
        self.service = replace(self.service, choice="", caregiver=None, when="")
        self._show("service_choose", spoken="services.say.change")

    def service_confirm(self, when: str = "") -> None:
        """"对" (or the clinic's time): one record, stored on the background loop."""
        flow = self.service
        if not flow.kind or not flow.choice or flow.saving or flow.stored:
            return
        if flow.kind == "clinic_booking" and when not in TIME_OF_DAY:
            raise ValueError(f"a clinic booking needs one of {sorted(TIME_OF_DAY)}, got {when!r}")
        flow = replace(flow, when=when, saving=True, failure=None)
        self.service = flow
        self._show("service_sent", spoken=None)
        kind = RecordKind.CALLBACK_REQUEST if flow.kind == "callback" else RecordKind.SERVICE_REQUEST
        self._bg.submit(self._save_record(
            kind, lambda resident: _record_of(flow, resident)[1], self._on_service_saved,
            what=f"{flow.kind} request"))

    def service_progress(self, record_id: uuid.UUID | None, lang: str | None = None) -> str:
        """Whether a stored request has reached the community (or what the server said)."""
        return progress_words(self.requests, record_id, self.translator,
                              Lang(lang or self.lang), "services")

    def shown_service_progress(self) -> str:
        """The sent screen's progress words now ("" when that screen is not showing one)."""
        flow = self.service
        if self.screen != "service_sent" or not flow.stored:
            return ""
        return self.service_progress(flow.record_id)

    def say_service_progress_change(self, before: str) -> None:
        """The request on screen reached the community, or staff took it on: say so."""
        now = self.shown_service_progress()
        if before and now and now != before:
            self.speech.speak(now, self.lang)

    # --- spoken on entering (Controller._say_idle_screen looks these up by screen name) ----

    def _speak_services(self) -> None:
        self.say("services.say.menu")

    def _speak_service_choose(self) -> None:
        flow = self.service
        if len(flow.pages()) > 1 and flow.page:
            self.say("services.say.page_two", question=self.text(f"services.choose.{flow.kind}"))
        else:
            self.say(f"services.say.choose_{flow.kind}")

    def _speak_service_confirm(self) -> None:
        self.speech.speak(readback(self.translator, Lang(self.lang), self.service), self.lang)

    def _speak_clinic_confirm(self) -> None:
        self.say("services.say.clinic_when",
                 question=readback(self.translator, Lang(self.lang), self.service))

    def _speak_service_sent(self) -> None:
        flow = self.service
        if flow.failure:
            self.say(f"services.{flow.failure}")
        elif flow.stored and flow.kind == "callback":
            phone = self.status.community_phone
            words = summary(self.translator, Lang(self.lang), flow)
            if phone:
                self.say("services.say.callback_phone", who=words, phone=phone)
            else:
                self.say("services.say.callback", who=words)
        elif flow.stored:
            self.say("services.say.saved", what=summary(self.translator, Lang(self.lang), flow),
                     delivery=self.service_progress(flow.record_id))

    # --- background ----------------------------------------------------------------------

    async def _read_caregivers(self) -> None:
        try:
            residents = self.store.residents()
        except Exception:
            log.exception("residents not read; the call-back shows no names")
            return
        chosen = self.resident_id()
        names = next((tuple(r.caregivers) for r in residents if r.resident_id == chosen), ())
        Clock.schedule_once(partial(self._on_caregivers, names))

    def _on_caregivers(self, names: tuple[str, ...], _dt: float = 0) -> None:
        if names != self.service.caregivers:
            self.service = replace(self.service, caregivers=names)

    def _on_service_saved(self, record_id: uuid.UUID | None, failure: str | None,
                          _dt: float = 0) -> None:
        self.service = replace(self.service, saving=False, record_id=record_id, failure=failure)
        if self.screen == "service_sent":
            self.say_screen()


def _record_of(flow: ServiceFlow, resident: uuid.UUID) -> tuple[RecordKind, Any]:
    """The record the flow stands for: a ServiceRequest, or a CallbackRequest."""
    if flow.kind == "callback":
        if flow.choice == SERVICE_CENTRE:
            return RecordKind.CALLBACK_REQUEST, CallbackRequest(
                resident_id=resident, target=CallbackTarget.SERVICE_CENTRE)
        if flow.choice != CAREGIVER:
            raise ValueError(f"no call-back choice {flow.choice!r}")
        return RecordKind.CALLBACK_REQUEST, CallbackRequest(
            resident_id=resident, target=CallbackTarget.CAREGIVER, caregiver_name=flow.caregiver)
    details: Any
    if flow.kind == "repair":
        details = RepairDetails(what=flow.choice)  # type: ignore[arg-type]
    elif flow.kind == "certificate":
        details = CertificateDetails(certificate=flow.choice)  # type: ignore[arg-type]
    elif flow.kind == "clinic_booking":
        details = ClinicBookingDetails(department=flow.choice,  # type: ignore[arg-type]
                                       time_of_day=TIME_OF_DAY[flow.when])  # type: ignore[arg-type]
    elif flow.kind == "mediation":
        details = MediationDetails(with_whom=flow.choice)  # type: ignore[arg-type]
    else:
        raise ValueError(f"no service kind {flow.kind!r}")
    return RecordKind.SERVICE_REQUEST, ServiceRequest(resident_id=resident, details=details)
