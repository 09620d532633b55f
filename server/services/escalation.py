"""Running alarms through their escalation chains: start a run with each alarm, fire due steps.

Every alarm gets an `alarm_escalations` row in the transaction that stores it, so a step
that falls due while no server runs fires when one starts again. `run_due_steps(session,
now)` is pure apart from the database and the clock it is given; each `linli server`
process calls it about once a second (`escalation_worker.py`). Several processes on one
PostgreSQL never fire a step twice: due runs are taken `FOR UPDATE SKIP LOCKED`, and
`escalation_steps` is unique per (alarm, step) as a second guard.

An alarm is never dropped: a step that finds nobody to tell goes on to the next step at
once, and when the last step finds nobody the admins are told instead. The chain stops
at the first step due after someone acknowledged or resolved the alarm.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from server.models import (
    Account,
    AlarmEscalation,
    EscalationStep,
    HelpCall,
    Resident,
    WebhookDelivery,
)
from server.services import help_calls, live, webhooks
from server.services.audit import audit
from server.services.escalation_chains import Step, admins, chain_for, resolve_target
from sync.records import HelpCallState

log = logging.getLogger(__name__)

# States in which nobody has taken the alarm yet: the chain goes on.
WAITING_STATES = (HelpCallState.RECEIVED.value, HelpCallState.ESCALATED.value)


def start_runs(session: Session, kiosk_id: uuid.UUID,
               calls: Iterable[tuple[uuid.UUID, uuid.UUID | None]], arrived_at: datetime) -> None:
    """Start the chain of each new alarm (record id, resident id) with the alarm's own insert.

    The chain is copied into the run: editing a resident's chain later does not re-time an
    alarm already running.
    """
    chains: dict[uuid.UUID | None, list[Step]] = {}
    rows = []
    for record_id, resident_id in calls:
        if resident_id not in chains:
            chains[resident_id] = chain_for(session, resident_id)[0]
        steps = chains[resident_id]
        rows.append(AlarmEscalation(
            kiosk_id=kiosk_id, record_id=record_id, resident_id=resident_id, arrived_at=arrived_at,
            steps=[step.to_json() for step in steps], next_step=0,
            next_due_at=arrived_at + timedelta(seconds=steps[0].after_seconds)))
    session.add_all(rows)
    session.flush()


def any_due(session: Session, now: datetime) -> bool:
    """A cheap read: is any step due? (So an idle SQLite server takes no write lock.)"""
    return session.scalar(select(AlarmEscalation.record_id)
                          .where(AlarmEscalation.next_due_at <= now).limit(1)) is not None


def run_due_steps(session: Session, now: datetime, *, public_url: str = "",
                  limit: int = 100) -> list[EscalationStep]:
    """Fire every step due at `now` (in order, catching up after a restart); returns them.

    The caller commits; the steps, their webhook deliveries, the alarm's new state, the
    kiosk's status change, the audit entries and the live events all commit together.
    """
    runs = list(session.scalars(
        select(AlarmEscalation).where(AlarmEscalation.next_due_at <= now)
        .order_by(AlarmEscalation.next_due_at).limit(limit)
        .with_for_update(skip_locked=True)))
    if not runs:
        return []
    # Lock the alarms before any kiosk feed row (as acknowledging and cancelling do: alarm,
    # then feed), so these transactions queue behind each other instead of deadlocking; and
    # an acknowledgement committing meanwhile is read here, never overwritten.
    calls = {(call.kiosk_id, call.record_id): call for call in session.scalars(
        select(HelpCall)
        .where(tuple_(HelpCall.kiosk_id, HelpCall.record_id).in_([(r.kiosk_id, r.record_id) for r in runs]))
        .order_by(HelpCall.kiosk_id, HelpCall.record_id)
        .with_for_update().execution_options(populate_existing=True))}
    fired: list[EscalationStep] = []
    for run in runs:
        fired += _advance(session, run, calls.get((run.kiosk_id, run.record_id)), now, public_url)
    return fired


def _end(run: AlarmEscalation, now: datetime, reason: str) -> None:
    run.next_due_at = None
    run.ended_at = now
    run.end_reason = reason


def _advance(session: Session, run: AlarmEscalation, call: HelpCall | None, now: datetime,
             public_url: str) -> list[EscalationStep]:
    if call is None or call.state not in WAITING_STATES:
        _end(run, now, call.state if call is not None else "gone")
        log.info("escalation of alarm %s stops: %s", run.record_id, run.end_reason)
        return []
    steps = [Step.from_json(item) for item in run.steps]
    resident = session.get(Resident, run.resident_id) if run.resident_id is not None else None
    fired: list[EscalationStep] = []
    found_nobody = False
    while run.next_due_at is not None and run.next_due_at <= now:
        index = run.next_step
        step = steps[index]
        accounts = resolve_target(session, step.target, run.resident_id)
        target = step.target
        reason = "first_step" if index == 0 else "nobody_before" if found_nobody else "no_answer"
        last = index == len(steps) - 1
        if not accounts and last and step.target != "admins":
            accounts, target, reason = admins(session), "admins", "fallback_admins"
        row = _record_step(session, run, index, target, accounts, reason, now)
        fired.append(row)
        if step.webhook:
            webhooks.enqueue(session, row, step.webhook, _payload(call, resident, row, public_url), now)
        if index > 0 and call.state == HelpCallState.RECEIVED.value:
            help_calls.escalate_help_call(session, call.record_id, at=now,
                                          note=f"escalation step {index + 1}: {target}")
        found_nobody = not accounts
        if found_nobody:
            (log.error if last else log.warning)(
                "escalation step %d (%s) of alarm %s found nobody to tell%s", index + 1, step.target,
                run.record_id, "; the alarm stays open on the consoles" if last else "; next step now")
        run.next_step = index + 1
        if last:
            _end(run, now, "chain_done")
        else:
            due = run.arrived_at + timedelta(seconds=steps[index + 1].after_seconds)
            # Nobody was told: do not wait for the next step's time.
            run.next_due_at = min(due, now) if found_nobody else due
    if any(row.step_index > 0 for row in fired):
        # The newly responsible people's consoles show the alarm "escalated to you". The
        # first step tells people whose consoles showed the alarm as it arrived.
        live.announce(session, [live.LiveEvent("help_call", str(run.kiosk_id), str(run.record_id))])
    return fired


def _record_step(session: Session, run: AlarmEscalation, index: int, target: str,
                 accounts: list[Account], reason: str, now: datetime) -> EscalationStep:
    notified = [{"username": account.username, "name": account.display_name} for account in accounts]
    row = EscalationStep(kiosk_id=run.kiosk_id, record_id=run.record_id, step_index=index,
                         target=target, notified=notified, reason=reason,
                         due_at=run.next_due_at, fired_at=now)
    session.add(row)
    session.flush()
    audit(session, actor="system:escalation", action="help_call.escalation_step",
          target=f"help_call:{run.record_id}",
          detail={"step": index + 1, "target": target, "reason": reason,
                  "notified": [item["username"] for item in notified]})
    log.info("alarm %s: escalation step %d (%s, %s) tells %s", run.record_id, index + 1, target,
             reason, ", ".join(item["username"] for item in notified) or "nobody")
    return row


def _payload(call: HelpCall, resident: Resident | None, step: EscalationStep,
             public_url: str) -> dict[str, object]:
    """What a gateway needs to send an SMS or place a call: no health data, no address."""
    return {
        "event": "alarm.escalation",
        "alarm_id": str(call.record_id),
        "alarm_kind": call.source,
        "resident": resident.display_name if resident is not None else None,
        "step": step.step_index + 1,
        "target": step.target,
        "reason": step.reason,
        "notify": step.notified,
        "fired_at": step.fired_at.isoformat(),
        "console_url": f"{public_url.rstrip('/')}/console#alert-help_call-{call.record_id}",
    }


@dataclass(frozen=True, slots=True)
class StepView:
    """A fired step as the console and the resident page show it."""

    number: int
    target: str
    names: tuple[str, ...]
    usernames: tuple[str, ...]
    reason: str
    fired_at: datetime
    webhook_status: str | None  # pending, sent, failed; None without a webhook


AlarmKey = tuple[uuid.UUID, uuid.UUID]  # (kiosk id, record id)


def steps_of(session: Session, keys: Iterable[AlarmKey]) -> dict[AlarmKey, tuple[StepView, ...]]:
    """Fired steps per alarm key, in order."""
    keys = list(keys)
    if not keys:
        return {}
    rows = session.execute(
        select(EscalationStep, WebhookDelivery.status)
        .outerjoin(WebhookDelivery, WebhookDelivery.step_id == EscalationStep.id)
        .where(tuple_(EscalationStep.kiosk_id, EscalationStep.record_id).in_(keys))
        .order_by(EscalationStep.step_index)).all()
    found: dict[AlarmKey, list[StepView]] = {}
    for step, status in rows:
        found.setdefault((step.kiosk_id, step.record_id), []).append(StepView(
            step.step_index + 1, step.target, tuple(item["name"] for item in step.notified),
            tuple(item["username"] for item in step.notified), step.reason, step.fired_at, status))
    return {key: tuple(views) for key, views in found.items()}
