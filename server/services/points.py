"""Points: the ledger, balances that never go below zero, credits by staff, redemptions.

A balance is the sum of the resident's ledger lines. Entries for one resident serialize on
the resident's `points_locks` row: the lock is taken (a write) before the sum is read, so
on PostgreSQL the sum is read after any concurrent entry has committed (READ COMMITTED
takes a new snapshot per statement), and on SQLite the write lock is already held.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.errors import InvalidStateError
from server.models import PointsLedgerEntry, PointsLock, Resident, utcnow
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
    """The resident's balance: the sum of their ledger lines."""
    return int(session.scalar(
        select(func.coalesce(func.sum(PointsLedgerEntry.delta), 0))
        .where(PointsLedgerEntry.resident_id == resident_id)
    ) or 0)


def balances_of(session: Session, resident_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Balances of many residents in one query (0 for those without a line)."""
    sums = dict(session.execute(
        select(PointsLedgerEntry.resident_id, func.sum(PointsLedgerEntry.delta))
        .where(PointsLedgerEntry.resident_id.in_(resident_ids))
        .group_by(PointsLedgerEntry.resident_id)
    ).all()) if resident_ids else {}
    return {resident_id: int(sums.get(resident_id) or 0) for resident_id in resident_ids}


def ledger_of(session: Session, resident_id: uuid.UUID, limit: int = 200) -> list[PointsLedgerEntry]:
    """The resident's latest ledger lines, newest first."""
    return list(session.scalars(
        select(PointsLedgerEntry).where(PointsLedgerEntry.resident_id == resident_id)
        .order_by(PointsLedgerEntry.created_at.desc()).limit(limit)))


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
    """Lock the resident's entries, then the new balance: the ledger's sum plus `delta`.

    None if that would go below zero.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    # A write, not a SELECT ... FOR UPDATE: it creates the row the first time, locks it on
    # PostgreSQL, and takes SQLite's write lock before the sum below is read.
    session.execute(insert(PointsLock).values(resident_id=resident_id, locked_at=now)
                    .on_conflict_do_update(index_elements=[PointsLock.resident_id],
                                           set_={"locked_at": now}))
    balance = balance_of(session, resident_id) + delta
    return None if balance < 0 else balance
