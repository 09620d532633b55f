"""The demo's people on the server: a volunteer, a grid worker and a caregiver.

They act on whatever the demo kiosk sends, one step every few seconds, through the same
server services the staff and caregiver pages use, so the kiosk learns each step by its
normal pull: a help call is acknowledged by the resident's first caregiver, a grocery order
is claimed, bought and delivered by the demo volunteer's account on the grocery board
(services/grocery_board.py, so its claim limit and audit apply), any other request is
assigned, worked on and done.
"""

from __future__ import annotations

import logging
import secrets
import threading
import uuid
from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from server.db import session_scope
from server.models import Account, Resident
from server.models.records import CallbackRequest, HelpCall, ServiceRequest
from server.services import accounts, grocery_board
from server.services.help_calls import acknowledge_help_call
from server.services.requests import set_request_status
from sync.records import HelpCallState, RequestStatus

log = logging.getLogger(__name__)

VOLUNTEER = "志愿者小刘 volunteer Liu"
# The demo volunteer's account; its password is random and never shown: nobody signs in as it.
VOLUNTEER_USERNAME = "demo-volunteer-liu"
GRID_WORKER = "网格员老陈 grid worker Chen"
SERVICE_CENTRE = "社区服务中心 service centre"
DUTY_STAFF = "社区值班员 duty staff"

GROCERY_STEPS = (RequestStatus.CLAIMED, RequestStatus.BOUGHT, RequestStatus.DELIVERED)
REQUEST_STEPS = (RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS, RequestStatus.DONE)
CALLBACK_STEPS = (RequestStatus.ASSIGNED, RequestStatus.DONE)


def next_status(current: str, steps: tuple[RequestStatus, ...]) -> RequestStatus | None:
    """The step after `current` ("received" comes before the first), or None when done."""
    if current == RequestStatus.RECEIVED.value:
        return steps[0]
    names = [step.value for step in steps]
    if current not in names or names.index(current) + 1 == len(names):
        return None
    return steps[names.index(current) + 1]


class DemoStaff:
    """One action per step: help calls first (they are urgent), then the oldest request."""

    def __init__(self, engine: Engine, kiosk_id: uuid.UUID, *, acknowledge_help: bool = True,
                 say: Callable[[str], None] = print, claim_limit: int = 2) -> None:
        self._engine = engine
        self._claim_limit = claim_limit
        self._kiosk_id = kiosk_id
        self._acknowledge_help = acknowledge_help
        self._say = say

    def run(self, step_seconds: float, stop: threading.Event) -> None:
        while not stop.wait(step_seconds):
            try:
                self.step()
            except Exception:  # a demo helper must not take the demo down; say why
                log.exception("demo staff step failed")

    def step(self) -> str | None:
        """Do the next thing a person would; returns what was done (None: nothing to do)."""
        with session_scope(self._engine) as session:
            if self._acknowledge_help:
                call = session.scalars(
                    select(HelpCall).where(HelpCall.kiosk_id == self._kiosk_id,
                                           HelpCall.state == HelpCallState.RECEIVED.value)
                    .order_by(HelpCall.created_at)).first()
                if call is not None:
                    who = self._caregiver_of(session, call.resident_id)
                    acknowledge_help_call(session, call.record_id, by=who, actor="demo")
                    return self._done(f"[server] {who} acknowledged help call {call.record_id}")
            for model, steps_of in ((CallbackRequest, lambda _row: CALLBACK_STEPS),
                                    (ServiceRequest, _steps_of_request)):
                for row in session.scalars(
                        select(model).where(model.kiosk_id == self._kiosk_id)
                        .order_by(model.created_at)):
                    status = next_status(row.status, steps_of(row))
                    if status is None:
                        continue
                    who = _who_does(model, row)
                    if model is ServiceRequest and row.request_type == grocery_board.GROCERY:
                        self._shop(session, row.record_id, status)
                    else:
                        set_request_status(session, row.record_id, status, handled_by=who,
                                           actor="demo staff")
                    what = getattr(row, "request_type", "call-back")
                    return self._done(f"[server] {who}: {what} -> {status.value}")
        return None

    def _shop(self, session: Session, request_id: uuid.UUID, status: RequestStatus) -> None:
        volunteer = _demo_volunteer(session)
        if status is RequestStatus.CLAIMED:
            grocery_board.claim(session, volunteer, request_id, limit=self._claim_limit,
                                actor="demo staff")
        elif status is RequestStatus.BOUGHT:
            grocery_board.bought(session, volunteer, request_id, actor="demo staff")
        else:
            grocery_board.delivered(session, volunteer, request_id, actor="demo staff")

    def _done(self, line: str) -> str:
        self._say(line)
        return line

    @staticmethod
    def _caregiver_of(session: object, resident_id: uuid.UUID | None) -> str:
        resident = session.get(Resident, resident_id) if resident_id else None  # type: ignore[attr-defined]
        caregivers = list(getattr(resident, "caregivers", None) or [])
        return caregivers[0] if caregivers else DUTY_STAFF


def _demo_volunteer(session: Session) -> Account:
    account = accounts.find_account(session, VOLUNTEER_USERNAME)
    if account is None:
        account = accounts.create_account(session, VOLUNTEER_USERNAME, secrets.token_urlsafe(24),
                                          "volunteer", display_name=VOLUNTEER, actor="demo")
    return account


def _steps_of_request(row: ServiceRequest) -> tuple[RequestStatus, ...]:
    return GROCERY_STEPS if row.request_type == "grocery" else REQUEST_STEPS


def _who_does(model: type, row: object) -> str:
    if model is CallbackRequest:
        return SERVICE_CENTRE
    return VOLUNTEER if getattr(row, "request_type", "") == "grocery" else GRID_WORKER
