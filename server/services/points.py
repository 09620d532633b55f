"""Points: the ledger, balances that never go below zero, credits by staff, redemptions."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.errors import InvalidStateError
from server.models import PointsBalance, PointsLedgerEntry, Resident, utcnow
from server.services.audit import audit
from server.services.feed import append_change
from sync.records import ChangeKind, PointsEntry


class RedemptionRefused(StrEnum):
    """Why a kiosk's redemption spent nothing; the value is the note the kiosk is sent."""

    INSUFFICIENT_POINTS = "insufficient_points"
    NOT_ON_THIS_KIOSK = "resident_not_on_this_kiosk"


def points_entry(entry: PointsLedgerEntry) -> PointsEntry:
    return PointsEntry(
        entry_id=entry.id,
        resident_id=entry.resident_id,
        delta=entry.delta,
        reason=entry.reason,
        balance_after=entry.balance_after,
    )


def balance_of(session: Session, resident_id: uuid.UUID) -> int:
    balance = session.scalar(
        select(PointsBalance.balance).where(PointsBalance.resident_id == resident_id)
    )
    return balance or 0


def credit_points(
    session: Session,
    resident_id: uuid.UUID,
    delta: int,
    reason: str,
    *,
    actor: str = "admin",
) -> PointsLedgerEntry:
    """Add (or, negative, take away) points; the resident's kiosk gets a `points_entry`.

    Raises InvalidStateError if a negative delta would take the balance below zero.
    """
    if delta == 0:
        raise ValueError("a ledger entry must change the balance")
    entry = _post_entry(
        session, resident_id, delta, reason, actor=actor,
        resident_kiosk_id=_kiosk_of(session, resident_id),
    )
    if entry is None:
        raise InvalidStateError(
            f"resident {resident_id} has {balance_of(session, resident_id)} points, "
            f"fewer than {-delta}"
        )
    audit(session, actor=actor, action="points.credited", target=f"resident:{resident_id}",
          detail={"delta": delta, "reason": reason, "entry_id": str(entry.id)})
    return entry


def redeem_points(
    session: Session,
    *,
    resident_id: uuid.UUID,
    points: int,
    reason: str,
    kiosk_id: uuid.UUID,
    record_id: uuid.UUID,
) -> PointsLedgerEntry | RedemptionRefused:
    """Take `points` for kiosk `kiosk_id`'s redemption record, or say why not.

    Only the resident's own kiosk may spend their points: a kiosk holding a stale or
    forged resident id must not empty someone else's balance. The resident's kiosk gets
    the `points_entry`; on a refusal the caller tells the pushing kiosk.
    """
    home_kiosk_id = _kiosk_of(session, resident_id)
    if home_kiosk_id != kiosk_id:
        return RedemptionRefused.NOT_ON_THIS_KIOSK
    entry = _post_entry(
        session, resident_id, -points, reason, actor=f"kiosk:{kiosk_id}",
        resident_kiosk_id=home_kiosk_id, source_kiosk_id=kiosk_id, source_record_id=record_id,
    )
    return RedemptionRefused.INSUFFICIENT_POINTS if entry is None else entry


def _kiosk_of(session: Session, resident_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(select(Resident.kiosk_id).where(Resident.id == resident_id))


def _post_entry(
    session: Session,
    resident_id: uuid.UUID,
    delta: int,
    reason: str,
    *,
    actor: str,
    resident_kiosk_id: uuid.UUID | None,
    source_kiosk_id: uuid.UUID | None = None,
    source_record_id: uuid.UUID | None = None,
) -> PointsLedgerEntry | None:
    """The one way points move: balance, ledger line, and a `points_entry` to the resident's kiosk.

    None (and nothing written) if the balance is too low. The caller passes the kiosk it
    read the resident on, so that one transaction never reads two different answers.
    """
    balance = _change_balance(session, resident_id, delta)
    if balance is None:
        return None
    entry = PointsLedgerEntry(
        id=uuid.uuid4(),
        resident_id=resident_id,
        delta=delta,
        reason=reason,
        balance_after=balance,
        source_kiosk_id=source_kiosk_id,
        source_record_id=source_record_id,
        actor=actor,
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    if resident_kiosk_id is not None:
        append_change(session, resident_kiosk_id, ChangeKind.POINTS_ENTRY, points_entry(entry))
    return entry


def _change_balance(session: Session, resident_id: uuid.UUID, delta: int) -> int | None:
    """Apply delta in one statement (so concurrent entries serialize on the row lock)."""
    now = utcnow()
    if delta < 0:
        # Conditional update: no row matched means the balance is too low (or zero).
        return session.execute(
            update(PointsBalance)
            .where(PointsBalance.resident_id == resident_id, PointsBalance.balance >= -delta)
            .values(balance=PointsBalance.balance + delta, updated_at=now)
            .returning(PointsBalance.balance)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(PointsBalance).values(resident_id=resident_id, balance=delta, updated_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[PointsBalance.resident_id],
        set_={"balance": PointsBalance.balance + delta, "updated_at": now},
    ).returning(PointsBalance.balance)
    return session.execute(statement).scalar_one()
