"""The audit log: who changed what, written in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from server.models import AuditEntry, utcnow

# A plain INSERT built once, not an ORM object: nothing reads an entry back in the
# transaction that writes it, and the unit of work (flush, RETURNING the new id) cost more
# CPU than the rest of a page view's audit.
_INSERT_ENTRY = insert(AuditEntry.__table__)


def audit(
    session: Session, *, actor: str, action: str, target: str, detail: dict[str, Any] | None = None
) -> None:
    """Record `actor` doing `action` to `target` (detail must be JSON-serialisable)."""
    session.execute(_INSERT_ENTRY, {"at": utcnow(), "actor": actor, "action": action,
                                    "target": target, "detail": detail})
