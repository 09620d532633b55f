"""The audit log: who changed what, written in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from server.models import AuditEntry


def audit(
    session: Session, *, actor: str, action: str, target: str, detail: dict[str, Any] | None = None
) -> None:
    """Record `actor` doing `action` to `target` (detail must be JSON-serialisable)."""
    session.add(AuditEntry(actor=actor, action=action, target=target, detail=detail))
