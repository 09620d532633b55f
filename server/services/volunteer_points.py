"""Points for volunteering (assets/points/rules.yaml): completed orders, useful suggestions.

Whose ledger: residents' points live in `points_ledger`, keyed by resident and sent to
their kiosk. Volunteers are web accounts, not residents, so their points go to a ledger of
their own, `volunteer_points`, keyed by account: a volunteer's earnings never show up on a
resident's kiosk, and a resident's balance never mixes with a volunteer's.

- A delivered grocery order the resident rates (the kiosk's `feedback` record; rating is
  how the resident confirms it arrived) becomes `done` and credits its volunteer once: the
  order moves from delivered to done only once, and the ledger's unique request id keeps a
  replayed or repeated rating from paying twice.
- A suggestion staff (of the resident's grid) or an admin mark useful credits the resident
  who made it, through the residents' ledger (their kiosk gets the `points_entry`), once:
  the mark's key is the suggestion's.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.errors import InvalidStateError, NotFoundError
from server.models import (
    Account,
    GroceryClaim,
    Resident,
    ServiceRequest,
    SuggestionMark,
    VolunteerPointsEntry,
    VolunteerSuggestion,
    utcnow,
)
from server.services import points, visibility
from server.services.accounts import Role
from server.services.audit import audit
from server.services.grocery_board import GROCERY
from server.services.requests import set_request_status
from sync import records as wire
from sync.records import RequestStatus

log = logging.getLogger(__name__)

RULES_FILE = Path(__file__).resolve().parents[2] / "assets" / "points" / "rules.yaml"
COMPLETED_SERVICE = "completed_service"
USEFUL_SUGGESTION = "useful_suggestion"


@dataclass(frozen=True, slots=True)
class Rule:
    points: int
    reason: str


@cache
def rules(path: Path = RULES_FILE) -> dict[str, Rule]:
    with path.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle) or {}
    amounts, reasons = loaded.get("points", {}), loaded.get("reasons", {})
    found = {str(k): Rule(int(v), str(reasons.get(k, k))) for k, v in amounts.items()}
    missing = {COMPLETED_SERVICE, USEFUL_SUGGESTION} - found.keys()
    if missing or any(rule.points <= 0 for rule in found.values()):
        raise ValueError(f"{path}: need positive points for {sorted(missing) or 'every rule'}")
    return found


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


# -- a volunteer's completed order ------------------------------------------------------


def credit_rated_orders(session: Session, kiosk_id: uuid.UUID,
                        ratings: list[wire.Feedback]) -> None:
    """Called as the kiosk's ratings are stored: delivered orders they rate are done and paid."""
    for rating in ratings:
        claim = session.execute(
            select(GroceryClaim.account_id, ServiceRequest.resident_id, ServiceRequest.status)
            .join(ServiceRequest, (ServiceRequest.kiosk_id == GroceryClaim.kiosk_id)
                  & (ServiceRequest.record_id == GroceryClaim.record_id))
            .where(GroceryClaim.kiosk_id == kiosk_id, GroceryClaim.record_id == rating.request_id,
                   ServiceRequest.request_type == GROCERY)
        ).first()
        if claim is None or claim.status != RequestStatus.DELIVERED.value:
            continue  # not a volunteer's order, not delivered yet, or already confirmed
        if claim.resident_id != rating.resident_id:
            log.warning("kiosk %s rated order %s for another resident; no points", kiosk_id,
                        rating.request_id)
            continue
        actor = f"kiosk:{kiosk_id}"
        row = session.scalars(select(ServiceRequest).where(
            ServiceRequest.kiosk_id == kiosk_id,
            ServiceRequest.record_id == rating.request_id)).one()
        set_request_status(session, rating.request_id, RequestStatus.DONE,
                           handled_by=row.handled_by, actor=actor)
        _credit_volunteer(session, claim.account_id, rating.request_id, actor=actor)


def _credit_volunteer(session: Session, account_id: uuid.UUID, request_id: uuid.UUID, *,
                      actor: str) -> None:
    rule = rules()[COMPLETED_SERVICE]
    delta = rule.points
    statement = _insert(session)(VolunteerPointsEntry).values(
        id=uuid.uuid4(), account_id=account_id, delta=delta, reason=rule.reason,
        request_id=request_id, created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=[VolunteerPointsEntry.request_id]
                             ).returning(VolunteerPointsEntry.id)
    # RETURNING, not rowcount: an ORM-enabled INSERT does not report a reliable rowcount.
    if session.execute(statement).scalar_one_or_none() is not None:
        audit(session, actor=actor, action="volunteer_points.credited",
              target=f"account:{account_id}",
              detail={"delta": delta, "reason": COMPLETED_SERVICE, "request_id": str(request_id)})


