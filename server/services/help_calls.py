"""Help calls after they arrive: acknowledge, escalate, resolve; each change goes to the kiosk."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from server.errors import InvalidStateError, NotFoundError
from server.models import HelpCall, utcnow
from server.services import live
from server.services.audit import audit
from server.services.feed import append_change
from server.services.lookup import find_pushed
from sync.records import ChangeKind, HelpCallState, HelpCallStatus

log = logging.getLogger(__name__)


def help_call_status(call: HelpCall, note: str | None = None) -> HelpCallStatus:
    return HelpCallStatus(
        help_call_id=call.record_id,
        state=HelpCallState(call.state),
        acknowledged_by=call.acknowledged_by,
        note=note,
    )


def get_help_call(
    session: Session, help_call_id: uuid.UUID, kiosk_id: uuid.UUID | None = None
) -> HelpCall:
    call = find_pushed(session, HelpCall, help_call_id, kiosk_id)
    if call is None:
        raise NotFoundError(f"no help call with id {help_call_id}")
    return call


def acknowledge_help_call(
    session: Session,
    help_call_id: uuid.UUID,
    *,
    by: str,
    note: str | None = None,
    actor: str | None = None,
) -> HelpCall:
    """`by` (a caregiver's display name) is coming; the kiosk says so to the resident."""
    call = _open_call(session, help_call_id)
    call.state = HelpCallState.ACKNOWLEDGED.value
    call.acknowledged_by = by
    call.acknowledged_at = utcnow()
    return _changed(session, call, "help_call.acknowledged", actor or by, note)


def escalate_help_call(
    session: Session, help_call_id: uuid.UUID, *, note: str | None = None, actor: str = "system",
    at: datetime | None = None,
) -> HelpCall:
    """Nobody answered in time: the call goes to the next person in the chain."""
    call = _open_call(session, help_call_id)
    call.state = HelpCallState.ESCALATED.value
    call.escalated_at = at or utcnow()
    return _changed(session, call, "help_call.escalated", actor, note)


def resolve_help_call(
    session: Session, help_call_id: uuid.UUID, *, note: str | None = None, actor: str = "admin"
) -> HelpCall:
    """The resident has been helped (or it was a false alarm); the kiosk's alarm can end."""
    call = _open_call(session, help_call_id)
    _resolve(call, utcnow(), note)
    return _changed(session, call, "help_call.resolved", actor, note)


def cancel_by_resident(
    session: Session, kiosk_id: uuid.UUID, help_call_id: uuid.UUID, at: datetime, note: str | None
) -> HelpCallStatus | None:
    """Apply a kiosk's `cancelled_by_resident` event; None if the call is unknown or closed.

    An unknown call is not an error: the event is stored anyway and the kiosk has nothing
    to be told.
    """
    call = find_pushed(session, HelpCall, help_call_id, kiosk_id)
    if call is None or call.state == HelpCallState.RESOLVED:
        return None
    text = "cancelled_by_resident" if not note else f"cancelled_by_resident: {note}"
    _resolve(call, at, text)
    audit(session, actor=f"kiosk:{kiosk_id}", action="help_call.cancelled_by_resident",
          target=f"help_call:{call.record_id}")
    log.info("help call %s cancelled by the resident at kiosk %s", call.record_id, kiosk_id)
    return help_call_status(call, note="cancelled_by_resident")


def _resolve(call: HelpCall, at: datetime, note: str | None) -> None:
    call.state = HelpCallState.RESOLVED.value
    call.resolved_at = at
    call.resolution_note = note


def _open_call(session: Session, help_call_id: uuid.UUID) -> HelpCall:
    call = get_help_call(session, help_call_id)
    if call.state == HelpCallState.RESOLVED:
        raise InvalidStateError(f"help call {help_call_id} is already resolved")
    return call


def _changed(session: Session, call: HelpCall, action: str, actor: str, note: str | None) -> HelpCall:
    session.flush()
    append_change(session, call.kiosk_id, ChangeKind.HELP_CALL_STATUS, help_call_status(call, note))
    audit(session, actor=actor, action=action, target=f"help_call:{call.record_id}",
          detail={"state": call.state, "note": note})
    live.announce(session, [live.LiveEvent("help_call", str(call.kiosk_id), str(call.record_id))])
    log.info("help call %s is now %s (by %s)", call.record_id, call.state, actor)
    return call
