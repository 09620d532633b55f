"""Web accounts: creation, passwords (argon2id), grids, caregiver links and staff grids."""

from __future__ import annotations

import logging
import uuid
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidStateError, NotFoundError
from server.models import Account, CaregiverLink, Grid, StaffGrid, utcnow
from server.services.audit import audit
from server.services.directory import get_resident

log = logging.getLogger(__name__)

# argon2-cffi's defaults (RFC 9106 low-memory profile: argon2id, t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
WEB_LANGUAGES = ("zh", "en", "ko")


class Role(StrEnum):
    CAREGIVER = "caregiver"
    VOLUNTEER = "volunteer"
    STAFF = "staff"
    ADMIN = "admin"


class AccountError(InvalidStateError):
    """An account cannot be created or changed as asked (the message says why)."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the username is unknown makes "no such user" take as long
# as "wrong password", so timing does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0000")


def check_login(session: Session, username: str, password: str) -> Account | None:
    """The enabled account with this username and password, else None."""
    account = find_account(session, username)
    if account is None or account.disabled_at is not None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(account.password_hash, password):
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return account


def normalise_username(username: str) -> str:
    return username.strip().lower()


def find_account(session: Session, username: str) -> Account | None:
    return session.scalars(
        select(Account).where(Account.username == normalise_username(username))
    ).first()


def get_account(session: Session, account_id: uuid.UUID) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError(f"no account with id {account_id}")
    return account


def create_account(
    session: Session,
    username: str,
    password: str,
    role: Role | str,
    *,
    display_name: str | None = None,
    language: str = "zh",
    actor: str = "admin",
) -> Account:
    role = Role(role)
    name = normalise_username(username)
    if not name or len(name) > 100 or any(ch.isspace() for ch in name):
        raise AccountError("a username is 1-100 characters without spaces")
    if language not in WEB_LANGUAGES:
        raise AccountError(f"language must be one of {', '.join(WEB_LANGUAGES)}")
    if find_account(session, name) is not None:
        raise AccountError(f"the username {name!r} is taken")
    account = Account(
        username=name, display_name=display_name or username.strip(), role=role.value,
        password_hash=hash_password(password), language=language,
    )
    session.add(account)
    session.flush()
    audit(session, actor=actor, action="account.created", target=f"account:{account.id}",
          detail={"username": name, "role": role.value})
    log.info("account %s (%s) created", name, role.value)
    return account


def set_password(session: Session, account: Account, password: str, *, actor: str = "admin") -> None:
    account.password_hash = hash_password(password)
    audit(session, actor=actor, action="account.password_set", target=f"account:{account.id}")


def disable_account(session: Session, account: Account, *, actor: str = "admin") -> None:
    from server.models import WebSession

    account.disabled_at = utcnow()
    # Signed-in browsers of a disabled account are signed out at once.
    for web_session in session.scalars(select(WebSession).where(WebSession.account_id == account.id)):
        session.delete(web_session)
    audit(session, actor=actor, action="account.disabled", target=f"account:{account.id}")


def link_caregiver(
    session: Session, account: Account, resident_id: uuid.UUID, *, actor: str = "admin"
) -> CaregiverLink:
    if account.role != Role.CAREGIVER:
        raise AccountError(f"{account.username} is a {account.role}, not a caregiver")
    resident = get_resident(session, resident_id)
    link = session.get(CaregiverLink, (account.id, resident.id))
    if link is None:
        link = CaregiverLink(account_id=account.id, resident_id=resident.id)
        session.add(link)
        session.flush()
        audit(session, actor=actor, action="caregiver.linked", target=f"resident:{resident.id}",
              detail={"account": account.username})
    return link


def create_grid(session: Session, name: str, *, actor: str = "admin") -> Grid:
    name = name.strip()
    if not name:
        raise AccountError("a grid needs a name")
    if session.scalars(select(Grid).where(Grid.name == name)).first() is not None:
        raise AccountError(f"a grid named {name!r} exists already")
    grid = Grid(name=name)
    session.add(grid)
    session.flush()
    audit(session, actor=actor, action="grid.created", target=f"grid:{grid.id}", detail={"name": name})
    return grid


def get_grid(session: Session, grid_id: uuid.UUID) -> Grid:
    grid = session.get(Grid, grid_id)
    if grid is None:
        raise NotFoundError(f"no grid with id {grid_id}")
    return grid


def assign_staff_grid(
    session: Session, account: Account, grid_id: uuid.UUID, *, actor: str = "admin"
) -> None:
    if account.role != Role.STAFF:
        raise AccountError(f"{account.username} is a {account.role}, not staff")
    grid = get_grid(session, grid_id)
    if session.get(StaffGrid, (account.id, grid.id)) is None:
        session.add(StaffGrid(account_id=account.id, grid_id=grid.id))
        session.flush()
        audit(session, actor=actor, action="staff.grid_assigned", target=f"account:{account.id}",
              detail={"grid": grid.name})


def place_resident(
    session: Session, resident_id: uuid.UUID, grid_id: uuid.UUID, *, actor: str = "admin"
) -> None:
    resident = get_resident(session, resident_id)
    grid = get_grid(session, grid_id)
    resident.grid_id = grid.id
    session.flush()
    audit(session, actor=actor, action="resident.grid_set", target=f"resident:{resident.id}",
          detail={"grid": grid.name})


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.role, Account.username)))


def list_grids(session: Session) -> list[Grid]:
    return list(session.scalars(select(Grid).order_by(Grid.name)))


def active_staff_of_grid(session: Session, grid_id: uuid.UUID | None) -> list[Account]:
    """Staff accounts (not disabled) working in the grid, by name: who may be assigned a
    request there or named as the worker of a home visit."""
    if grid_id is None:
        return []
    return list(session.scalars(
        select(Account).join(StaffGrid, StaffGrid.account_id == Account.id)
        .where(StaffGrid.grid_id == grid_id, Account.role == Role.STAFF.value,
               Account.disabled_at.is_(None))
        .order_by(Account.display_name)))