@dataclass(frozen=True, slots=True)
class VolunteerPoints:
    balance: int
    history: list[VolunteerPointsEntry]


def volunteer_points(session: Session, account_id: uuid.UUID, *, last: int = 20) -> VolunteerPoints:
    balance = session.scalar(select(func.coalesce(func.sum(VolunteerPointsEntry.delta), 0))
                             .where(VolunteerPointsEntry.account_id == account_id)) or 0
    history = list(session.scalars(
        select(VolunteerPointsEntry).where(VolunteerPointsEntry.account_id == account_id)
        .order_by(VolunteerPointsEntry.created_at.desc()).limit(last)))
    return VolunteerPoints(int(balance), history)


# -- a resident's useful suggestion ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuggestionView:
    kiosk_id: uuid.UUID
    record_id: uuid.UUID
    text: str
    created_at: datetime
    resident_name: str | None
    useful: bool


def _may_mark(session: Session, account: Account, resident_id: uuid.UUID | None) -> bool:
    role = Role(account.role)
    if role is Role.ADMIN:
        return True
    # Staff: residents of their grids; a suggestion naming nobody is the admins' to judge.
    return role is Role.STAFF and resident_id is not None and \
        visibility.may_see_resident(session, account, resident_id)


def suggestions(session: Session, account: Account, *, limit: int = 200) -> list[SuggestionView]:
    """The suggestions `account` may mark, newest first."""
    if Role(account.role) not in (Role.STAFF, Role.ADMIN):
        return []
    query = (
        select(VolunteerSuggestion, Resident.display_name, SuggestionMark.record_id)
        .outerjoin(Resident, Resident.id == VolunteerSuggestion.resident_id)
        .outerjoin(SuggestionMark, (SuggestionMark.kiosk_id == VolunteerSuggestion.kiosk_id)
                   & (SuggestionMark.record_id == VolunteerSuggestion.record_id))
        .order_by(VolunteerSuggestion.created_at.desc()).limit(limit)
    )
    scope = visibility.resident_ids_in_scope(session, account)
    if scope is not None:
        query = query.where(VolunteerSuggestion.resident_id.in_(list(scope)))
    return [SuggestionView(row.kiosk_id, row.record_id, row.text, row.created_at, name,
                           mark is not None)
            for row, name, mark in session.execute(query).all()]


def mark_useful(session: Session, account: Account, kiosk_id: uuid.UUID, record_id: uuid.UUID, *,
                actor: str) -> SuggestionMark:
    """Mark a suggestion useful and credit its resident; a second mark changes nothing.

    Raises NotFoundError when the account may not see it (the same answer as for a
    suggestion that does not exist), InvalidStateError when it is already marked.
    """
    suggestion = session.scalars(select(VolunteerSuggestion).where(
        VolunteerSuggestion.kiosk_id == kiosk_id,
        VolunteerSuggestion.record_id == record_id)).first()
    if suggestion is None or not _may_mark(session, account, suggestion.resident_id):
        raise NotFoundError(f"no suggestion {record_id} for {account.username}")
    # The mark's primary key decides: of two staff marking at once, one row goes in.
    inserted = session.execute(
        _insert(session)(SuggestionMark).values(
            kiosk_id=kiosk_id, record_id=record_id, marked_by=account.id, marked_at=utcnow())
        .on_conflict_do_nothing(index_elements=[SuggestionMark.kiosk_id, SuggestionMark.record_id])
        .returning(SuggestionMark.record_id)
    ).scalar_one_or_none()
    if inserted is None:
        raise InvalidStateError(f"suggestion {record_id} is already marked useful")
    mark = session.scalars(select(SuggestionMark).where(
        SuggestionMark.kiosk_id == kiosk_id, SuggestionMark.record_id == record_id)).one()
    resident_known = suggestion.resident_id is not None and \
        session.get(Resident, suggestion.resident_id) is not None
    if resident_known:
        rule = rules()[USEFUL_SUGGESTION]
        entry = points.credit_points(session, suggestion.resident_id, rule.points, rule.reason,
                                     actor=actor)
        mark.ledger_entry_id = entry.id
    audit(session, actor=actor, action="suggestion.useful", target=f"suggestion:{record_id}",
          detail={"resident_id": str(suggestion.resident_id) if suggestion.resident_id else None,
                  "points": rules()[USEFUL_SUGGESTION].points if resident_known else 0})
    session.flush()
    return mark
