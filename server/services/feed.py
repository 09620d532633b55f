"""Each kiosk's pull feed: appending numbered changes and reading them page by page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from server.errors import NotFoundError
from server.models import Kiosk, KioskChange, ServerIncarnation, utcnow
from server.services.bulk import bulk_insert
from sync.records import CHANGE_MODELS, Change, ChangeKind, PullResponse

PendingChange = tuple[ChangeKind, BaseModel]


def append_change(session: Session, kiosk_id: uuid.UUID, kind: ChangeKind, payload: BaseModel) -> int:
    """Append one change to the kiosk's feed and return its seq."""
    return append_changes(session, kiosk_id, [(kind, payload)])[-1]


def append_changes(
    session: Session, kiosk_id: uuid.UUID, changes: Sequence[PendingChange]
) -> list[int]:
    """Append changes in order to the kiosk's feed; returns their seqs (consecutive).

    The seqs come from one `UPDATE ... RETURNING` on the kiosk row. On PostgreSQL that
    row stays locked until commit, so two transactions writing to the same feed commit
    in seq order and a reader can never see seq 8 while seq 7 is still to come.
    """
    if not changes:
        return []
    for kind, payload in changes:
        if not isinstance(payload, CHANGE_MODELS[kind]):
            raise TypeError(f"a {kind} change needs a {CHANGE_MODELS[kind].__name__} payload")
    last = session.execute(
        update(Kiosk)
        .where(Kiosk.id == kiosk_id)
        .values(feed_seq=Kiosk.feed_seq + len(changes))
        .returning(Kiosk.feed_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if last is None:
        raise NotFoundError(f"kiosk {kiosk_id} does not exist; register it first")
    first = last - len(changes) + 1
    now = utcnow()
    rows = [
        {
            "kiosk_id": kiosk_id,
            "seq": first + offset,
            "kind": kind.value,
            "payload": payload.model_dump(mode="json"),
            "changed_at": now,
        }
        for offset, (kind, payload) in enumerate(changes)
    ]
    bulk_insert(session, KioskChange.__table__, rows)
    return [row["seq"] for row in rows]


# Built once (see kiosks._KIOSK_BY_ID): the server's incarnation (one row), outer-joined
# to the page of changes, so an empty page is still one row and a pull is one statement.
_changes, _incarnation = KioskChange.__table__, ServerIncarnation.__table__
_PAGE_OF_CHANGES = (
    select(_incarnation.c.incarnation, _changes.c.seq, _changes.c.kind, _changes.c.changed_at,
           _changes.c.payload)
    .select_from(_incarnation)
    .outerjoin(_changes, (_changes.c.kiosk_id == bindparam("kiosk_id"))
               & (_changes.c.seq > bindparam("cursor")))
    .where(_incarnation.c.id == 1)
    .order_by(_changes.c.seq)
    .limit(bindparam("rows"))
)


def read_changes(session: Session, kiosk_id: uuid.UUID, cursor: int, limit: int) -> PullResponse:
    """The changes after `cursor` (at most `limit`), the cursor to ask with next, and more?"""
    # One row more than asked tells whether there is more.
    rows = session.execute(
        _PAGE_OF_CHANGES, {"kiosk_id": kiosk_id, "cursor": cursor, "rows": limit + 1}).all()
    if not rows:  # migration 0009 writes the row and nothing deletes it
        raise RuntimeError("the server_incarnation row is missing (migration 0009 writes it; "
                           "`linli admin restore` writes a new one)")
    page = [row for row in rows[:limit] if row.seq is not None]
    changes = [
        Change(seq=seq, kind=ChangeKind(kind), changed_at=changed_at, payload=payload)
        for _, seq, kind, changed_at, payload in page
    ]
    return PullResponse(
        changes=changes,
        next_cursor=page[-1].seq if page else cursor,
        has_more=len(rows) > limit,
        server_incarnation=rows[0].incarnation,
    )
