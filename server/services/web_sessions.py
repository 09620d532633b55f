"""Signed-in browsers and the sign-in limit, both kept in the database (shared by processes)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, or_, select
from sqlalchemy.orm import Session

from server.models import Account, LoginFailure, WebSession, utcnow
from server.services.audit import audit


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedIn:
    account: Account
    web_session: WebSession


def start_session(session: Session, account: Account, *, hours: float, client: str) -> str:
    """A new session for `account`; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(WebSession(
        token_hash=_hash(token), account_id=account.id, csrf_token=secrets.token_urlsafe(32),
        created_at=now, expires_at=now + timedelta(hours=hours),
    ))
    # Old sessions of anyone are cleared now and then instead of by a timer.
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    audit(session, actor=f"account:{account.username}", action="account.login",
          target=f"account:{account.id}", detail={"client": client})
    return token


# One statement, built once: every page of every console asks it first.
_SIGNED_IN = (select(WebSession, Account).join(Account, Account.id == WebSession.account_id)
              .where(WebSession.token_hash == bindparam("token_hash"),
                     WebSession.expires_at > bindparam("now"), Account.disabled_at.is_(None)))


def load_session(session: Session, token: str | None) -> SignedIn | None:
    if not token:
        return None
    found = session.execute(_SIGNED_IN, {"token_hash": _hash(token), "now": utcnow()}).first()
    return None if found is None else SignedIn(found.Account, found.WebSession)


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))


def login_blocked(
    session: Session, username: str, client: str, *, max_per_user: int, max_per_client: int,
    window_minutes: float,
) -> bool:
    """True while this username or this client address has failed too often lately."""
    since = utcnow() - timedelta(minutes=window_minutes)
    by_user, by_client = session.execute(
        select(
            func.count().filter(LoginFailure.username == username),
            func.count().filter(LoginFailure.client == client),
        ).where(LoginFailure.at >= since,
                or_(LoginFailure.username == username, LoginFailure.client == client))
    ).one()
    return by_user >= max_per_user or by_client >= max_per_client


# Failures older than this count for nothing and are deleted as new ones come in.
_KEEP_FAILURES = timedelta(days=1)


def record_failure(session: Session, username: str, client: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - _KEEP_FAILURES))
    session.add(LoginFailure(username=username[:100], client=client[:64]))
    audit(session, actor=f"client:{client}", action="account.login_failed",
          target=f"username:{username[:100]}")


def clear_failures(session: Session, username: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
