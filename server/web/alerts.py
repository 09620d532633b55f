"""What a console shows: open alarms and call-back requests, as plain cards for templates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.orm import Session

from server.models import Account, CallbackRequest, HelpCall, Kiosk, ReceivedRecord, Resident
from server.services import visibility
from server.services.accounts import Role
from server.services.escalation import StepView, steps_of
from server.services.live import LiveEvent
from server.services.requests import CLOSED_STATUSES
from sync.records import HelpCallState, RequestStatus

OPEN_CALLBACK_STATUSES = [status.value for status in RequestStatus if status not in CLOSED_STATUSES]


@dataclass(frozen=True, slots=True)
class AlertCard:
    kind: str  # "help_call" (urgent) or "callback" (lower urgency)
    record_id: uuid.UUID
    kiosk_name: str
    resident_id: uuid.UUID | None
    resident_name: str | None
    what: str  # help call source, or call-back target
    state: str
    created_at: datetime  # the kiosk's clock: may be hours off
    received_at: datetime  # the server's clock: what the console orders and shows by
    handled_by: str | None
    note: str | None
    # Fired escalation steps (help calls only), in order.
    steps: tuple[StepView, ...] = ()

    @property
    def dom_id(self) -> str:
        return f"alert-{self.kind}-{self.record_id}"

    @property
    def open(self) -> bool:
        if self.kind == "help_call":
            return self.state != HelpCallState.RESOLVED
        return self.state in OPEN_CALLBACK_STATUSES

    def escalated_to(self, username: str) -> bool:
        """Was this viewer told by a step after the first ("escalated to you")?"""
        return self.open and not self.acknowledged and any(
            step.number > 1 and username in step.usernames for step in self.steps)

    @property
    def webhook_failed(self) -> bool:
        return any(step.webhook_status == "failed" for step in self.steps)

    @property
    def acknowledged(self) -> bool:
        return self.state in (HelpCallState.ACKNOWLEDGED, RequestStatus.ASSIGNED,
                              RequestStatus.IN_PROGRESS)


def _names(session: Session, resident_ids: set[uuid.UUID | None], kiosk_ids: set[uuid.UUID]):  # type: ignore[no-untyped-def]
    ids = {rid for rid in resident_ids if rid is not None}
    residents = dict(session.execute(
        select(Resident.id, Resident.display_name).where(Resident.id.in_(ids))).all()) if ids else {}
    kiosks = dict(session.execute(
        select(Kiosk.id, Kiosk.name).where(Kiosk.id.in_(kiosk_ids))).all()) if kiosk_ids else {}
    return residents, kiosks


def _received_times(session: Session, rows: list[HelpCall] | list[CallbackRequest]):  # type: ignore[no-untyped-def]
    keys = [(row.kiosk_id, row.record_id) for row in rows]
    if not keys:
        return {}
    found = session.execute(
        select(ReceivedRecord.kiosk_id, ReceivedRecord.record_id, ReceivedRecord.received_at)
        .where(tuple_(ReceivedRecord.kiosk_id, ReceivedRecord.record_id).in_(keys))).all()
    return {(kiosk_id, record_id): at for kiosk_id, record_id, at in found}


def _cards(session: Session, calls: list[HelpCall], callbacks: list[CallbackRequest]) -> list[AlertCard]:
    residents, kiosks = _names(
        session, {row.resident_id for row in [*calls, *callbacks]},
        {row.kiosk_id for row in [*calls, *callbacks]},
    )
    steps = steps_of(session, [(call.kiosk_id, call.record_id) for call in calls])
    received = _received_times(session, [*calls, *callbacks])
    cards = [
        AlertCard("help_call", call.record_id, kiosks.get(call.kiosk_id, "?"), call.resident_id,
                  residents.get(call.resident_id), call.source, call.state, call.created_at,
                  received.get((call.kiosk_id, call.record_id), call.created_at),
                  call.acknowledged_by, call.resolution_note or call.note,
                  steps.get((call.kiosk_id, call.record_id), ()))
        for call in calls
    ]
    cards += [
        AlertCard("callback", request.record_id, kiosks.get(request.kiosk_id, "?"),
                  request.resident_id, residents.get(request.resident_id), request.target,
                  request.status, request.created_at,
                  received.get((request.kiosk_id, request.record_id), request.created_at),
                  request.handled_by, request.note or request.reason)
        for request in callbacks
    ]
    return cards


def _by_arrival(model: type[HelpCall] | type[CallbackRequest]):  # type: ignore[no-untyped-def]
    """`model` joined to its received record, newest arrival first: a kiosk whose clock is
    hours off must not push a new alarm below old ones (or past the list's limit)."""
    return (select(model)
            .join(ReceivedRecord, (ReceivedRecord.kiosk_id == model.kiosk_id)
                  & (ReceivedRecord.record_id == model.record_id))
            .order_by(ReceivedRecord.received_at.desc()))


# What the console lists, per role, built once (the console page and its refreshes ask it).
_OPEN_CALLS = {role: _by_arrival(HelpCall)
               .where(HelpCall.state != HelpCallState.RESOLVED.value,
                      visibility.alert_scope(role, HelpCall.resident_id))
               .limit(bindparam("limit"))
               for role in Role}
_OPEN_CALLBACKS = {role: _by_arrival(CallbackRequest)
                   .where(CallbackRequest.status.in_(OPEN_CALLBACK_STATUSES),
                          visibility.alert_scope(role, CallbackRequest.resident_id))
                   .limit(bindparam("limit"))
                   for role in Role}


def open_alerts(session: Session, account: Account, limit: int = 200) -> list[AlertCard]:
    """Open alarms first (newest first), then open call-back requests; only what `account` may see."""
    role, parameters = Role(account.role), {"viewer_id": account.id, "limit": limit}
    calls = list(session.scalars(_OPEN_CALLS[role], parameters))
    callbacks = list(session.scalars(_OPEN_CALLBACKS[role], parameters))
    return _cards(session, calls, callbacks)


def card_for_event(session: Session, account: Account, event: LiveEvent) -> AlertCard | None:
    """The card an event is about, or None if it is unknown here or not for this viewer."""
    try:
        kiosk_id, record_id = uuid.UUID(event.kiosk_id), uuid.UUID(event.record_id)
    except ValueError:
        return None
    model = HelpCall if event.kind == "help_call" else CallbackRequest
    row = session.get(model, (kiosk_id, record_id))
    if row is None or not visibility.may_see_alert(session, account, row.resident_id):
        return None
    if isinstance(row, HelpCall):
        return _cards(session, [row], [])[0]
    return _cards(session, [], [row])[0]


# A resident's last alarms and call-backs, built once (every resident page asks them).
_HISTORY_LIMIT = 50
_CALLS_OF_RESIDENT = (_by_arrival(HelpCall).where(HelpCall.resident_id == bindparam("resident_id"))
                      .limit(_HISTORY_LIMIT))
_CALLBACKS_OF_RESIDENT = (_by_arrival(CallbackRequest)
                          .where(CallbackRequest.resident_id == bindparam("resident_id"))
                          .limit(_HISTORY_LIMIT))


def resident_alert_history(session: Session, resident_id: uuid.UUID) -> list[AlertCard]:
    """The resident's last 50 alarms and last 50 call-backs, newest arrival first."""
    calls = list(session.scalars(_CALLS_OF_RESIDENT, {"resident_id": resident_id}))
    callbacks = list(session.scalars(_CALLBACKS_OF_RESIDENT, {"resident_id": resident_id}))
    return sorted(_cards(session, calls, callbacks), key=lambda card: card.received_at, reverse=True)
