"""Escalation chains as data: the default chain (assets/), per-resident chains, who a target means.

A chain is an ordered list of steps, each with a delay from the alarm's arrival, a target
and an optional webhook URL. Targets name roles in the resident's circle, resolved when
the step fires (so a caregiver linked a minute ago is told):

- `first_caregiver`: the caregiver linked to the resident first; `other_caregivers`: the
  rest; `caregivers`: all of them
- `grid_staff`: staff of the resident's grid (the duty staff); `admins`: every admin
- `account:USERNAME`: one account, told only while it may see the resident
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidInputError
from server.models import Account, CaregiverLink, EscalationChain, Resident, StaffGrid, utcnow
from server.services import visibility
from server.services.accounts import Role, find_account
from server.services.audit import audit
from server.services.directory import get_resident

log = logging.getLogger(__name__)

DEFAULT_CHAIN_FILE = Path(__file__).resolve().parents[2] / "assets" / "escalation" / "default_chain.yaml"
ROLE_TARGETS = ("first_caregiver", "other_caregivers", "caregivers", "grid_staff", "admins")
ACCOUNT_PREFIX = "account:"
MAX_STEPS = 10
MAX_DELAY_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class Step:
    after_seconds: int
    target: str
    webhook: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        return cls(int(data["after_seconds"]), str(data["target"]), data.get("webhook") or None)


def _check_webhook(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(f"webhook {url!r} is not an http(s) URL")


def validate_steps(steps: list[Step]) -> list[Step]:
    """The steps if they make a chain; else InvalidInputError saying what to change."""
    if not steps:
        raise InvalidInputError("a chain needs at least one step")
    if len(steps) > MAX_STEPS:
        raise InvalidInputError(f"a chain has at most {MAX_STEPS} steps")
    previous = 0
    for number, step in enumerate(steps, start=1):
        if not 0 <= step.after_seconds <= MAX_DELAY_SECONDS:
            raise InvalidInputError(f"step {number}: the delay must be 0..{MAX_DELAY_SECONDS} seconds")
        if step.after_seconds < previous:
            raise InvalidInputError(f"step {number}: delays must not go down ({step.after_seconds} s "
                                    f"after {previous} s)")
        previous = step.after_seconds
        if step.target not in ROLE_TARGETS and not (
                step.target.startswith(ACCOUNT_PREFIX) and len(step.target) > len(ACCOUNT_PREFIX)):
            raise InvalidInputError(f"step {number}: unknown target {step.target!r}; use one of "
                                    f"{', '.join(ROLE_TARGETS)} or account:USERNAME")
        if step.webhook is not None:
            _check_webhook(step.webhook)
    return steps


def load_chain_file(path: Path, webhook: str | None = None) -> list[Step]:
    """Steps from a YAML file; `webhook` is given to every step that names none."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    try:
        steps = [Step.from_json(item) for item in data["steps"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError(f"{path}: not a chain (steps: [{{after_seconds, target}}])") from exc
    if webhook:
        steps = [step if step.webhook else Step(step.after_seconds, step.target, webhook) for step in steps]
    return validate_steps(steps)


_default: tuple[Step, ...] | None = None


def configure_default_chain(chain_file: str = "", webhook: str = "") -> tuple[Step, ...]:
    """Load the default chain (settings escalation_chain_file, escalation_webhook) now.

    The server calls this at start, so a broken chain file stops it starting instead of
    failing the first alarm's push.
    """
    global _default
    path = Path(chain_file) if chain_file else DEFAULT_CHAIN_FILE
    _default = tuple(load_chain_file(path, webhook or None))
    return _default


def default_chain() -> tuple[Step, ...]:
    """The chain of residents without their own."""
    if _default is None:
        from server.settings import Settings

        settings = Settings()
        return configure_default_chain(settings.escalation_chain_file, settings.escalation_webhook)
    return _default


def chain_for(session: Session, resident_id: uuid.UUID | None) -> tuple[list[Step], bool]:
    """The resident's chain and whether it is their own (False: the default chain)."""
    row = session.get(EscalationChain, resident_id) if resident_id is not None else None
    if row is None:
        return list(default_chain()), False
    return [Step.from_json(item) for item in row.steps], True


def set_chain(session: Session, resident_id: uuid.UUID, steps: list[Step] | None, *,
              actor: str) -> list[Step]:
    """Give the resident their own chain, or (None) put them back on the default chain.

    A named account must already be able to see the resident: a chain never shows an
    alarm to someone the relation rules keep away from it (a volunteer, another grid).
    """
    resident = get_resident(session, resident_id)
    row = session.get(EscalationChain, resident_id)
    if steps is None:
        if row is not None:
            session.delete(row)
        audit(session, actor=actor, action="escalation.chain_default", target=f"resident:{resident_id}")
        return list(default_chain())
    validate_steps(steps)
    for step in steps:
        if step.target.startswith(ACCOUNT_PREFIX):
            username = step.target.removeprefix(ACCOUNT_PREFIX)
            account = find_account(session, username)
            if account is None or account.disabled_at is not None:
                raise InvalidInputError(f"no enabled account {username!r}")
            if not visibility.may_see_resident(session, account, resident.id):
                raise InvalidInputError(f"{username!r} may not see {resident.display_name}'s alarms; "
                                        f"link the caregiver first (linli admin link-caregiver)")
    data = [step.to_json() for step in steps]
    if row is None:
        session.add(EscalationChain(resident_id=resident_id, steps=data, updated_by=actor))
    else:
        row.steps, row.updated_at, row.updated_by = data, utcnow(), actor
    session.flush()
    audit(session, actor=actor, action="escalation.chain_set", target=f"resident:{resident_id}",
          detail={"steps": data})
    log.info("escalation chain of resident %s set by %s: %s", resident_id, actor,
             ", ".join(f"{s.after_seconds}s {s.target}" for s in steps))
    return steps


def _enabled(query):  # type: ignore[no-untyped-def]
    return query.where(Account.disabled_at.is_(None))


def _caregivers(session: Session, resident_id: uuid.UUID) -> list[Account]:
    return list(session.scalars(_enabled(
        select(Account).join(CaregiverLink, CaregiverLink.account_id == Account.id)
        .where(CaregiverLink.resident_id == resident_id, Account.role == Role.CAREGIVER.value)
        .order_by(CaregiverLink.created_at, Account.username))))


def admins(session: Session) -> list[Account]:
    return list(session.scalars(_enabled(
        select(Account).where(Account.role == Role.ADMIN.value).order_by(Account.username))))


def resolve_target(session: Session, target: str, resident_id: uuid.UUID | None) -> list[Account]:
    """The enabled accounts a target means for this resident now (maybe none)."""
    if target == "admins":
        return admins(session)
    resident = session.get(Resident, resident_id) if resident_id is not None else None
    if target.startswith(ACCOUNT_PREFIX):
        account = find_account(session, target.removeprefix(ACCOUNT_PREFIX))
        if account is None or account.disabled_at is not None:
            return []
        # Unlinked since the chain was set: no longer told (and could not see the alarm).
        return [account] if visibility.may_see_alert(session, account, resident_id) else []
    if resident is None:
        return []
    if target == "grid_staff":
        if resident.grid_id is None:
            return []
        return list(session.scalars(_enabled(
            select(Account).join(StaffGrid, StaffGrid.account_id == Account.id)
            .where(StaffGrid.grid_id == resident.grid_id, Account.role == Role.STAFF.value)
            .order_by(Account.username))))
    caregivers = _caregivers(session, resident.id)
    if target == "first_caregiver":
        return caregivers[:1]
    if target == "other_caregivers":
        return caregivers[1:]
    if target == "caregivers":
        return caregivers
    log.warning("unknown escalation target %r treated as nobody", target)
    return []
