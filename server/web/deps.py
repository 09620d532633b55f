"""The web's one access check: signed in, the right role, the right relation, CSRF on posts.

`Depends(access(Role.CAREGIVER, Role.STAFF, ...))` on a route gives it a `Viewer`. A route
with a `resident_id` path parameter is also checked against the viewer's relation to
that resident (services/visibility.py), and a route marked `health=True` writes an
audit entry for the view.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from server.models import Account, WebSession
from server.services import visibility, web_sessions
from server.services.accounts import Role
from server.services.audit import audit
from server.web.i18n import LANGUAGES, Translator

SESSION_COOKIE = "linli_session"
LANG_COOKIE = "linli_lang"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """No valid session: pages redirect to the sign-in page, streams answer 401."""


class Forbidden(Exception):
    """Signed in, but this role or this relation may not see or do this."""


class CsrfRefused(Exception):
    """A form post without the session's CSRF token: refused, nothing stored."""


@dataclass(frozen=True, slots=True)
class Viewer:
    account: Account
    web_session: WebSession
    token: str

    @property
    def actor(self) -> str:
        return f"account:{self.account.username}"

    @property
    def role(self) -> Role:
        return Role(self.account.role)

    @property
    def csrf_token(self) -> str:
        return self.web_session.csrf_token


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def language_of(request: Request, account: Account | None = None) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if account is not None:
        return account.language
    accept = request.headers.get("accept-language", "")
    return "en" if accept.lower().startswith("en") else "zh"


def translator(request: Request, account: Account | None = None) -> Translator:
    return Translator(language_of(request, account))


def signed_in(request: Request) -> Viewer:
    with request.app.state.read_sessions() as session:
        return _signed_in(request, session)


def _signed_in(request: Request, session: Session) -> Viewer:
    token = request.cookies.get(SESSION_COOKIE)
    found = web_sessions.load_session(session, token)
    if found is None or token is None:
        raise LoginRequired()
    return Viewer(found.account, found.web_session, token)


async def check_csrf(request: Request, expected: str) -> None:
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()


def access(*roles: Role, health: bool = False) -> Callable[[Request], Coroutine[Any, Any, Viewer]]:
    """A dependency admitting `roles` only; see the module docstring for the rest."""
    allowed = frozenset(roles)

    async def dependency(request: Request) -> Viewer:
        if request.method in ("GET", "HEAD"):
            # A page: who, which role and which resident in one trip to the thread pool.
            return await run_in_threadpool(_admit, request, allowed, health, True)
        viewer = await run_in_threadpool(_admit, request, allowed, health, False)
        await check_csrf(request, viewer.csrf_token)
        resident_id = _resident_in_path(request)
        if resident_id is not None:
            await run_in_threadpool(_check_resident, request, viewer, resident_id, health)
        return viewer

    return dependency


def _admit(request: Request, allowed: frozenset[Role], health: bool, check_resident: bool) -> Viewer:
    # Who it is and whether they may see this resident: one reading session, so SQLite's
    # write lock is taken only for the audit entry below.
    with request.app.state.read_sessions() as session:
        viewer = _signed_in(request, session)
        if viewer.role not in allowed:
            raise Forbidden()
        resident_id = _resident_in_path(request)
        if not check_resident or resident_id is None:
            return viewer
        visible = visibility.may_see_resident(session, viewer.account, resident_id)
    _audit_resident(request, viewer, resident_id, visible, health)
    return viewer


def _resident_in_path(request: Request) -> uuid.UUID | None:
    """The resident a route is about, if it has a `resident_id`; a malformed id is refused."""
    raw = request.path_params.get("resident_id")
    if raw is None:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise Forbidden() from None


def _check_resident(request: Request, viewer: Viewer, resident_id: uuid.UUID, health: bool) -> None:
    with request.app.state.read_sessions() as session:
        visible = visibility.may_see_resident(session, viewer.account, resident_id)
    _audit_resident(request, viewer, resident_id, visible, health)


def _audit_resident(request: Request, viewer: Viewer, resident_id: uuid.UUID, visible: bool,
                    health: bool) -> None:
    """Record a refused look at a resident, or a health view; raise Forbidden if refused."""
    if visible and not health:
        return
    with request.app.state.sessions() as session:
        audit(session, actor=viewer.actor, action="health.view" if visible else "health.view_refused",
              target=f"resident:{resident_id}", detail={"path": request.url.path})
        session.commit()
    if not visible:
        raise Forbidden()
