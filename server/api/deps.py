"""Route dependencies: settings and the authenticated, rate-limited kiosk.

Each plain `def` dependency would cost a hop to the thread pool and back on every request,
so what runs in memory is `async def`, and routes open their database session inside the
one thread-pool call that does their work.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from server.errors import WireError
from server.services import kiosks
from server.settings import Settings
from sync.wire_errors import ErrorCode

_bearer = HTTPBearer(auto_error=False, description="the kiosk token from `linli admin register-kiosk`")


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def kiosk_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The bearer token as sent, not yet checked (see `admit_kiosk`)."""
    if credentials is None or not credentials.credentials:
        raise WireError(401, ErrorCode.TOKEN_MISSING,
                        "send the kiosk token as `Authorization: Bearer <token>`")
    return credentials.credentials


def admit_kiosk(request: Request, session: Session, token: str) -> kiosks.KioskIdentity:
    """The kiosk of `token`, checked in `session` (the route's own) and rate-limited.

    Checked on every request, never cached: a revoked or rotated token stops working at once.
    """
    try:
        identity = kiosks.authenticate(session, token)
    except kiosks.AuthenticationError as exc:
        status = 403 if exc.code == ErrorCode.KIOSK_REVOKED else 401
        raise WireError(status, exc.code, str(exc)) from None
    # Reachability for the web console, written later by a background flush: a pull must
    # never wait for SQLite's write lock.
    request.app.state.kiosks_seen.note(identity.id)
    wait = request.app.state.rate_limiter.acquire(identity.id)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise WireError(429, ErrorCode.RATE_LIMITED,
                        f"too many requests from this kiosk; wait {seconds} s and retry",
                        headers={"Retry-After": str(seconds)})
    return identity


async def current_kiosk(request: Request, token: Annotated[str, Depends(kiosk_token)]) -> kiosks.KioskIdentity:
    """For a route that must know its kiosk before it reads the body (a push)."""
    return await run_in_threadpool(_admit_in_own_session, request, token)


def _admit_in_own_session(request: Request, token: str) -> kiosks.KioskIdentity:
    # A short reading session: it neither holds nor waits for SQLite's write lock, so a
    # large push body still arriving keeps no one else out.
    with request.app.state.read_sessions() as session:
        return admit_kiosk(request, session, token)


SettingsDep = Annotated[Settings, Depends(get_settings)]
KioskDep = Annotated[kiosks.KioskIdentity, Depends(current_kiosk)]
KioskTokenDep = Annotated[str, Depends(kiosk_token)]
