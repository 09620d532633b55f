"""Kiosk registration, bearer tokens and authentication.

Token format (version 1): `lk1.<kiosk id as 32 hex digits>.<secrets.token_urlsafe(32)>`.
The middle part lets a kiosk know its own id offline; only the 43-character random tail
is secret. The server stores the SHA-256 hex of the whole token, never the token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from server.errors import NotFoundError, ServerError
from server.models import Kiosk, utcnow
from server.services.audit import audit
from server.services.catalogue import current_catalogue
from server.services.feed import append_changes
from sync.kiosk_token import TOKEN_PREFIX, kiosk_id_from_token
from sync.errors import InvalidTokenError
from sync.records import ChangeKind, KioskInfo
from sync.wire_errors import ErrorCode

log = logging.getLogger(__name__)



class AuthenticationError(ServerError):
    """The bearer token is unknown or its kiosk was revoked; `code` says which."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class KioskIdentity:
    """The authenticated kiosk of one request (a plain value, safe outside any session)."""

    id: uuid.UUID
    name: str


def make_token(kiosk_id: uuid.UUID) -> str:
    return f"{TOKEN_PREFIX}.{kiosk_id.hex}.{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    # A fast hash is enough: the secret part is 256 random bits, nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def kiosk_info(kiosk: Kiosk) -> KioskInfo:
    return KioskInfo(
        kiosk_id=kiosk.id,
        name=kiosk.name,
        location=kiosk.location,
        community_phone=kiosk.community_phone,
    )


def register_kiosk(
    session: Session,
    name: str,
    location: str | None = None,
    community_phone: str | None = None,
    *,
    actor: str = "admin",
) -> tuple[Kiosk, str]:
    """Create a kiosk; returns it and its token (shown once: only its hash is kept)."""
    kiosk_id = uuid.uuid4()
    token = make_token(kiosk_id)
    kiosk = Kiosk(
        id=kiosk_id,
        name=name,
        location=location,
        community_phone=community_phone,
        token_hash=hash_token(token),
        feed_seq=0,
    )
    session.add(kiosk)
    session.flush()
    # The catalogue comes with the kiosk's info: a kiosk set up later can book at once.
    append_changes(session, kiosk.id,
                   [(ChangeKind.KIOSK_INFO, kiosk_info(kiosk)), *current_catalogue(session)])
    session.refresh(kiosk, ["feed_seq"])
    audit(session, actor=actor, action="kiosk.registered", target=f"kiosk:{kiosk.id}",
          detail={"name": name})
    log.info("registered kiosk %s (%s)", kiosk.id, name)
    return kiosk, token


def rotate_kiosk_token(session: Session, kiosk_id: uuid.UUID, *, actor: str = "admin") -> str:
    """Give the kiosk a new token; the old one stops working at once."""
    kiosk = get_kiosk(session, kiosk_id)
    token = make_token(kiosk.id)
    kiosk.token_hash = hash_token(token)
    audit(session, actor=actor, action="kiosk.token_rotated", target=f"kiosk:{kiosk.id}")
    session.flush()
    return token


def revoke_kiosk(session: Session, kiosk_id: uuid.UUID, *, actor: str = "admin") -> Kiosk:
    """Refuse this kiosk's token from now on (403 kiosk_revoked); revoking twice is a no-op."""
    kiosk = get_kiosk(session, kiosk_id)
    if kiosk.revoked_at is None:
        kiosk.revoked_at = utcnow()
        audit(session, actor=actor, action="kiosk.revoked", target=f"kiosk:{kiosk.id}")
        session.flush()
        log.info("revoked kiosk %s (%s)", kiosk.id, kiosk.name)
    return kiosk


def get_kiosk(session: Session, kiosk_id: uuid.UUID) -> Kiosk:
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise NotFoundError(f"no kiosk with id {kiosk_id}; `linli admin list-kiosks` lists them")
    return kiosk


def list_kiosks(session: Session) -> list[Kiosk]:
    return list(session.scalars(select(Kiosk).order_by(Kiosk.created_at)))


# Built once, not per request: every push and pull runs it, and building the statement and
# its cache key cost more CPU than PostgreSQL spends answering it.
_kiosks = Kiosk.__table__
_KIOSK_BY_ID = (select(_kiosks.c.id, _kiosks.c.name, _kiosks.c.token_hash, _kiosks.c.revoked_at)
                .where(_kiosks.c.id == bindparam("kiosk_id")))


def authenticate(session: Session, token: str) -> KioskIdentity:
    """The kiosk a bearer token belongs to; raises AuthenticationError otherwise."""
    try:
        kiosk_id = kiosk_id_from_token(token)
    except InvalidTokenError:
        kiosk_id = None
    row = None
    if kiosk_id is not None:
        row = session.execute(_KIOSK_BY_ID, {"kiosk_id": kiosk_id}).one_or_none()
    if row is None or not hmac.compare_digest(row.token_hash, hash_token(token)):
        raise AuthenticationError(
            ErrorCode.TOKEN_INVALID,
            "this kiosk token is not known to the server; ask staff for a new one "
            "(`linli admin register-kiosk`)",
        )
    if row.revoked_at is not None:
        raise AuthenticationError(
            ErrorCode.KIOSK_REVOKED, "this kiosk was revoked by staff; ask staff to register it again"
        )
    return KioskIdentity(id=row.id, name=row.name)
