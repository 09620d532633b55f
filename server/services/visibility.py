"""Who may see which resident and which alarm: the one place the relation rules live.

- admin: every resident and alarm.
- staff: residents placed in their grids; alarms of those residents, and alarms whose
  resident the server cannot place (unknown id, or no grid yet): an alarm is never
  invisible to everyone.
- caregiver: the residents linked to their account, and those residents' alarms.
- volunteer: no resident pages, no alarms, no health data at all.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, false, or_, select, true
from sqlalchemy.orm import Session

from server.models import Account, CaregiverLink, Resident, StaffGrid
from server.services.accounts import Role

# Roles that see health data (heart rate, falls, alarms) of the residents in their scope.
HEALTH_ROLES = frozenset({Role.CAREGIVER, Role.STAFF, Role.ADMIN})


def sees_health(account: Account) -> bool:
    return Role(account.role) in HEALTH_ROLES


def scope_for(role: Role, viewer: Any = None) -> Select[tuple[uuid.UUID]] | None:
    """The ids of the residents a `role` account may see, as a subquery; None means all.

    `viewer` is the account's id, or by default a `viewer_id` bind parameter: built per
    role with a parameter, the hot statements below are built once (building a statement
    costs more CPU than PostgreSQL spends answering it).
    """
    viewer = bindparam("viewer_id") if viewer is None else viewer
    if role is Role.ADMIN:
        return None
    if role is Role.CAREGIVER:
        return select(CaregiverLink.resident_id).where(CaregiverLink.account_id == viewer)
    if role is Role.STAFF:
        grids = select(StaffGrid.grid_id).where(StaffGrid.account_id == viewer)
        return select(Resident.id).where(Resident.grid_id.in_(grids))
    return select(Resident.id).where(false())


def alert_scope(role: Role, resident_column, viewer: Any = None) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """A WHERE clause on an alarm table's resident column: the rows a `role` account may
    see (`viewer` as in `scope_for`). The scope stays a subquery, so the database applies
    it in the same statement."""
    if role not in HEALTH_ROLES:
        return false()
    scope = scope_for(role, viewer)
    if scope is None:
        return true()
    visible = resident_column.in_(scope)
    if role is Role.STAFF:
        placed = select(Resident.id).where(Resident.grid_id.is_not(None))
        return or_(visible, resident_column.is_(None), resident_column.not_in(placed))
    return visible


def resident_ids_in_scope(session: Session, account: Account) -> set[uuid.UUID] | None:
    """The residents `account` may see; None means all of them."""
    scope = scope_for(Role(account.role), account.id)
    return None if scope is None else set(session.scalars(scope))


# One indexed lookup per role, built once: every resident page asks it.
_SEES_RESIDENT = {
    role: scope.where(scope.selected_columns[0] == bindparam("resident_id")).limit(1)
    for role in (Role.CAREGIVER, Role.STAFF)
    if (scope := scope_for(role)) is not None
}


def may_see_resident(session: Session, account: Account, resident_id: uuid.UUID) -> bool:
    if not sees_health(account):
        return False
    role = Role(account.role)
    if role is Role.ADMIN:
        return True
    found = session.scalar(_SEES_RESIDENT[role], {"viewer_id": account.id, "resident_id": resident_id})
    return found is not None


def alert_filter(session: Session, account: Account, resident_column) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """`alert_scope` for `account`: for statements built per request."""
    return alert_scope(Role(account.role), resident_column, account.id)


def may_see_alert(session: Session, account: Account, resident_id: uuid.UUID | None) -> bool:
    if not sees_health(account):
        return False
    if resident_id is not None and may_see_resident(session, account, resident_id):
        return True
    if Role(account.role) is Role.STAFF:
        if resident_id is None:
            return True
        resident = session.get(Resident, resident_id)
        return resident is None or resident.grid_id is None
    return False
