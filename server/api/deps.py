"""Route dependencies: settings, a database session and the authenticated, rate-limited kiosk."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from server.errors import WireError
from server.services import kiosks
from server.settings import Settings
from sync.wire_errors import ErrorCode

_bearer = HTTPBearer(auto_error=False, description="the kiosk token from `linli admin register-kiosk`")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """A session for a route that writes (on SQLite it takes the write lock when it begins)."""
    with request.app.state.sessions() as session:
        yield session


def get_read_session(request: Request) -> Iterator[Session]:
    """A session for a route that only reads: it never waits for a writer."""
    with request.app.state.read_sessions() as session:
        yield session


def current_kiosk(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> kiosks.KioskIdentity:
    if credentials is None or not credentials.credentials:
        raise WireError(401, ErrorCode.TOKEN_MISSING,
                        "send the kiosk token as `Authorization: Bearer <token>`")
    # A short reading session of its own: it neither holds nor waits for SQLite's write
    # lock, so a large push body still arriving keeps no one else out.
    with request.app.state.read_sessions() as session:
        try:
            identity = kiosks.authenticate(session, credentials.credentials)
        except kiosks.AuthenticationError as exc:
            status = 403 if exc.code == ErrorCode.KIOSK_REVOKED else 401
            raise WireError(status, exc.code, str(exc)) from None
    # Reachability for the web console, written later by a background flush: a pull must
    # never wait for SQLite's write lock.
    request.app.state.kiosks_seen.note(identity.id)
    return identity


def rate_limited_kiosk(
    request: Request, kiosk: Annotated[kiosks.KioskIdentity, Depends(current_kiosk)]
) -> kiosks.KioskIdentity:
    wait = request.app.state.rate_limiter.acquire(kiosk.id)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise WireError(429, ErrorCode.RATE_LIMITED,
                        f"too many requests from this kiosk; wait {seconds} s and retry",
                        headers={"Retry-After": str(seconds)})
    return kiosk


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
KioskDep = Annotated[kiosks.KioskIdentity, Depends(rate_limited_kiosk)]
